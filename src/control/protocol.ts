/**
 * Control-socket messages: one msgpackr value per 4-byte length-prefixed frame.
 *
 * Client → server: subscribe / unsubscribe to the snapshot stream, get one snapshot, or run a
 * command. Server → client: hello (first frame, says who we talk to), snapshots, events,
 * command results, and error frames for input it rejected. Every incoming frame is validated
 * here, field by field, before anything acts on it: the other end is another local process,
 * but a confused or hostile one must not crash us. Pure apart from msgpackr.
 */
import { Packr } from 'msgpackr';
import { ProtocolError } from '../errors.ts';
import { PROCESS_KINDS, SNAPSHOT_VERSION, type ProcessInfo, type Snapshot } from './snapshot.ts';

export const PROTOCOL_VERSION = 1;
/** Largest frame a server accepts from a client: commands are tiny. */
export const MAX_CLIENT_FRAME = 64 * 1024;
/** Largest frame a client accepts: a snapshot with big piece maps and many peers. */
export const MAX_SERVER_FRAME = 32 * 1024 * 1024;

export type ControlCommand =
  | { op: 'pause'; infoHash: string }
  | { op: 'resume'; infoHash: string }
  /** Rate limits in bytes/s, 0 = unlimited; for one torrent, or global without infoHash. */
  | { op: 'limits'; down?: number; up?: number; infoHash?: string }
  /** A .torrent path or a magnet URI, optionally with a download directory. */
  | { op: 'add'; source: string; dir?: string }
  | { op: 'quit' };

export interface ControlEvent {
  at: number;
  level: 'info' | 'warn' | 'error';
  text: string;
  infoHash?: string;
}

export type ClientMessage =
  | { t: 'subscribe'; intervalMs?: number }
  | { t: 'unsubscribe' }
  | { t: 'get' }
  | { t: 'cmd'; id: number; cmd: ControlCommand };

export type ServerMessage =
  | { t: 'hello'; v: number; process: ProcessInfo }
  | { t: 'snapshot'; snapshot: Snapshot }
  | { t: 'event'; event: ControlEvent }
  | { t: 'result'; id: number; ok: true }
  | { t: 'result'; id: number; ok: false; code: string; message: string }
  | { t: 'error'; code: string; message: string };

// Records off: each frame must decode on its own, and plain maps are what other tools expect.
const packr = new Packr({ useRecords: false, moreTypes: false });

export function encodeMessage(m: ClientMessage | ServerMessage): Uint8Array {
  return packr.pack(m);
}

