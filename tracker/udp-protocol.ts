/**
 * BEP 15 UDP tracker codec, pure and total: decoders return undefined for anything that is
 * not a well-formed packet (truncated, wrong magic, unknown action) and never throw, so a
 * socket handler can feed them arbitrary datagrams. Both directions are here because the
 * tracker server and the tracker client share them.
 */
import type { AnnounceEvent } from './swarm.ts';

export const PROTOCOL_ID = 0x41727101980n;
export const ACTION = { connect: 0, announce: 1, scrape: 2, error: 3 } as const;
/** Scrape requests of more than 74 hashes would not fit a response in one 1500-byte frame. */
export const MAX_SCRAPE_HASHES = 74;
const ANNOUNCE_REQUEST_SIZE = 98;

const EVENT_CODES: readonly AnnounceEvent[] = ['none', 'completed', 'started', 'stopped'];

export interface UdpConnectRequest {
  action: 'connect';
  transactionId: number;
}
export interface UdpAnnounceRequest {
  action: 'announce';
  connectionId: bigint;
  transactionId: number;
  infoHash: Uint8Array;
  peerId: Uint8Array;
  downloaded: bigint;
  left: bigint;
  uploaded: bigint;
  event: AnnounceEvent;
  /** 0 = use the sender's address. */
  ip: number;
  key: number;
  /** -1 = tracker default. */
  numwant: number;
  port: number;
}
export interface UdpScrapeRequest {
  action: 'scrape';
  connectionId: bigint;
  transactionId: number;
  infoHashes: Uint8Array[];
}
export type UdpRequest = UdpConnectRequest | UdpAnnounceRequest | UdpScrapeRequest;

export interface UdpScrapeCounts {
  seeders: number;
  completed: number;
  leechers: number;
}
export type UdpResponse =
  | { action: 'connect'; transactionId: number; connectionId: bigint }
  | { action: 'announce'; transactionId: number; interval: number; leechers: number; seeders: number; peers: Uint8Array }
  | { action: 'scrape'; transactionId: number; counts: UdpScrapeCounts[] }
  | { action: 'error'; transactionId: number; message: string };

function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

// ---- requests ----------------------------------------------------------------------------

export function decodeRequest(buf: Uint8Array): UdpRequest | undefined {
  if (buf.length < 16) return undefined;
  const v = view(buf);
  const connectionId = v.getBigUint64(0);
  const action = v.getUint32(8);
  const transactionId = v.getUint32(12);
  if (action === ACTION.connect) {
    return connectionId === PROTOCOL_ID ? { action: 'connect', transactionId } : undefined;
  }
  if (action === ACTION.announce) {
    if (buf.length < ANNOUNCE_REQUEST_SIZE) return undefined; // BEP 41 options may follow
    const ev = v.getUint32(80);
    const event = EVENT_CODES[ev];
    if (event === undefined) return undefined;
    return {
      action: 'announce',
      connectionId,
      transactionId,
      infoHash: buf.slice(16, 36),
      peerId: buf.slice(36, 56),
      downloaded: v.getBigUint64(56),
      left: v.getBigUint64(64),
      uploaded: v.getBigUint64(72),
      event,
      ip: v.getUint32(84),
      key: v.getUint32(88),
      numwant: v.getInt32(92),
      port: v.getUint16(96),
    };
  }
  if (action === ACTION.scrape) {
    const n = (buf.length - 16) / 20;
    if (!Number.isInteger(n) || n < 1 || n > MAX_SCRAPE_HASHES) return undefined;
    const infoHashes: Uint8Array[] = [];
    for (let i = 0; i < n; i++) infoHashes.push(buf.slice(16 + 20 * i, 36 + 20 * i));
    return { action: 'scrape', connectionId, transactionId, infoHashes };
  }
  return undefined;
}

/**
 * The transaction id of a packet too broken to decode, so the server can still send a
 * BEP 15 error to a client that made a mistake (rather than leaving it to time out).
 */
export function peekTransactionId(buf: Uint8Array): number | undefined {
  return buf.length >= 16 ? view(buf).getUint32(12) : undefined;
}

export function encodeConnectRequest(transactionId: number): Uint8Array {
  const out = new Uint8Array(16);
  const v = view(out);
  v.setBigUint64(0, PROTOCOL_ID);
  v.setUint32(8, ACTION.connect);
  v.setUint32(12, transactionId >>> 0);
  return out;
}

