/**
 * The DHT's RPC messages, in memory (bigint ids, NodeRefs) and on the wire (msgpack: ids as
 * 20-byte bins, nodes as [id, host, port] arrays). Decoding is strict: anything malformed,
 * oversized or of an unknown type yields undefined, which the codec turns into a counted,
 * ignored datagram. Requests carry only the sender's id, never its address: the receiver
 * takes the address from the UDP source, so a node cannot claim to be somewhere else.
 */
import type { Id160 } from '../../src/naming/id160.ts';
import { ID_BITS, idFromBytes, idToBytes } from '../../src/naming/id160.ts';
import type { NodeRef } from '../core/node-ref.ts';
import type { DigestEntry } from '../core/anti-entropy.ts';

/** Bounds on what we accept from the network. */
export const LIMITS = {
  maxNodes: 32,
  maxValueBytes: 1024,
  maxValues: 64,
  maxTtlMs: 7 * 24 * 3600 * 1000,
  maxHostLength: 64,
  /** Finger runs in one answer (distinct fingers are about log2 N, so 24 covers 2^24 nodes). */
  maxFingerRuns: 24,
  /** Digest entries in one anti-entropy sync (DIGEST_CHUNK fits well under a datagram). */
  maxDigest: 48,
};

/** Finger-table entries from..to (inclusive, 0-based) all point at node. */
export interface FingerRun {
  from: number;
  to: number;
  node: NodeRef;
}

/** `from`: the sender's id when it is a ring member (so the receiver may learn it), else null. */
export type DhtRequest =
  | { t: 'ping'; from: Id160 | null }
  | { t: 'find'; from: Id160 | null; key: Id160 }
  | { t: 'neighbors'; from: Id160 | null }
  | { t: 'fingers'; from: Id160 | null }
  | { t: 'notify'; from: Id160 }
  | { t: 'leave'; from: Id160; predecessor: NodeRef | null; successors: NodeRef[] }
  | { t: 'put'; from: Id160 | null; key: Id160; value: Uint8Array; ttlMs: number; replica: boolean }
  | { t: 'get'; from: Id160 | null; key: Id160 }
  | { t: 'announce'; from: Id160 | null; infohash: Id160; port: number; ttlMs: number }
  | { t: 'get_peers'; from: Id160 | null; infohash: Id160 }
  /** Anti-entropy: an owner's digest of records this replica should hold; answered with `missing`. */
  | { t: 'sync'; from: Id160; digest: DigestEntry[] };

export type DhtResponse =
  | { t: 'pong'; id: Id160 }
  | { t: 'route'; found: NodeRef; backups: NodeRef[] }
  | { t: 'route'; forward: NodeRef[] }
  | { t: 'neighbors'; predecessor: NodeRef | null; successors: NodeRef[] }
  | { t: 'fingers'; fingers: FingerRun[] }
  | { t: 'ok' }
  | { t: 'values'; values: Uint8Array[] }
  | { t: 'peers'; peers: { host: string; port: number }[] }
  | { t: 'missing'; keys: Id160[] }
  | { t: 'error'; code: string };

type Wire = Record<string, unknown>;
type WireNode = [Uint8Array, string, number];

const nodeToWire = (n: NodeRef): WireNode => [idToBytes(n.id), n.host, n.port];
const nodesToWire = (ns: readonly NodeRef[]): WireNode[] => ns.map(nodeToWire);
const optId = (id: Id160 | null): Uint8Array | null => (id === null ? null : idToBytes(id));

