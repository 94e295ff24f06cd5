/**
 * BEP 11 ut_pex: the message codec (added / added.f / added6 / added6.f / dropped / dropped6)
 * and a pure per-peer sender that batches connect/disconnect changes into at most one message
 * per interval (BEP 11: one a minute) with at most 50 added and 50 dropped entries.
 *
 * Received PEX data is untrusted: decoding refuses non-dicts, compact strings of the wrong
 * length and oversized lists, drops port-0 entries and duplicates, and never throws anything
 * but a WireError.
 */
import { bdecode, bencode, type BDict, type BValue } from '../../src/codec/bencode.ts';
import { decodeCompactPeers, encodeCompactPeers, formatEndpoint, ipFamily, unmapIPv4, type Endpoint } from '../../src/naming/endpoint.ts';
import { WireError } from '../wire/wire-error.ts';

/** BEP 11 flag bits of added.f / added6.f. */
export const PEX_FLAG = { encryption: 0x01, seed: 0x02, utp: 0x04, holepunch: 0x08, reachable: 0x10 } as const;
/** BEP 11: the combined added (and dropped) entries of a message should not exceed 50. */
export const PEX_MAX_PER_MESSAGE = 50;
/** What we accept from others before calling a message oversized (generous: the initial message may be larger). */
export const PEX_MAX_RECEIVED = 200;
export const PEX_INTERVAL_MS = 60_000;

export interface PexPeer {
  endpoint: Endpoint;
  flags: number;
}

export interface PexMessage {
  added: PexPeer[];
  dropped: Endpoint[];
}

export function endpointKey(e: Endpoint): string {
  return formatEndpoint({ host: unmapIPv4(e.host), port: e.port });
}

export function encodePexMessage(m: PexMessage): Uint8Array {
  const d = new Map<string, Uint8Array>();
  for (const family of [4, 6] as const) {
    const added = m.added.filter((p) => ipFamily(unmapIPv4(p.endpoint.host)) === family);
    const dropped = m.dropped.filter((e) => ipFamily(unmapIPv4(e.host)) === family);
    const suffix = family === 4 ? '' : '6';
    if (added.length > 0) {
      d.set(`added${suffix}`, encodeCompactPeers(added.map((p) => p.endpoint), family));
      d.set(`added${suffix}.f`, Uint8Array.from(added.map((p) => p.flags & 0xff)));
    }
    if (dropped.length > 0) d.set(`dropped${suffix}`, encodeCompactPeers(dropped, family));
  }
  return bencode(d, { canonical: true });
}

function compact(d: BDict, key: string, family: 4 | 6): Endpoint[] {
  const v = d.get(key);
  if (v === undefined) return [];
  if (!(v instanceof Uint8Array)) throw new WireError('extension', `ut_pex ${key} is not a byte string`);
  const size = family === 4 ? 6 : 18;
  if (v.length % size !== 0) throw new WireError('extension', `ut_pex ${key} length ${v.length} is not a multiple of ${size}`);
  if (v.length / size > PEX_MAX_RECEIVED) throw new WireError('extension', `ut_pex ${key} has ${v.length / size} entries (max ${PEX_MAX_RECEIVED})`);
  return decodeCompactPeers(v, family);
}

/** Parse a ut_pex payload. Throws WireError('extension') for garbage or oversized lists. */
export function decodePexMessage(payload: Uint8Array): PexMessage {
  let v: BValue;
  try {
    v = bdecode(payload, { maxDepth: 4 });
  } catch (e) {
    throw new WireError('extension', 'ut_pex message is not valid bencode', { cause: e });
  }
  if (!(v instanceof Map)) throw new WireError('extension', 'ut_pex message is not a dictionary');
  const added: PexPeer[] = [];
  const seen = new Set<string>();
  for (const [key, family] of [['added', 4], ['added6', 6]] as const) {
    const peers = compact(v, key, family);
    const f = v.get(`${key}.f`);
    // Flags are advisory: a missing or wrongly sized flag string does not cost the peers.
    const flags = f instanceof Uint8Array && f.length === peers.length ? f : undefined;
    peers.forEach((endpoint, i) => {
      const k = endpointKey(endpoint);
      if (endpoint.port === 0 || seen.has(k)) return;
      seen.add(k);
      added.push({ endpoint, flags: flags?.[i] ?? 0 });
    });
  }
  const dropped: Endpoint[] = [];
  for (const [key, family] of [['dropped', 4], ['dropped6', 6]] as const) {
    for (const e of compact(v, key, family)) {
      const k = endpointKey(e);
      if (seen.has(k)) continue; // BEP 11: an added contact must not be dropped in the same message
      seen.add(k);
      dropped.push(e);
    }
  }
  return { added, dropped };
}

/**
 * What we have told one peer, and what to tell it next. Pure: the caller passes the current set
 * of connected peers (their listen endpoints) and `now`.
 */
export class PexSender {
  private readonly told = new Map<string, Endpoint>();
  private lastSentAt: number | undefined;

  constructor(
    /** The peer this sender talks to: never told about itself. */
    private readonly self: Endpoint | undefined,
    private readonly intervalMs = PEX_INTERVAL_MS,
  ) {}

  /** The next message, or undefined when it is too soon or nothing changed. */
  next(connected: readonly PexPeer[], now: number): PexMessage | undefined {
    if (this.lastSentAt !== undefined && now - this.lastSentAt < this.intervalMs) return undefined;
    const selfKey = this.self === undefined ? undefined : endpointKey(this.self);
    const current = new Map<string, PexPeer>();
    for (const p of connected) {
      const k = endpointKey(p.endpoint);
      if (k !== selfKey && p.endpoint.port !== 0 && ipFamily(unmapIPv4(p.endpoint.host)) !== 0) current.set(k, p);
    }
    const added: PexPeer[] = [];
    for (const [k, p] of current) {
      if (added.length >= PEX_MAX_PER_MESSAGE) break;
      if (!this.told.has(k)) added.push(p);
    }
    const dropped: Endpoint[] = [];
    for (const [k, e] of this.told) {
      if (dropped.length >= PEX_MAX_PER_MESSAGE) break;
      if (!current.has(k)) dropped.push(e);
    }
    if (added.length === 0 && dropped.length === 0) return undefined;
    for (const p of added) this.told.set(endpointKey(p.endpoint), p.endpoint);
    for (const e of dropped) this.told.delete(endpointKey(e));
    this.lastSentAt = now;
    return { added, dropped };
  }
}
