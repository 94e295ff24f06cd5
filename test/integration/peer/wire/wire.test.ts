import { afterEach, describe, it, expect } from 'vitest';
import { Wire, type WireOptions } from '../../../../peer/wire/wire.ts';
import { ExtensionRegistry } from '../../../../peer/wire/extension.ts';
import { encodeHandshake, reservedBytes } from '../../../../peer/wire/handshake.ts';
import { encodeMessage } from '../../../../peer/wire/messages.ts';
import { generatePeerId } from '../../../../peer/wire/peer-id.ts';
import { WireError } from '../../../../peer/wire/wire-error.ts';
import { dial, listen, type Connection, type TcpListener } from '../../../../src/net/transport.ts';
import { FrameTooLargeError, TimeoutError } from '../../../../src/errors.ts';
import { seededRandom } from '../../../../src/random.ts';

const INFO_HASH = new Uint8Array(20).fill(0x11);
const OTHER_HASH = new Uint8Array(20).fill(0x22);
const random = seededRandom(42);

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

/** A listener whose connections are handed out as they arrive. */
async function server(): Promise<{ listener: TcpListener; next: () => Promise<Connection> }> {
  const queue: Connection[] = [];
  const waiting: ((c: Connection) => void)[] = [];
  const listener = await listen({
    host: '127.0.0.1',
    port: 0,
    onConnection: (c) => {
      const w = waiting.shift();
      if (w) w(c);
      else queue.push(c);
    },
  });
  cleanups.push(() => listener.close());
  return { listener, next: () => new Promise((r) => (queue.length > 0 ? r(queue.shift()!) : waiting.push(r))) };
}

function closed(w: Wire): Promise<Error | undefined> {
  return new Promise((r) => (w.closed ? r(w.closeReason) : w.once('close', r)));
}

function event<T extends unknown[]>(w: Wire, name: string): Promise<T> {
  return new Promise((r) => (w as unknown as { once: (n: string, f: (...a: T) => void) => void }).once(name, (...a) => r(a)));
}

async function pair(a: Partial<WireOptions> = {}, b: Partial<WireOptions> = {}): Promise<{ out: Wire; inc: Wire }> {
  const { listener, next } = await server();
  const conn = await dial({ host: '127.0.0.1', port: listener.port });
  const out = new Wire(conn, { peerId: generatePeerId(random), infoHash: INFO_HASH, ...a });
  const inc = new Wire(await next(), { peerId: generatePeerId(random), acceptInfoHash: (h) => (h[0] === 0x11 ? { pieceCount: 10 } : false), ...b });
  cleanups.push(() => out.close(), () => inc.close());
  return { out, inc };
}