export function encodeAnnounceRequest(r: Omit<UdpAnnounceRequest, 'action'>): Uint8Array {
  const out = new Uint8Array(ANNOUNCE_REQUEST_SIZE);
  const v = view(out);
  v.setBigUint64(0, BigInt.asUintN(64, r.connectionId));
  v.setUint32(8, ACTION.announce);
  v.setUint32(12, r.transactionId >>> 0);
  out.set(r.infoHash.subarray(0, 20), 16);
  out.set(r.peerId.subarray(0, 20), 36);
  v.setBigUint64(56, BigInt.asUintN(64, r.downloaded));
  v.setBigUint64(64, BigInt.asUintN(64, r.left));
  v.setBigUint64(72, BigInt.asUintN(64, r.uploaded));
  v.setUint32(80, Math.max(0, EVENT_CODES.indexOf(r.event)));
  v.setUint32(84, r.ip >>> 0);
  v.setUint32(88, r.key >>> 0);
  v.setInt32(92, r.numwant | 0);
  v.setUint16(96, r.port & 0xffff);
  return out;
}

export function encodeScrapeRequest(connectionId: bigint, transactionId: number, infoHashes: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(16 + 20 * infoHashes.length);
  const v = view(out);
  v.setBigUint64(0, BigInt.asUintN(64, connectionId));
  v.setUint32(8, ACTION.scrape);
  v.setUint32(12, transactionId >>> 0);
  infoHashes.forEach((ih, i) => out.set(ih.subarray(0, 20), 16 + 20 * i));
  return out;
}

// ---- responses ---------------------------------------------------------------------------

export function encodeConnectResponse(transactionId: number, connectionId: bigint): Uint8Array {
  const out = new Uint8Array(16);
  const v = view(out);
  v.setUint32(0, ACTION.connect);
  v.setUint32(4, transactionId >>> 0);
  v.setBigUint64(8, BigInt.asUintN(64, connectionId));
  return out;
}

/** `peers` is already compact (6-byte entries for IPv4 requesters, 18-byte for IPv6). */
export function encodeAnnounceResponse(transactionId: number, interval: number, leechers: number, seeders: number, peers: Uint8Array): Uint8Array {
  const out = new Uint8Array(20 + peers.length);
  const v = view(out);
  v.setUint32(0, ACTION.announce);
  v.setUint32(4, transactionId >>> 0);
  v.setUint32(8, interval >>> 0);
  v.setUint32(12, leechers >>> 0);
  v.setUint32(16, seeders >>> 0);
  out.set(peers, 20);
  return out;
}

export function encodeScrapeResponse(transactionId: number, counts: readonly UdpScrapeCounts[]): Uint8Array {
  const out = new Uint8Array(8 + 12 * counts.length);
  const v = view(out);
  v.setUint32(0, ACTION.scrape);
  v.setUint32(4, transactionId >>> 0);
  counts.forEach((c, i) => {
    v.setUint32(8 + 12 * i, c.seeders >>> 0);
    v.setUint32(12 + 12 * i, c.completed >>> 0);
    v.setUint32(16 + 12 * i, c.leechers >>> 0);
  });
  return out;
}

export function encodeErrorResponse(transactionId: number, message: string): Uint8Array {
  const msg = new TextEncoder().encode(message);
  const out = new Uint8Array(8 + msg.length);
  const v = view(out);
  v.setUint32(0, ACTION.error);
  v.setUint32(4, transactionId >>> 0);
  out.set(msg, 8);
  return out;
}

/** Client side. IPv4 vs IPv6 peer stride is the caller's knowledge (the socket family). */
export function decodeResponse(buf: Uint8Array): UdpResponse | undefined {
  if (buf.length < 8) return undefined;
  const v = view(buf);
  const action = v.getUint32(0);
  const transactionId = v.getUint32(4);
  switch (action) {
    case ACTION.connect:
      return buf.length >= 16 ? { action: 'connect', transactionId, connectionId: v.getBigUint64(8) } : undefined;
    case ACTION.announce:
      if (buf.length < 20) return undefined;
      return {
        action: 'announce',
        transactionId,
        interval: v.getUint32(8),
        leechers: v.getUint32(12),
        seeders: v.getUint32(16),
        peers: buf.slice(20),
      };
    case ACTION.scrape: {
      if ((buf.length - 8) % 12 !== 0) return undefined;
      const counts: UdpScrapeCounts[] = [];
      for (let off = 8; off < buf.length; off += 12) {
        counts.push({ seeders: v.getUint32(off), completed: v.getUint32(off + 4), leechers: v.getUint32(off + 8) });
      }
      return { action: 'scrape', transactionId, counts };
    }
    case ACTION.error:
      return { action: 'error', transactionId, message: new TextDecoder().decode(buf.subarray(8)) };
    default:
      return undefined;
  }
}
