/**
 * HTTP tracker query parsing (BEP 3 / 23 / 48), pure. info_hash and peer_id are raw bytes,
 * percent-encoded, so the query is decoded to bytes here rather than with URLSearchParams
 * (which decodes to UTF-8 text and mangles them). Every problem is a TrackerError whose
 * message is sent back as the `failure reason`.
 */
import { TrackerError } from '../src/errors.ts';
import { ipFamily } from '../src/naming/endpoint.ts';
import type { AnnounceEvent } from './swarm.ts';

export interface HttpAnnounceParams {
  infoHash: Uint8Array;
  peerId: Uint8Array;
  port: number;
  uploaded: bigint;
  downloaded: bigint;
  left: bigint;
  event: AnnounceEvent;
  /** undefined when absent or negative: the tracker's default applies. Clamped to maxNumwant. */
  numwant: number | undefined;
  /** false only for an explicit compact=0 (BEP 23: we answer compact by default). */
  compact: boolean;
  noPeerId: boolean;
  key: string | undefined;
  /** A claimed address; the server decides whether to believe it. */
  ip: string | undefined;
}

/** Longest decimal accepted for byte counters: 2^64 has 20 digits. */
const MAX_COUNTER_DIGITS = 20;
const HEX = '0123456789abcdef';

export function toHex(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += HEX[x >> 4]! + HEX[x & 15]!;
  return s;
}

export function fromHex(s: string): Uint8Array {
  if (s.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(s)) throw new TrackerError(`not hex: ${s.slice(0, 64)}`);
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function hexVal(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

/** Percent-decode one component to raw bytes ('+' is a space, as in form encoding). */
export function percentDecode(s: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x25) {
      const hi = hexVal(s.charCodeAt(i + 1));
      const lo = hexVal(s.charCodeAt(i + 2));
      if (hi < 0 || lo < 0) throw new TrackerError('malformed percent-escape in query');
      out.push((hi << 4) | lo);
      i += 2;
    } else if (c === 0x2b) {
      out.push(0x20);
    } else if (c < 0x80) {
      out.push(c);
    } else {
      // A raw non-ASCII char in a URL is sloppy but unambiguous: take its UTF-8 bytes.
      const bytes = new TextEncoder().encode(s[i]!);
      for (const b of bytes) out.push(b);
    }
  }
  return Uint8Array.from(out);
}

/** Split a query string (without '?') into decoded byte values keyed by decoded name. */
export function parseQuery(query: string): Map<string, Uint8Array[]> {
  const out = new Map<string, Uint8Array[]>();
  if (query === '') return out;
  for (const part of query.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = new TextDecoder().decode(percentDecode(eq < 0 ? part : part.slice(0, eq)));
    const value = percentDecode(eq < 0 ? '' : part.slice(eq + 1));
    const list = out.get(name);
    if (list) list.push(value);
    else out.set(name, [value]);
  }
  return out;
}

function ascii(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += String.fromCharCode(x);
  return s;
}

function single(q: Map<string, Uint8Array[]>, name: string): Uint8Array | undefined {
  const v = q.get(name);
  if (!v) return undefined;
  if (v.length > 1) throw new TrackerError(`parameter ${name} given ${v.length} times`);
  return v[0];
}

function id20(q: Map<string, Uint8Array[]>, name: string): Uint8Array {
  const v = single(q, name);
  if (!v) throw new TrackerError(`missing ${name}`);
  if (v.length !== 20) throw new TrackerError(`${name} must be 20 bytes, got ${v.length}`);
  return v;
}

function counter(q: Map<string, Uint8Array[]>, name: string, required: boolean): bigint {
  const v = single(q, name);
  if (!v) {
    if (required) throw new TrackerError(`missing ${name}`);
    return 0n;
  }
  const s = ascii(v);
  if (!/^[0-9]+$/.test(s) || s.length > MAX_COUNTER_DIGITS) throw new TrackerError(`invalid ${name}`);
  return BigInt(s);
}

const EVENTS: Record<string, AnnounceEvent> = {
  '': 'none',
  empty: 'none',
  paused: 'none', // BEP 21: a partial seed pausing; keep it listed
  started: 'started',
  completed: 'completed',
  stopped: 'stopped',
};

export function parseAnnounceQuery(query: string, maxNumwant = 200): HttpAnnounceParams {
  const q = parseQuery(query);
  const infoHash = id20(q, 'info_hash');
  const peerId = id20(q, 'peer_id');

  const portRaw = single(q, 'port');
  if (!portRaw) throw new TrackerError('missing port');
  const portText = ascii(portRaw);
  const port = /^[0-9]{1,5}$/.test(portText) ? Number(portText) : NaN;
  if (!(port >= 1 && port <= 65535)) throw new TrackerError(`invalid port ${JSON.stringify(portText.slice(0, 16))}`);

  const eventRaw = single(q, 'event');
  const eventName = eventRaw ? ascii(eventRaw) : '';
  const event = Object.hasOwn(EVENTS, eventName) ? EVENTS[eventName] : undefined;
  if (!event) throw new TrackerError(`invalid event ${JSON.stringify(eventName.slice(0, 16))}`);

  let numwant: number | undefined;
  const nw = single(q, 'numwant');
  if (nw && nw.length > 0) {
    const s = ascii(nw);
    if (!/^-?[0-9]+$/.test(s)) throw new TrackerError('invalid numwant');
    // Absurd values are clamped, not refused: clients ask for "as many as you have".
    const n = s.length > 12 ? (s.startsWith('-') ? -1 : maxNumwant) : Number(s);
    numwant = n < 0 ? undefined : Math.min(n, maxNumwant);
  }

  const compactRaw = single(q, 'compact');
  const npRaw = single(q, 'no_peer_id');
  const keyRaw = single(q, 'key');
  if (keyRaw && keyRaw.length > 64) throw new TrackerError('key too long');
  let ip: string | undefined;
  const ipRaw = single(q, 'ip');
  if (ipRaw && ipRaw.length > 0) {
    const s = ascii(ipRaw);
    // Hostnames are not resolved by a tracker; an unusable ip is ignored rather than fatal.
    if (ipFamily(s) !== 0) ip = s;
  }

  return {
    infoHash,
    peerId,
    port,
    uploaded: counter(q, 'uploaded', false),
    downloaded: counter(q, 'downloaded', false),
    left: counter(q, 'left', true),
    event,
    numwant,
    compact: !(compactRaw && ascii(compactRaw) === '0'),
    noPeerId: npRaw !== undefined && ascii(npRaw) === '1',
    key: keyRaw ? ascii(keyRaw) : undefined,
    ip,
  };
}

/** BEP 48: zero or more info_hash parameters. Empty list = "all swarms" (the server caps it). */
export function parseScrapeQuery(query: string, maxHashes = 100): Uint8Array[] {
  const q = parseQuery(query);
  const list = q.get('info_hash') ?? [];
  if (list.length > maxHashes) throw new TrackerError(`too many info_hash parameters (max ${maxHashes})`);
  for (const ih of list) {
    if (ih.length !== 20) throw new TrackerError(`info_hash must be 20 bytes, got ${ih.length}`);
  }
  return list;
}