describe('Wire over 127.0.0.1', () => {
  it('handshakes both ways, exchanges every message and keeps flags and counters', async () => {
    const regA = new ExtensionRegistry(['ut_metadata', 'ut_pex']);
    const regB = new ExtensionRegistry(['ut_pex']);
    const { out, inc } = await pair({ extensions: regA, pieceCount: 10 }, { extensions: regB, extensionHandshake: { p: 6881 } });
    const hsOut = event<[{ client: string; capabilities: { extensionProtocol: boolean } }]>(out, 'handshake');
    const extOut = event<[{ v?: string; p?: number; yourip?: Uint8Array }]>(out, 'extension-handshake');
    const extIn = event(inc, 'extension-handshake');
    const hsIn = event(inc, 'handshake');
    out.start();
    inc.start();
    const [info] = await hsOut;
    await hsIn;
    expect(info.client).toBe('ringswarm 0.1.0');
    expect(info.capabilities.extensionProtocol).toBe(true);
    const [ext] = await extOut;
    await extIn;
    expect(ext.v).toBe('ringswarm 0.1.0');
    expect(ext.p).toBe(6881);
    expect([...(ext.yourip ?? [])]).toEqual([127, 0, 0, 1]);
    expect(out.remoteExtensions.id('ut_pex')).toBe(1);
    expect(inc.remoteExtensions.id('ut_pex')).toBe(2);
    expect(inc.remoteExtensions.id('ut_metadata')).toBe(1);
    expect(out.extended('ut_metadata', new Uint8Array(1))).toBe(false); // inc does not support it

    const got: unknown[] = [];
    for (const name of ['choke', 'unchoke', 'interested', 'not-interested', 'keep-alive']) inc.on(name as 'choke', () => got.push(name));
    inc.on('have', (i) => got.push(['have', i]));
    inc.on('bitfield', (b) => got.push(['bitfield', [...b]]));
    inc.on('request', (r) => got.push(['request', r]));
    inc.on('cancel', (r) => got.push(['cancel', r]));
    inc.on('port', (p) => got.push(['port', p]));
    inc.on('extended', (n, p) => got.push(['extended', n, Buffer.from(p).toString()]));
    const block = new Uint8Array(16384).map((_, i) => i & 0xff);
    const pieceIn = event<[number, number, Uint8Array]>(inc, 'piece');

    out.bitfield(new Uint8Array([0xff, 0xc0]));
    out.interested();
    out.have(3);
    out.request({ index: 1, begin: 0, length: 16384 });
    out.cancel({ index: 1, begin: 0, length: 16384 });
    out.port(6881);
    expect(out.extended('ut_pex', Buffer.from('pex!'))).toBe(true);
    out.keepAlive();
    out.unchoke();
    out.choke();
    out.notInterested();
    out.piece(2, 16384, block);
    const [index, begin, recv] = await pieceIn;
    expect([index, begin]).toEqual([2, 16384]);
    expect(Buffer.compare(recv, block)).toBe(0);
    expect(got).toEqual([
      ['bitfield', [0xff, 0xc0]],
      'interested',
      ['have', 3],
      ['request', { index: 1, begin: 0, length: 16384 }],
      ['cancel', { index: 1, begin: 0, length: 16384 }],
      ['port', 6881],
      ['extended', 'ut_pex', 'pex!'],
      'keep-alive',
      'unchoke',
      'choke',
      'not-interested',
    ]);
    expect(out.amInterested).toBe(false);
    expect(out.amChoking).toBe(true);
    expect(inc.peerInterested).toBe(false);
    expect(inc.peerChoking).toBe(true);
    out.interested();
    inc.unchoke();
    await event(out, 'unchoke');
    expect(out.peerChoking).toBe(false);
    expect(inc.amChoking).toBe(false);
    expect(inc.peerInterested).toBe(true);
    expect(out.dataOut).toBe(16384);
    expect(inc.dataIn).toBe(16384);
    expect(inc.bytesIn).toBe(out.bytesOut);
    expect(out.bytesOut).toBeGreaterThan(16384 + 68);

    out.close();
    expect(await closed(inc)).toBeUndefined();
  });

  it('drops an incoming peer asking for a torrent we do not serve', async () => {
    const { out, inc } = await pair({ infoHash: OTHER_HASH });
    out.start();
    inc.start();
    const reason = await closed(inc);
    expect(reason).toBeInstanceOf(WireError);
    expect((reason as WireError).reason).toBe('info-hash');
    await closed(out);
    expect(out.peer).toBeUndefined();
  });

  it('drops a peer that answers for another infohash, or with an unexpected peer id', async () => {
    for (const [reply, expectedPeerId, reason] of [
      [OTHER_HASH, undefined, 'info-hash'],
      [INFO_HASH, new Uint8Array(20).fill(9), 'peer-id'],
    ] as const) {
      const { listener, next } = await server();
      const out = new Wire(await dial({ host: '127.0.0.1', port: listener.port }), { peerId: generatePeerId(random), infoHash: INFO_HASH, expectedPeerId }).start();
      const raw = await next();
      await raw.write(encodeHandshake({ reserved: reservedBytes({}), infoHash: reply, peerId: new Uint8Array(20).fill(1) }));
      const err = await closed(out);
      expect((err as WireError).reason).toBe(reason);
    }
  });

  it('drops a peer sending an oversized length prefix', async () => {
    const { listener, next } = await server();
    const raw = await dial({ host: '127.0.0.1', port: listener.port });
    cleanups.push(() => raw.close());
    const inc = new Wire(await next(), { peerId: generatePeerId(random), acceptInfoHash: () => ({}) }).start();
    await raw.write(encodeHandshake({ reserved: reservedBytes({}), infoHash: INFO_HASH, peerId: new Uint8Array(20).fill(1) }));
    await raw.write(new Uint8Array([0x10, 0, 0, 0]));
    expect(await closed(inc)).toBeInstanceOf(FrameTooLargeError);
  });

  it('times out a peer that stalls mid-message, and one that never handshakes', async () => {
    const { listener, next } = await server();
    const raw = await dial({ host: '127.0.0.1', port: listener.port });
    cleanups.push(() => raw.close());
    const inc = new Wire(await next(), { peerId: generatePeerId(random), acceptInfoHash: () => ({}), idleTimeoutMs: 300 }).start();
    const hs = event(inc, 'handshake');
    await raw.write(encodeHandshake({ reserved: reservedBytes({}), infoHash: INFO_HASH, peerId: new Uint8Array(20).fill(1) }));
    await hs;
    const t0 = performance.now();
    await raw.write(encodeMessage({ type: 'piece', index: 0, begin: 0, block: new Uint8Array(1000) }).subarray(0, 100));
    const err = await closed(inc);
    const elapsed = performance.now() - t0;
    expect(err).toBeInstanceOf(TimeoutError);
    expect(err?.message).toMatch(/mid-message/);
    expect(elapsed).toBeGreaterThan(250);
    expect(elapsed).toBeLessThan(3000);

    const raw2 = await dial({ host: '127.0.0.1', port: listener.port });
    cleanups.push(() => raw2.close());
    const silent = new Wire(await next(), { peerId: generatePeerId(random), acceptInfoHash: () => ({}), handshakeTimeoutMs: 200 }).start();
    expect(await closed(silent)).toBeInstanceOf(TimeoutError);
  });

  it('sends keep-alives when it has nothing else to say', async () => {
    const { out, inc } = await pair({ keepAliveMs: 100 }, {});
    out.start();
    inc.start();
    let n = 0;
    inc.on('keep-alive', () => n++);
    await new Promise((r) => setTimeout(r, 600));
    expect(n).toBeGreaterThanOrEqual(2);
    expect(inc.isOpen).toBe(true);
  });
});
