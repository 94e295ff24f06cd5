/**
 * HAVE suppression (libtorrent's send_redundant_have = false): a leecher tells a peer about a
 * verified piece only if that peer lacks it. An observer peer holding the first half of the
 * pieces counts the HAVEs it receives from a ringswarm leecher that downloads from a seeder.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { ClientOptions } from '../../../../peer/session/client.ts';
import { generatePeerId } from '../../../../peer/wire/peer-id.ts';
import { Wire } from '../../../../peer/wire/wire.ts';
import { listen } from '../../../../src/net/transport.ts';
import { seededRandom } from '../../../../src/random.ts';
import { client, local, makeFixture } from './swarm-fixture.ts';
import { cleanupAfterEach } from '../../../helpers/cleanup.ts';

const defer = cleanupAfterEach();

/** HAVE indexes the observer received from the leecher, once it completed. */
async function havesSeen(options: ClientOptions): Promise<{ haves: number[]; pieceCount: number }> {
  const f = await makeFixture([400_000], 16 * 1024);
  defer(f.cleanup);
  const n = f.metainfo.pieceCount;
  const half = Math.floor(n / 2);
  const haves: number[] = [];
  const l = await listen({
    host: '127.0.0.1',
    port: 0,
    onConnection: (conn) => {
      const wire = new Wire(conn, { peerId: generatePeerId(seededRandom(0x0b5e)) /* not a client() seed: a twin id is refused */, acceptInfoHash: () => ({ pieceCount: n }) });
      wire.on('close', () => undefined);
      wire.on('have', (i: number) => haves.push(i));
      wire.once('handshake', () => {
        const bits = new Uint8Array(Math.ceil(n / 8));
        for (let i = 0; i < half; i++) bits[i >> 3]! |= 0x80 >> (i & 7);
        wire.bitfield(bits); // it never unchokes: it only listens
      });
      wire.start();
    },
  });
  defer(() => l.close());
  const seeder = client();
  defer(() => seeder.stop());
  await seeder.add(f.metainfo, { downloadDir: f.seedDir, seed: true, trackers: false });
  const leecher = client(options);
  defer(() => leecher.stop());
  const t = await leecher.add(f.metainfo, { downloadDir: join(f.root, 'leech'), trackers: false, peers: [{ host: '127.0.0.1', port: l.port }, local(seeder)] });
  await t.whenDone(AbortSignal.timeout(10_000));
  await new Promise((r) => setTimeout(r, 200)); // the last HAVEs in flight
  return { haves, pieceCount: n };
}

describe('redundant HAVEs', () => {
  it('are sent by default: the observer hears of every piece', async () => {
    const { haves, pieceCount } = await havesSeen({});
    expect(new Set(haves).size).toBe(pieceCount);
  });

  it('with sendRedundantHaves: false only pieces the observer lacks are announced', async () => {
    const { haves, pieceCount } = await havesSeen({ sendRedundantHaves: false });
    const half = Math.floor(pieceCount / 2);
    expect(haves.every((i) => i >= half)).toBe(true);
    expect(new Set(haves).size).toBe(pieceCount - half);
  });
});
