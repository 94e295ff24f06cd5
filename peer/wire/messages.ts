/**
 * BEP 3 peer messages (plus BEP 5 `port` and BEP 10 `extended`): types, encoding and the parsing
 * of one complete message body. The incremental stream decoder is in decoder.ts.
 *
 * `extended` keeps its payload raw: ut_metadata puts bytes after its bencoded dict and other
 * extensions are not bencoded at all, so the extension layer decides how to read it.
 */
import { WireError } from './wire-error.ts';

export const BLOCK_SIZE = 16 * 1024;

export const MessageId = {
  choke: 0,
  unchoke: 1,
  interested: 2,
  notInterested: 3,
  have: 4,
  bitfield: 5,
  request: 6,
  piece: 7,
  cancel: 8,
  port: 9,
  extended: 20,
} as const;

export interface BlockRef {
  index: number;
  begin: number;
  length: number;
}

export type Message =
  | { type: 'keep-alive' }
  | { type: 'choke' }
  | { type: 'unchoke' }
  | { type: 'interested' }
  | { type: 'not-interested' }
  | { type: 'have'; index: number }
  | { type: 'bitfield'; bits: Uint8Array }
  | ({ type: 'request' } & BlockRef)
  | { type: 'piece'; index: number; begin: number; block: Uint8Array }
  | ({ type: 'cancel' } & BlockRef)
  | { type: 'port'; port: number }
  | { type: 'extended'; ext: number; payload: Uint8Array }
  /** An id we do not know; its payload was skipped (forward compatibility). */
  | { type: 'unknown'; id: number; length: number };

export type MessageType = Message['type'];

export interface ParseLimits {
  /** Largest request/cancel length and piece block accepted (default 16 KiB). */
  maxBlock: number;
  /** Number of pieces, when known: bitfield size and have/request indexes are then checked. */
  pieceCount: number | undefined;
}

function u32(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
}

function putU32(b: Uint8Array, at: number, v: number): void {
  b[at] = v >>> 24;
  b[at + 1] = (v >>> 16) & 0xff;
  b[at + 2] = (v >>> 8) & 0xff;
  b[at + 3] = v & 0xff;
}

function checkU32(v: number, what: string): void {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new RangeError(`${what} ${v} is not a uint32`);
}

/** Smallest and largest body length (id byte included) per id, given the limits. */
export function bodyBounds(id: number, limits: ParseLimits, maxExtended: number): [min: number, max: number] | undefined {
  switch (id) {
    case MessageId.choke:
    case MessageId.unchoke:
    case MessageId.interested:
    case MessageId.notInterested:
      return [1, 1];
    case MessageId.have:
      return [5, 5];
    case MessageId.bitfield: {
      if (limits.pieceCount !== undefined) {
        // Too long is refused before buffering; too short reaches parseBody's 'bitfield' error.
        return [1, 1 + Math.ceil(limits.pieceCount / 8)];
      }
      return [1, maxExtended];
    }
    case MessageId.request:
    case MessageId.cancel:
      return [13, 13];
    case MessageId.piece:
      return [9, 9 + limits.maxBlock];
    case MessageId.port:
      return [3, 3];
    case MessageId.extended:
      return [2, maxExtended];
    default:
      return undefined;
  }
}

function checkIndex(index: number, limits: ParseLimits): void {
  if (limits.pieceCount !== undefined && index >= limits.pieceCount) {
    throw new WireError('bad-index', `piece index ${index} out of range (${limits.pieceCount} pieces)`);
  }
}

/**
 * Parse one message body (id byte + payload) whose length is already within bodyBounds. The
 * result may share memory with `body` (a piece's block is a view, never a copy).
 */
export function parseBody(body: Uint8Array, limits: ParseLimits): Message {
  const id = body[0]!;
  switch (id) {
    case MessageId.choke:
      return { type: 'choke' };
    case MessageId.unchoke:
      return { type: 'unchoke' };
    case MessageId.interested:
      return { type: 'interested' };
    case MessageId.notInterested:
      return { type: 'not-interested' };
    case MessageId.have: {
      const index = u32(body, 1);
      checkIndex(index, limits);
      return { type: 'have', index };
    }
    case MessageId.bitfield: {
      const bits = body.subarray(1);
      if (limits.pieceCount !== undefined) checkSpareBits(bits, limits.pieceCount);
      return { type: 'bitfield', bits };
    }
    case MessageId.request:
    case MessageId.cancel: {
      const ref = { index: u32(body, 1), begin: u32(body, 5), length: u32(body, 9) };
      if (ref.length === 0 || ref.length > limits.maxBlock) {
        throw new WireError('bad-request', `${id === MessageId.request ? 'request' : 'cancel'} of ${ref.length} bytes (limit ${limits.maxBlock})`);
      }
      checkIndex(ref.index, limits);
      return { type: id === MessageId.request ? 'request' : 'cancel', ...ref };
    }
    case MessageId.piece: {
      const index = u32(body, 1);
      checkIndex(index, limits);
      return { type: 'piece', index, begin: u32(body, 5), block: body.subarray(9) };
    }
    case MessageId.port:
      return { type: 'port', port: (body[1]! << 8) | body[2]! };
    case MessageId.extended:
      return { type: 'extended', ext: body[1]!, payload: body.subarray(2) };
    default:
      return { type: 'unknown', id, length: body.length };
  }
}

