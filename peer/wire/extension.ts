/**
 * BEP 10 extension protocol: the extension handshake (extended message 0) and the id bookkeeping
 * that lets later extensions (ut_metadata, ut_pex) plug in by name.
 *
 * Ids are asymmetric: a peer sends us an extension message with the id *we* advertised in our
 * `m`, and we send it one with the id *it* advertised. So there is one local registry (shared by
 * every connection) and one RemoteExtensions per connection, updated additively (0 disables).
 */
import { bdecode, bdecodePrefix, bencode, text, type BDict, type BEncodable, type BValue } from '../../src/codec/bencode.ts';
import { WireError } from './wire-error.ts';

/** Extended message id of the handshake itself. */
export const EXTENSION_HANDSHAKE_ID = 0;

export interface ExtensionHandshake {
  /** Extension name → the sender's id for it; 0 means disabled. */
  m: Map<string, number>;
  /** Client name and version. */
  v?: string;
  /** The sender's TCP listen port. */
  p?: number;
  /** How many outstanding requests the sender accepts. */
  reqq?: number;
  /** Size of the info dictionary (BEP 9), when the sender has it. */
  metadataSize?: number;
  /** Our address as the sender sees it (4 or 16 bytes). */
  yourip?: Uint8Array;
}

export interface DecodedExtensionHandshake extends ExtensionHandshake {
  /** The whole dictionary, for extensions that read their own keys. */
  raw: BDict;
}

export function encodeExtensionHandshake(h: ExtensionHandshake): Uint8Array {
  const m = new Map<string, BEncodable>([...h.m].map(([name, id]) => [name, id]));
  const d = new Map<string, BEncodable>([['m', m]]);
  if (h.v !== undefined) d.set('v', h.v);
  if (h.p !== undefined) d.set('p', h.p);
  if (h.reqq !== undefined) d.set('reqq', h.reqq);
  if (h.metadataSize !== undefined) d.set('metadata_size', h.metadataSize);
  if (h.yourip !== undefined) d.set('yourip', h.yourip);
  return bencode(d, { canonical: true });
}

function int(v: BValue | undefined, min: number, max: number): number | undefined {
  return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? v : undefined;
}

/**
 * Decode an extension handshake payload. The payload must be a bencoded dict; every item in it is
 * optional and an item of the wrong type is ignored, as BEP 10 asks of unknown items.
 */
export function decodeExtensionHandshake(payload: Uint8Array): DecodedExtensionHandshake {
  let raw: BValue;
  try {
    raw = bdecode(payload, { maxDepth: 16 });
  } catch (e) {
    throw new WireError('extension', 'extension handshake is not valid bencode', { cause: e });
  }
  if (!(raw instanceof Map)) throw new WireError('extension', 'extension handshake is not a dictionary');
  const m = new Map<string, number>();
  const md = raw.get('m');
  if (md instanceof Map) {
    for (const [name, id] of md) {
      const n = int(id, 0, 255);
      if (n !== undefined) m.set(name, n);
    }
  }
  const out: DecodedExtensionHandshake = { m, raw };
  const v = raw.get('v');
  if (v instanceof Uint8Array) out.v = text(v).slice(0, 100);
  const p = int(raw.get('p'), 1, 65535);
  if (p !== undefined) out.p = p;
  const reqq = int(raw.get('reqq'), 1, Number.MAX_SAFE_INTEGER);
  if (reqq !== undefined) out.reqq = reqq;
  const size = int(raw.get('metadata_size'), 1, Number.MAX_SAFE_INTEGER);
  if (size !== undefined) out.metadataSize = size;
  const ip = raw.get('yourip');
  if (ip instanceof Uint8Array && (ip.length === 4 || ip.length === 16)) out.yourip = ip;
  return out;
}

/** A bencoded dict followed by raw bytes (BEP 9 ut_metadata data messages). */
export function splitExtendedPayload(payload: Uint8Array): { dict: BDict; rest: Uint8Array } {
  let r: { value: BValue; end: number };
  try {
    r = bdecodePrefix(payload, { maxDepth: 16 });
  } catch (e) {
    throw new WireError('extension', 'extended payload does not start with bencode', { cause: e });
  }
  if (!(r.value instanceof Map)) throw new WireError('extension', 'extended payload does not start with a dictionary');
  return { dict: r.value, rest: payload.subarray(r.end) };
}

/** Our extensions: name → the local id peers must use when sending it to us. */
export class ExtensionRegistry {
  private readonly byName = new Map<string, number>();
  private readonly byId = new Map<number, string>();

  constructor(names: readonly string[] = []) {
    for (const n of names) this.register(n);
  }

  /** Add an extension (idempotent); returns its local id (1..255). */
  register(name: string): number {
    const known = this.byName.get(name);
    if (known !== undefined) return known;
    const id = this.byName.size + 1;
    if (id > 255) throw new RangeError('too many extensions');
    this.byName.set(name, id);
    this.byId.set(id, name);
    return id;
  }

  localId(name: string): number | undefined {
    return this.byName.get(name);
  }

  /** Which extension an incoming extended message with this id is for. */
  nameOf(id: number): string | undefined {
    return this.byId.get(id);
  }

  /** The `m` dictionary for our extension handshake. */
  get m(): Map<string, number> {
    return new Map(this.byName);
  }
}

/** What one peer supports, and the ids to send it. */
export class RemoteExtensions {
  private readonly ids = new Map<string, number>();

  /** Apply a handshake's `m`: additive, and 0 disables (BEP 10). */
  update(m: ReadonlyMap<string, number>): void {
    for (const [name, id] of m) {
      if (id === 0) this.ids.delete(name);
      else this.ids.set(name, id);
    }
  }

  /** The id to send `name` with, or undefined when the peer does not support it. */
  id(name: string): number | undefined {
    return this.ids.get(name);
  }

  supports(name: string): boolean {
    return this.ids.has(name);
  }

  get names(): string[] {
    return [...this.ids.keys()];
  }
}