export function requestToWire(r: DhtRequest): Wire {
  switch (r.t) {
    case 'ping':
    case 'neighbors':
    case 'fingers':
      return { t: r.t, f: optId(r.from) };
    case 'notify':
      return { t: r.t, f: idToBytes(r.from) };
    case 'find':
    case 'get':
      return { t: r.t, f: optId(r.from), k: idToBytes(r.key) };
    case 'leave':
      return { t: r.t, f: idToBytes(r.from), p: r.predecessor && nodeToWire(r.predecessor), s: nodesToWire(r.successors) };
    case 'put':
      return { t: r.t, f: optId(r.from), k: idToBytes(r.key), v: r.value, ttl: r.ttlMs, rep: r.replica };
    case 'announce':
      return { t: r.t, f: optId(r.from), k: idToBytes(r.infohash), port: r.port, ttl: r.ttlMs };
    case 'get_peers':
      return { t: r.t, f: optId(r.from), k: idToBytes(r.infohash) };
    case 'sync':
      return { t: r.t, f: idToBytes(r.from), d: r.digest.map((e) => [idToBytes(e.key), e.fp]) };
  }
}

export function responseToWire(r: DhtResponse): Wire {
  switch (r.t) {
    case 'pong':
      return { t: r.t, id: idToBytes(r.id) };
    case 'route':
      return 'found' in r ? { t: r.t, n: nodeToWire(r.found), b: nodesToWire(r.backups) } : { t: r.t, fw: nodesToWire(r.forward) };
    case 'neighbors':
      return { t: r.t, p: r.predecessor && nodeToWire(r.predecessor), s: nodesToWire(r.successors) };
    case 'fingers':
      return { t: r.t, f: r.fingers.map((x) => [x.from, x.to, nodeToWire(x.node)]) };
    case 'ok':
      return { t: r.t };
    case 'values':
      return { t: r.t, v: r.values };
    case 'peers':
      return { t: r.t, p: r.peers.map((e) => [e.host, e.port]) };
    case 'missing':
      return { t: r.t, k: r.keys.map(idToBytes) };
    case 'error':
      return { t: r.t, c: r.code };
  }
}

// ── strict decoding ───────────────────────────────────────────────────────────────────────

class Invalid extends Error {}
const fail = (): never => {
  throw new Invalid();
};

function isRecord(v: unknown): v is Wire {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

function id(v: unknown): Id160 {
  return v instanceof Uint8Array && v.length === 20 ? idFromBytes(v) : fail();
}

function optIdOf(v: unknown): Id160 | null {
  return v === null || v === undefined ? null : id(v);
}

function port(v: unknown): number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 65535 ? v : fail();
}

function host(v: unknown): string {
  return typeof v === 'string' && v.length > 0 && v.length <= LIMITS.maxHostLength && /^[0-9a-fA-F.:]+$/.test(v) ? v : fail();
}

function node(v: unknown): NodeRef {
  if (!Array.isArray(v) || v.length !== 3) fail();
  const a = v as unknown[];
  return { id: id(a[0]), host: host(a[1]), port: port(a[2]) };
}

function optNode(v: unknown): NodeRef | null {
  return v === null || v === undefined ? null : node(v);
}

function nodes(v: unknown): NodeRef[] {
  return Array.isArray(v) && v.length <= LIMITS.maxNodes ? v.map(node) : fail();
}

function fingerIndex(v: unknown): number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < ID_BITS ? v : fail();
}

/** Runs in increasing, non-overlapping index order, each from ≤ to. */
function fingerRuns(v: unknown): FingerRun[] {
  if (!Array.isArray(v) || v.length > LIMITS.maxFingerRuns) fail();
  let last = -1;
  return (v as unknown[]).map((e) => {
    if (!Array.isArray(e) || e.length !== 3) fail();
    const a = e as unknown[];
    const from = fingerIndex(a[0]);
    const to = fingerIndex(a[1]);
    if (from <= last || to < from) fail();
    last = to;
    return { from, to, node: node(a[2]) };
  });
}

function ttl(v: unknown): number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= LIMITS.maxTtlMs ? v : fail();
}

function value(v: unknown): Uint8Array {
  return v instanceof Uint8Array && v.length <= LIMITS.maxValueBytes ? new Uint8Array(v) : fail();
}

function fp(v: unknown): number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffffffff ? v : fail();
}

