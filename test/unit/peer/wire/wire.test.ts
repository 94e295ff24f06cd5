import { describe, it, expect } from 'vitest';
import { Wire, type WireOptions } from '../../../../peer/wire/wire.ts';
import { memoryPair, type DuplexConnection } from '../../../../peer/wire/duplex-connection.ts';
import { encodeHandshake, reservedBytes } from '../../../../peer/wire/handshake.ts';
import { encodeMessage } from '../../../../peer/wire/messages.ts';
import { generatePeerId } from '../../../../peer/wire/peer-id.ts';
import { WireError } from '../../../../peer/wire/wire-error.ts';
import { seededRandom } from '../../../../src/random.ts';

const INFO_HASH = new Uint8Array(20).fill(5);
const random = seededRandom(7);

const closed = (w: Wire): Promise<Error | undefined> => new Promise((r) => (w.closed ? r(w.closeReason) : w.once('close', r)));

/** An incoming Wire facing a hand-driven raw peer. */
async function rawPeer(o: Partial<WireOptions> = {}): Promise<{ wire: Wire; raw: DuplexConnection }> {
  const [raw, conn] = memoryPair();
  const wire = new Wire(conn, { peerId: generatePeerId(random), acceptInfoHash: () => ({ pieceCount: 16 }), ...o }).start();
  const hs = new Promise((r) => wire.once('handshake', r));
  await raw.write(encodeHandshake({ reserved: reservedBytes({}), infoHash: INFO_HASH, peerId: new Uint8Array(20).fill(1) }));
  await hs;
  return { wire, raw };
}

describe('Wire over an in-memory pair', () => {
  it('handshakes and talks without sockets', async () => {
    const [a, b] = memoryPair();
    const out = new Wire(a, { peerId: generatePeerId(random), infoHash: INFO_HASH });
    const inc = new Wire(b, { peerId: generatePeerId(random), acceptInfoHash: () => ({}) });
    const have = new Promise<number>((r) => inc.once('have', r));
    out.once('handshake', () => out.have(7));
    out.start();
    inc.start();
    expect(await have).toBe(7);
    out.close();
    expect(await closed(inc)).toBeUndefined();
  });

  it('refuses sending before the handshake', () => {
    const [a] = memoryPair();
    const w = new Wire(a, { peerId: generatePeerId(random), infoHash: INFO_HASH }).start();
    expect(() => w.have(1)).toThrow(/handshake/);
    w.close();
    expect(() => w.have(1)).not.toThrow(); // closed: silently dropped
  });

  it('takes a late bitfield (aria2 sends one after HAVEs) as a batch of HAVEs, not a reset', async () => {
    const { wire, raw } = await rawPeer();
    const haves: number[] = [];
    wire.on('have', (i) => haves.push(i));
    let bitfields = 0;
    wire.on('bitfield', () => bitfields++);
    const choked = new Promise<void>((r) => wire.once('choke', () => r()));
    await raw.write(encodeMessage({ type: 'have', index: 1 }));
    // pieces 0 and 9 set (0b1000_0000, 0b0100_0000)
    await raw.write(encodeMessage({ type: 'bitfield', bits: Uint8Array.of(0x80, 0x40) }));
    await raw.write(encodeMessage({ type: 'choke' }));
    await choked;
    expect(haves).toEqual([1, 0, 9]);
    expect(bitfields).toBe(0);
    expect(wire.isOpen).toBe(true);
    wire.close();
  });

  it('drops a peer flooding HAVE for invalid indexes, at the first one', async () => {
    const { wire, raw } = await rawPeer();
    let haves = 0;
    wire.on('have', () => haves++);
    const flood = Buffer.concat(Array.from({ length: 100 }, (_, i) => encodeMessage({ type: 'have', index: 16 + i })));
    await raw.write(Buffer.concat([encodeMessage({ type: 'have', index: 15 }), flood]));
    expect((await closed(wire)) as WireError).toMatchObject({ reason: 'bad-index' });
    expect(haves).toBe(1);
  });

  it('turns a throwing listener into a dropped peer, not a crash', async () => {
    const { wire, raw } = await rawPeer();
    wire.on('choke', () => {
      throw new Error('listener bug');
    });
    await raw.write(encodeMessage({ type: 'choke' }));
    expect((await closed(wire))?.message).toBe('listener bug');
  });

  it('drops a peer whose extension handshake is not a dict', async () => {
    const { wire, raw } = await rawPeer();
    await raw.write(encodeMessage({ type: 'extended', ext: 0, payload: Buffer.from('li1ee') }));
    expect((await closed(wire)) as WireError).toMatchObject({ reason: 'extension' });
  });

  it('drops a connection to ourselves', async () => {
    const [a, b] = memoryPair();
    const id = generatePeerId(random);
    new Wire(a, { peerId: id, infoHash: INFO_HASH }).start();
    const inc = new Wire(b, { peerId: id, acceptInfoHash: () => ({}) }).start();
    expect((await closed(inc)) as WireError).toMatchObject({ reason: 'peer-id' });
  });
});
