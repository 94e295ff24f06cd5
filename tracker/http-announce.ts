/**
 * One HTTP tracker announce or scrape (BEP 3, 23, 48), client side. Requests are built with
 * raw-byte percent-encoding; responses are size-capped and parsed strictly. A `failure reason`
 * becomes a TrackerError carrying the tracker's own words.
 */
import { bdecode, bget, type BDict, type BValue } from '../src/codec/bencode.ts';
import { TrackerError, isRingswarmError } from '../src/errors.ts';
import { decodeCompactPeers, type Endpoint } from '../src/naming/endpoint.ts';
import type { AnnounceEvent } from './swarm.ts';

export interface AnnounceParams {
  infoHash: Uint8Array;
  peerId: Uint8Array;
  port: number;
  uploaded: bigint;
  downloaded: bigint;
  left: bigint;
  event: AnnounceEvent;
  numwant: number;
  key: number;
}

export interface AnnounceReply {
  interval: number;
  minInterval: number | undefined;
  complete: number | undefined;
  incomplete: number | undefined;
  peers: Endpoint[];
  warning: string | undefined;
}

export interface ScrapeReply {
  complete: number;
  incomplete: number;
  downloaded: number;
}

const MAX_RESPONSE = 2 << 20;
const UNRESERVED = /[A-Za-z0-9\-._~]/;

export function percentEncode(b: Uint8Array): string {
  let s = '';
  for (const x of b) {
    const c = String.fromCharCode(x);
    s += UNRESERVED.test(c) ? c : '%' + x.toString(16).padStart(2, '0').toUpperCase();
  }
  return s;
}

export function buildAnnounceUrl(announce: string, p: AnnounceParams): string {
  const q = [
    `info_hash=${percentEncode(p.infoHash)}`,
    `peer_id=${percentEncode(p.peerId)}`,
    `port=${p.port}`,
    `uploaded=${p.uploaded}`,
    `downloaded=${p.downloaded}`,
    `left=${p.left}`,
    `numwant=${p.numwant}`,
    `key=${(p.key >>> 0).toString(16)}`,
    'compact=1',
  ];
  if (p.event !== 'none') q.push(`event=${p.event}`);
  return announce + (announce.includes('?') ? '&' : '?') + q.join('&');
}

/** BEP 48 convention: the scrape URL replaces the last "announce" path segment with "scrape". */
export function scrapeUrlFor(announce: string): string | undefined {
  const u = new URL(announce);
  const i = u.pathname.lastIndexOf('/');
  const last = u.pathname.slice(i + 1);
  if (!last.startsWith('announce')) return undefined;
  u.pathname = u.pathname.slice(0, i + 1) + 'scrape' + last.slice('announce'.length);
  return u.toString();
}

async function fetchBencoded(url: string, signal: AbortSignal | undefined): Promise<BDict> {
  let res: Response;
  try {
    res = await fetch(url, { signal, redirect: 'follow' });
  } catch (e) {
    if (signal?.aborted) throw e;
    throw new TrackerError(`cannot reach tracker ${new URL(url).host}: ${(e as Error).message}`, { cause: e });
  }
  const declared = Number(res.headers.get('content-length') ?? 0);
  if (declared > MAX_RESPONSE) throw new TrackerError(`tracker response of ${declared} bytes is too large`);
  const body = new Uint8Array(await res.arrayBuffer());
  if (body.length > MAX_RESPONSE) throw new TrackerError('tracker response is too large');
  let v: BValue;
  try {
    v = bdecode(body);
  } catch (e) {
    throw new TrackerError(`tracker sent a malformed response (HTTP ${res.status})`, { cause: e });
  }
  if (!(v instanceof Map)) throw new TrackerError('tracker response is not a dictionary');
  const failure = bget(v, 'failure reason');
  if (failure instanceof Uint8Array) throw new TrackerError(`tracker says: ${new TextDecoder().decode(failure)}`);
  if (!res.ok) throw new TrackerError(`tracker answered HTTP ${res.status}`);
  return v;
}

const num = (v: BValue | undefined): number | undefined => (typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : undefined);

export async function httpAnnounce(announce: string, p: AnnounceParams, signal?: AbortSignal): Promise<AnnounceReply> {
  const d = await fetchBencoded(buildAnnounceUrl(announce, p), signal);
  const interval = num(bget(d, 'interval'));
  if (interval === undefined || interval < 0) throw new TrackerError('tracker response has no interval');
  const peers: Endpoint[] = [];
  try {
    const raw = bget(d, 'peers');
    if (raw instanceof Uint8Array) peers.push(...decodeCompactPeers(raw, 4));
    else if (Array.isArray(raw)) {
      for (const e of raw) {
        if (!(e instanceof Map)) continue;
        const ip = bget(e, 'ip');
        const port = num(bget(e, 'port'));
        if (ip instanceof Uint8Array && port !== undefined && port > 0 && port < 65536) peers.push({ host: new TextDecoder().decode(ip), port });
      }
    }
    const raw6 = bget(d, 'peers6');
    if (raw6 instanceof Uint8Array) peers.push(...decodeCompactPeers(raw6, 6));
  } catch (e) {
    throw isRingswarmError(e) ? new TrackerError(`tracker sent bad peers: ${e.message}`, { cause: e }) : e;
  }
  const warning = bget(d, 'warning message');
  return {
    interval,
    minInterval: num(bget(d, 'min interval')),
    complete: num(bget(d, 'complete')),
    incomplete: num(bget(d, 'incomplete')),
    peers: peers.filter((e) => e.port > 0),
    warning: warning instanceof Uint8Array ? new TextDecoder().decode(warning) : undefined,
  };
}

export async function httpScrape(announce: string, infoHash: Uint8Array, signal?: AbortSignal): Promise<ScrapeReply> {
  const url = scrapeUrlFor(announce);
  if (!url) throw new TrackerError(`tracker ${announce} has no scrape convention URL`);
  const d = await fetchBencoded(`${url}${url.includes('?') ? '&' : '?'}info_hash=${percentEncode(infoHash)}`, signal);
  const files = bget(d, 'files');
  const entry = files instanceof Map ? files.get(String.fromCharCode(...infoHash)) : undefined;
  if (!(entry instanceof Map)) return { complete: 0, incomplete: 0, downloaded: 0 };
  return { complete: num(bget(entry, 'complete')) ?? 0, incomplete: num(bget(entry, 'incomplete')) ?? 0, downloaded: num(bget(entry, 'downloaded')) ?? 0 };
}
