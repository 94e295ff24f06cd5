import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { Client } from '../../../../peer/session/client.ts';
import { client, local, makeFixture, sameFiles, type Fixture } from './swarm-fixture.ts';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function fixture(...a: Parameters<typeof makeFixture>): Promise<Fixture> {
  const f = await makeFixture(...a);
  cleanups.push(f.cleanup);
  return f;
}
function started(c: Client): Client {
  cleanups.push(() => c.stop());
  return c;
}

describe('two clients on 127.0.0.1', () => {
  it('transfer a multi-file torrent byte for byte (pieces spanning files, short last piece)', async () => {
    const f = await fixture();
    expect(f.metainfo.length % f.metainfo.pieceLength).not.toBe(0);
    const seeder = started(client());
    const seed = await seeder.add(f.metainfo, { downloadDir: f.seedDir, seed: true, trackers: false });
    expect(seed.done).toBe(true);
    expect(seed.stats().state).toBe('seeding');

    const leecher = started(client());
    const dl = join(f.root, 'leech');
    const t = await leecher.add(f.metainfo, { downloadDir: dl, trackers: false, peers: [local(seeder)] });
    const verified: number[] = [];
    t.on('verified', (p) => verified.push(p));
    await t.whenDone(AbortSignal.timeout(10_000));
    expect(await sameFiles(f, dl)).toBe(true);
    const s = t.stats();
    expect(s.progress).toBe(1);
    expect(s.state).toBe('seeding');
    expect(s.downloaded).toBe(f.metainfo.length);
    expect(s.wasted).toBe(0);
    expect(new Set(verified).size).toBe(f.metainfo.pieceCount);
    expect(seed.stats().uploaded).toBe(f.metainfo.length);
  });
});