function digestOf(v: unknown): DigestEntry[] {
  if (!Array.isArray(v) || v.length > LIMITS.maxDigest) fail();
  return (v as unknown[]).map((e) => {
    if (!Array.isArray(e) || e.length !== 2) fail();
    const a = e as unknown[];
    return { key: id(a[0]), fp: fp(a[1]) };
  });
}

function decodeRequestOrThrow(m: Wire): DhtRequest {
  switch (m.t) {
    case 'ping':
      return { t: 'ping', from: optIdOf(m.f) };
    case 'neighbors':
      return { t: 'neighbors', from: optIdOf(m.f) };
    case 'fingers':
      return { t: 'fingers', from: optIdOf(m.f) };
    case 'notify':
      return { t: 'notify', from: id(m.f) };
    case 'find':
      return { t: 'find', from: optIdOf(m.f), key: id(m.k) };
    case 'get':
      return { t: 'get', from: optIdOf(m.f), key: id(m.k) };
    case 'leave':
      return { t: 'leave', from: id(m.f), predecessor: optNode(m.p), successors: nodes(m.s) };
    case 'put':
      if (typeof m.rep !== 'boolean') fail();
      return { t: 'put', from: optIdOf(m.f), key: id(m.k), value: value(m.v), ttlMs: ttl(m.ttl), replica: m.rep as boolean };
    case 'announce':
      return { t: 'announce', from: optIdOf(m.f), infohash: id(m.k), port: port(m.port), ttlMs: ttl(m.ttl) };
    case 'get_peers':
      return { t: 'get_peers', from: optIdOf(m.f), infohash: id(m.k) };
    case 'sync':
      return { t: 'sync', from: id(m.f), digest: digestOf(m.d) };
    default:
      return fail();
  }
}

function decodeResponseOrThrow(m: Wire): DhtResponse {
  switch (m.t) {
    case 'pong':
      return { t: 'pong', id: id(m.id) };
    case 'route':
      if (m.n !== undefined) return { t: 'route', found: node(m.n), backups: nodes(m.b) };
      return { t: 'route', forward: nodes(m.fw) };
    case 'neighbors':
      return { t: 'neighbors', predecessor: optNode(m.p), successors: nodes(m.s) };
    case 'fingers':
      return { t: 'fingers', fingers: fingerRuns(m.f) };
    case 'ok':
      return { t: 'ok' };
    case 'values':
      if (!Array.isArray(m.v) || m.v.length > LIMITS.maxValues) fail();
      return { t: 'values', values: (m.v as unknown[]).map(value) };
    case 'peers':
      if (!Array.isArray(m.p) || m.p.length > LIMITS.maxValues) fail();
      return {
        t: 'peers',
        peers: (m.p as unknown[]).map((e) => (Array.isArray(e) && e.length === 2 ? { host: host(e[0]), port: port(e[1]) } : fail())),
      };
    case 'missing':
      if (!Array.isArray(m.k) || m.k.length > LIMITS.maxDigest) fail();
      return { t: 'missing', keys: (m.k as unknown[]).map(id) };
    case 'error':
      return typeof m.c === 'string' && m.c.length <= 32 ? { t: 'error', code: m.c } : fail();
    default:
      return fail();
  }
}

/** A validated request, or undefined for anything malformed. Never throws. */
export function requestFromWire(v: unknown): DhtRequest | undefined {
  return guard(v, decodeRequestOrThrow);
}

/** A validated response, or undefined for anything malformed. Never throws. */
export function responseFromWire(v: unknown): DhtResponse | undefined {
  return guard(v, decodeResponseOrThrow);
}

function guard<T>(v: unknown, f: (m: Wire) => T): T | undefined {
  if (!isRecord(v)) return undefined;
  try {
    return f(v);
  } catch (e) {
    if (e instanceof Invalid || e instanceof RangeError) return undefined;
    throw e;
  }
}