/** Spare bits after the last piece must be zero (BEP 3); a set one means a corrupt or hostile peer. */
export function checkSpareBits(bits: Uint8Array, pieceCount: number): void {
  const expected = Math.ceil(pieceCount / 8);
  if (bits.length !== expected) {
    throw new WireError('bitfield', `bitfield of ${bits.length} bytes, expected ${expected} for ${pieceCount} pieces`);
  }
  const spare = expected * 8 - pieceCount;
  if (spare > 0 && (bits[expected - 1]! & ((1 << spare) - 1)) !== 0) {
    throw new WireError('bitfield', 'bitfield has spare bits set');
  }
}

function frame(id: number, payloadLength: number): Uint8Array {
  const b = new Uint8Array(5 + payloadLength);
  putU32(b, 0, 1 + payloadLength);
  b[4] = id;
  return b;
}

/** 4-byte length + 9-byte header of a piece message carrying `blockLength` bytes. */
export function encodePieceHeader(index: number, begin: number, blockLength: number): Uint8Array {
  checkU32(index, 'index');
  checkU32(begin, 'begin');
  const b = new Uint8Array(13);
  putU32(b, 0, 9 + blockLength);
  b[4] = MessageId.piece;
  putU32(b, 5, index);
  putU32(b, 9, begin);
  return b;
}

/**
 * The message as buffers to write in order. Large payloads (a piece's block, an extended
 * payload, a bitfield) are returned as their own buffer, never copied: write both with cork().
 */
export function encodeParts(m: Message): Uint8Array[] {
  switch (m.type) {
    case 'keep-alive':
      return [new Uint8Array(4)];
    case 'choke':
      return [frame(MessageId.choke, 0)];
    case 'unchoke':
      return [frame(MessageId.unchoke, 0)];
    case 'interested':
      return [frame(MessageId.interested, 0)];
    case 'not-interested':
      return [frame(MessageId.notInterested, 0)];
    case 'have': {
      checkU32(m.index, 'index');
      const b = frame(MessageId.have, 4);
      putU32(b, 5, m.index);
      return [b];
    }
    case 'bitfield': {
      const b = new Uint8Array(5);
      putU32(b, 0, 1 + m.bits.length);
      b[4] = MessageId.bitfield;
      return [b, m.bits];
    }
    case 'request':
    case 'cancel': {
      checkU32(m.index, 'index');
      checkU32(m.begin, 'begin');
      checkU32(m.length, 'length');
      const b = frame(m.type === 'request' ? MessageId.request : MessageId.cancel, 12);
      putU32(b, 5, m.index);
      putU32(b, 9, m.begin);
      putU32(b, 13, m.length);
      return [b];
    }
    case 'piece':
      return [encodePieceHeader(m.index, m.begin, m.block.length), m.block];
    case 'port': {
      if (!Number.isInteger(m.port) || m.port < 0 || m.port > 0xffff) throw new RangeError(`bad port ${m.port}`);
      const b = frame(MessageId.port, 2);
      b[5] = m.port >>> 8;
      b[6] = m.port & 0xff;
      return [b];
    }
    case 'extended': {
      if (!Number.isInteger(m.ext) || m.ext < 0 || m.ext > 255) throw new RangeError(`bad extended id ${m.ext}`);
      const b = new Uint8Array(6);
      putU32(b, 0, 2 + m.payload.length);
      b[4] = MessageId.extended;
      b[5] = m.ext;
      return [b, m.payload];
    }
    case 'unknown':
      throw new RangeError(`cannot encode unknown message id ${m.id}`);
  }
}

/** The message as one buffer (tests, small messages). Prefer encodeParts for blocks. */
export function encodeMessage(m: Message): Uint8Array {
  const parts = encodeParts(m);
  if (parts.length === 1) return parts[0]!;
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