function unpack(buf: Uint8Array): unknown {
  try {
    return packr.unpack(buf);
  } catch (e) {
    throw new ProtocolError('control frame is not valid msgpack', { cause: e });
  }
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
const isUint = (v: unknown, max = 0xffffffff): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max;
const isRate = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;
const isHash = (v: unknown): v is string => typeof v === 'string' && /^[0-9a-f]{40}$/.test(v);
const isText = (v: unknown, max = 4096): v is string => typeof v === 'string' && v.length <= max;

function onlyKeys(o: Obj, keys: readonly string[]): boolean {
  return Object.keys(o).every((k) => keys.includes(k));
}

export function parseCommand(v: unknown): ControlCommand {
  if (!isObj(v)) throw new ProtocolError('command must be a map');
  switch (v.op) {
    case 'pause':
    case 'resume':
      if (!onlyKeys(v, ['op', 'infoHash']) || !isHash(v.infoHash)) throw new ProtocolError(`${v.op} needs infoHash (40 hex digits)`);
      return { op: v.op, infoHash: v.infoHash };
    case 'limits': {
      if (!onlyKeys(v, ['op', 'down', 'up', 'infoHash'])) throw new ProtocolError('limits: unknown field');
      const out: ControlCommand = { op: 'limits' };
      if (v.down !== undefined) {
        if (!isRate(v.down)) throw new ProtocolError('limits: down must be a non-negative number');
        out.down = v.down;
      }
      if (v.up !== undefined) {
        if (!isRate(v.up)) throw new ProtocolError('limits: up must be a non-negative number');
        out.up = v.up;
      }
      if (v.infoHash !== undefined) {
        if (!isHash(v.infoHash)) throw new ProtocolError('limits: infoHash must be 40 hex digits');
        out.infoHash = v.infoHash;
      }
      return out;
    }
    case 'add': {
      if (!onlyKeys(v, ['op', 'source', 'dir']) || !isText(v.source) || v.source.length === 0) {
        throw new ProtocolError('add needs a source (torrent path or magnet)');
      }
      if (v.dir !== undefined && !isText(v.dir)) throw new ProtocolError('add: dir must be a string');
      return v.dir === undefined ? { op: 'add', source: v.source } : { op: 'add', source: v.source, dir: v.dir };
    }
    case 'quit':
      if (!onlyKeys(v, ['op'])) throw new ProtocolError('quit takes no arguments');
      return { op: 'quit' };
    default:
      throw new ProtocolError('unknown command');
  }
}

/** Decode and validate a frame from a client; throws ProtocolError for anything else. */
export function decodeClientMessage(buf: Uint8Array): ClientMessage {
  const v = unpack(buf);
  if (!isObj(v)) throw new ProtocolError('control message must be a map');
  switch (v.t) {
    case 'subscribe':
      if (!onlyKeys(v, ['t', 'intervalMs'])) throw new ProtocolError('subscribe: unknown field');
      if (v.intervalMs === undefined) return { t: 'subscribe' };
      if (!isUint(v.intervalMs, 60_000)) throw new ProtocolError('subscribe: intervalMs must be 0..60000');
      return { t: 'subscribe', intervalMs: v.intervalMs };
    case 'unsubscribe':
    case 'get':
      if (!onlyKeys(v, ['t'])) throw new ProtocolError(`${v.t}: unknown field`);
      return { t: v.t };
    case 'cmd':
      if (!onlyKeys(v, ['t', 'id', 'cmd']) || !isUint(v.id)) throw new ProtocolError('cmd needs a uint32 id');
      return { t: 'cmd', id: v.id, cmd: parseCommand(v.cmd) };
    default:
      throw new ProtocolError('unknown control message type');
  }
}

function isProcessInfo(v: unknown): v is ProcessInfo {
  return isObj(v) && PROCESS_KINDS.includes(v.kind as ProcessInfo['kind']) && isUint(v.pid) && typeof v.started === 'number';
}

/**
 * Decode a frame from a server. Snapshots are checked at the top level only (version, process,
 * section types): the view model reads every field defensively, and a deep walk of a large
 * snapshot four times a second would cost more than it protects.
 */
export function decodeServerMessage(buf: Uint8Array): ServerMessage {
  const v = unpack(buf);
  if (!isObj(v)) throw new ProtocolError('control message must be a map');
  switch (v.t) {
    case 'hello':
      if (!isUint(v.v) || !isProcessInfo(v.process)) throw new ProtocolError('bad hello');
      return { t: 'hello', v: v.v, process: v.process };
    case 'snapshot': {
      const s = v.snapshot;
      if (!isObj(s) || s.v !== SNAPSHOT_VERSION || !isUint(s.seq, Number.MAX_SAFE_INTEGER) || typeof s.at !== 'number' || !isProcessInfo(s.process)) {
        throw new ProtocolError('bad snapshot');
      }
      if (s.torrents !== undefined && !Array.isArray(s.torrents)) throw new ProtocolError('bad snapshot: torrents');
      for (const k of ['tracker', 'ring', 'lab'] as const) {
        if (s[k] !== undefined && !isObj(s[k])) throw new ProtocolError(`bad snapshot: ${k}`);
      }
      return { t: 'snapshot', snapshot: s as unknown as Snapshot };
    }
    case 'event': {
      const e = v.event;
      if (!isObj(e) || typeof e.at !== 'number' || !['info', 'warn', 'error'].includes(e.level as string) || !isText(e.text)) {
        throw new ProtocolError('bad event');
      }
      return { t: 'event', event: e as unknown as ControlEvent };
    }
    case 'result':
      if (!isUint(v.id) || typeof v.ok !== 'boolean') throw new ProtocolError('bad result');
      if (v.ok) return { t: 'result', id: v.id, ok: true };
      return { t: 'result', id: v.id, ok: false, code: String(v.code), message: String(v.message) };
    case 'error':
      return { t: 'error', code: String(v.code), message: String(v.message) };
    default:
      throw new ProtocolError('unknown control message type');
  }
}
