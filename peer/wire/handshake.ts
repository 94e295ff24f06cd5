/**
 * The BEP 3 handshake: <pstrlen=19><"BitTorrent protocol"><8 reserved><20 infohash><20 peer id>.
 *
 * Parsed incrementally because it may arrive in pieces, and in two stages: a listener serving many
 * torrents must see the infohash (byte 48) to pick the torrent before it answers, while the peer
 * id follows. The protocol string is checked byte by byte so a stray HTTP client fails at once.
 */
import { WireError } from './wire-error.ts';

export const PROTOCOL = 'BitTorrent protocol';
export const HANDSHAKE_LENGTH = 68;
/** Bytes up to and including the infohash. */
export const HANDSHAKE_HEADER_LENGTH = 48;

const PREFIX = new Uint8Array([19, ...Array.from(PROTOCOL, (c) => c.charCodeAt(0))]);

export interface Capabilities {
  /** BEP 10 extension protocol: reserved[5] & 0x10. */
  extensionProtocol: boolean;
  /** BEP 5 DHT: reserved[7] & 0x01. */
  dht: boolean;
  /** BEP 6 fast extension: reserved[7] & 0x04. Read only; we never advertise it (no BEP 6 yet). */
  fast: boolean;
}

export interface Handshake {
  reserved: Uint8Array;
  infoHash: Uint8Array;
  peerId: Uint8Array;
}

export function reservedBytes(caps: { extensionProtocol?: boolean; dht?: boolean }): Uint8Array {
  const r = new Uint8Array(8);
  if (caps.extensionProtocol) r[5]! |= 0x10;
  if (caps.dht) r[7]! |= 0x01;
  return r;
}

export function capabilities(reserved: Uint8Array): Capabilities {
  return {
    extensionProtocol: ((reserved[5] ?? 0) & 0x10) !== 0,
    dht: ((reserved[7] ?? 0) & 0x01) !== 0,
    fast: ((reserved[7] ?? 0) & 0x04) !== 0,
  };
}

function check20(b: Uint8Array, what: string): void {
  if (b.length !== 20) throw new RangeError(`${what} must be 20 bytes, got ${b.length}`);
}

/** The first 48 bytes (through the infohash): sent alone when the peer id is not yet decided. */
export function encodeHandshakeHeader(reserved: Uint8Array, infoHash: Uint8Array): Uint8Array {
  if (reserved.length !== 8) throw new RangeError('reserved must be 8 bytes');
  check20(infoHash, 'infohash');
  const out = new Uint8Array(HANDSHAKE_HEADER_LENGTH);
  out.set(PREFIX, 0);
  out.set(reserved, 20);
  out.set(infoHash, 28);
  return out;
}

export function encodeHandshake(h: Handshake): Uint8Array {
  check20(h.peerId, 'peer id');
  const out = new Uint8Array(HANDSHAKE_LENGTH);
  out.set(encodeHandshakeHeader(h.reserved, h.infoHash), 0);
  out.set(h.peerId, HANDSHAKE_HEADER_LENGTH);
  return out;
}

/** Decode a complete 68-byte handshake. */
export function decodeHandshake(buf: Uint8Array): Handshake {
  const r = new HandshakeReader();
  r.push(buf);
  const done = r.result();
  if (done === undefined || done.rest.length !== 0) {
    throw new WireError('handshake', `handshake must be ${HANDSHAKE_LENGTH} bytes, got ${buf.length}`);
  }
  return done.handshake;
}

/**
 * Accumulates at most 68 bytes; anything after them is handed back as `rest` (the first
 * messages often share a TCP segment with the handshake).
 */
export class HandshakeReader {
  private readonly buf = new Uint8Array(HANDSHAKE_LENGTH);
  private len = 0;
  private rest: Uint8Array = new Uint8Array(0);

  /** Feed bytes. Throws WireError('handshake') as soon as the protocol prefix is wrong. */
  push(chunk: Uint8Array): void {
    if (this.len === HANDSHAKE_LENGTH) {
      this.rest = concat(this.rest, chunk);
      return;
    }
    const take = Math.min(chunk.length, HANDSHAKE_LENGTH - this.len);
    const start = this.len;
    this.buf.set(chunk.subarray(0, take), this.len);
    this.len += take;
    for (let i = start; i < Math.min(this.len, PREFIX.length); i++) {
      if (this.buf[i] !== PREFIX[i]) {
        throw new WireError('handshake', i === 0 ? `protocol string length ${this.buf[0]}, expected 19` : 'not the BitTorrent protocol');
      }
    }
    if (take < chunk.length) this.rest = chunk.slice(take);
  }

  get length(): number {
    return this.len;
  }

  /** Reserved bytes and infohash, once the first 48 bytes are in. */
  header(): { reserved: Uint8Array; infoHash: Uint8Array } | undefined {
    if (this.len < HANDSHAKE_HEADER_LENGTH) return undefined;
    return { reserved: this.buf.slice(20, 28), infoHash: this.buf.slice(28, 48) };
  }

  /** The whole handshake and the bytes that followed it, once all 68 bytes are in. */
  result(): { handshake: Handshake; rest: Uint8Array } | undefined {
    const h = this.header();
    if (h === undefined || this.len < HANDSHAKE_LENGTH) return undefined;
    return { handshake: { ...h, peerId: this.buf.slice(48, 68) }, rest: this.rest };
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b.slice();
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
