/**
 * One HTTP tracker announce or scrape (BEP 3, 23, 48), client side. Requests are built with
 * raw-byte percent-encoding and go through the host's throttle and the shared Resolver;
 * responses are size-capped (chunked or not), redirects followed a few times, and parsed
 * strictly. A `failure reason` becomes a TrackerError carrying the tracker's own words.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { isIP } from 'node:net';
import * as tls from 'node:tls';
import { bdecode, bget, type BDict, type BValue } from '../src/codec/bencode.ts';
import { AbortedError, TimeoutError, TrackerError, isRingswarmError } from '../src/errors.ts';
import { decodeCompactPeers, type Endpoint } from '../src/naming/endpoint.ts';
import { Resolver } from '../src/naming/resolver.ts';
import { throttledConnector } from '../src/net/duplex.ts';
import { UNLIMITED, type HostThrottle } from '../src/net/throttle.ts';
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
  /** The address to be listed under (BEP 3 `ip`); trackers take it only if they trust it. */
  ip?: string;
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

const MAX_RESPONSE = 1 << 20;
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
  if (p.ip !== undefined) q.push(`ip=${encodeURIComponent(p.ip)}`);
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

export interface HttpTrackerDeps {
  /** The host's throttle: announces and scrapes draw on it like any other traffic. */
  throttle?: HostThrottle;
  /** Share the process's resolver so one tracker name costs one lookup. */
  resolver?: Resolver;
  /** Whole exchange, redirects included; default 15 000 ms → TimeoutError. */
  timeoutMs?: number;
  /** Default 1 MiB; a bigger body is refused, not buffered. */
  maxResponseBytes?: number;
  /** Default 3. */
  maxRedirects?: number;
}

/** Resolver used when none is injected: one per process, so its cache is shared. */
let sharedResolver: Resolver | undefined;
export function defaultResolver(): Resolver {
  sharedResolver ??= new Resolver();
  return sharedResolver;
}

interface RawReply {
  status: number;
  location: string | undefined;
  body: Uint8Array;
}

/**
 * One GET over node:http on a socket dialled through the host's throttle (src/http's
 * HttpClient cannot be used: it has no chunked decoding, which real trackers send, and no
 * TLS). The name is resolved by our Resolver; node:http only ever sees the address.
 */
async function getOnce(url: string, d: HttpTrackerDeps, signal: AbortSignal): Promise<RawReply> {
  const u = new URL(url);
  const tlsWanted = u.protocol === 'https:';
  if (!tlsWanted && u.protocol !== 'http:') throw new TrackerError(`unsupported tracker URL: ${url}`);
  const name = u.hostname.replace(/^\[(.*)\]$/, '$1');
  const [ip] = await (d.resolver ?? defaultResolver()).resolve(name, { signal });
  const port = Number(u.port || (tlsWanted ? 443 : 80));
  const dial = throttledConnector(d.throttle ?? UNLIMITED);
  const max = d.maxResponseBytes ?? MAX_RESPONSE;
  return new Promise<RawReply>((resolve, reject) => {
    const req = (tlsWanted ? https : http).request(
      {
        host: ip,
        port,
        path: u.pathname + u.search,
        method: 'GET',
        headers: { Host: u.host, 'User-Agent': 'ringswarm', 'Accept-Encoding': 'identity', Connection: 'close' },
        // No agent: with `agent: false` node:http would make a fresh Agent and ignore createConnection.
        signal,
        createConnection: tlsWanted ? (o) => tls.connect({ socket: dial(o), ...(isIP(name) ? {} : { servername: name }) }) : (o) => dial(o),
      },
      (res) => {
        const status = res.statusCode ?? 0;
        if (status >= 300 && status < 400 && res.headers.location !== undefined) {
          res.resume();
          resolve({ status, location: res.headers.location, body: new Uint8Array(0) });
          return;
        }
        const declared = Number(res.headers['content-length'] ?? 0);
        if (declared > max) {
          req.destroy(new TrackerError(`tracker response of ${declared} bytes is too large`));
          return;
        }
        const chunks: Buffer[] = [];
        let got = 0;
        res.on('data', (c: Buffer) => {
          got += c.length;
          if (got > max) req.destroy(new TrackerError(`tracker response over ${max} bytes`));
          else chunks.push(c);
        });
        res.on('end', () => resolve({ status, location: undefined, body: new Uint8Array(Buffer.concat(chunks)) }));
        res.on('error', reject);
      },
    );
    req.on('error', (e) => reject(isRingswarmError(e) || signal.aborted ? e : new TrackerError(`cannot reach tracker ${u.host}: ${e.message}`, { cause: e })));
    req.end();
  });
}

/** GET with redirects (http and https, at most maxRedirects), an overall timeout and abort. */
async function getFollowing(url: string, d: HttpTrackerDeps, signal: AbortSignal | undefined): Promise<RawReply> {
  const timeoutMs = d.timeoutMs ?? 15_000;
  const timer = AbortSignal.timeout(timeoutMs);
  const both = signal ? AbortSignal.any([signal, timer]) : timer;
  const maxRedirects = d.maxRedirects ?? 3;
  let current = url;
  try {
    for (let hop = 0; ; hop++) {
      const r = await getOnce(current, d, both);
      if (r.location === undefined) return r;
      if (hop >= maxRedirects) throw new TrackerError(`tracker ${new URL(url).host} redirected more than ${maxRedirects} times`);
      const next = new URL(r.location, current);
      if (next.protocol !== 'http:' && next.protocol !== 'https:') throw new TrackerError(`tracker redirected to ${next.protocol} URL`);
      current = next.href;
    }
  } catch (e) {
    if (signal?.aborted) throw new AbortedError('tracker request aborted', { cause: signal.reason });
    if (timer.aborted) throw new TimeoutError(`tracker ${new URL(current).host} did not answer within ${timeoutMs} ms`);
    throw e;
  }
}

async function fetchBencoded(url: string, d: HttpTrackerDeps, signal: AbortSignal | undefined): Promise<BDict> {
  const res = await getFollowing(url, d, signal);
  let v: BValue;
  try {
    v = bdecode(res.body);
  } catch (e) {
    throw new TrackerError(`tracker sent a malformed response (HTTP ${res.status})`, { cause: e });
  }
  if (!(v instanceof Map)) throw new TrackerError('tracker response is not a dictionary');
  const failure = bget(v, 'failure reason');
  if (failure instanceof Uint8Array) throw new TrackerError(`tracker says: ${new TextDecoder().decode(failure)}`);
  if (res.status < 200 || res.status >= 300) throw new TrackerError(`tracker answered HTTP ${res.status}`);
  return v;
}

const num = (v: BValue | undefined): number | undefined => (typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : undefined);

export async function httpAnnounce(announce: string, p: AnnounceParams, signal?: AbortSignal, deps: HttpTrackerDeps = {}): Promise<AnnounceReply> {
  const d = await fetchBencoded(buildAnnounceUrl(announce, p), deps, signal);
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

export async function httpScrape(announce: string, infoHash: Uint8Array, signal?: AbortSignal, deps: HttpTrackerDeps = {}): Promise<ScrapeReply> {
  const url = scrapeUrlFor(announce);
  if (!url) throw new TrackerError(`tracker ${announce} has no scrape convention URL`);
  const d = await fetchBencoded(`${url}${url.includes('?') ? '&' : '?'}info_hash=${percentEncode(infoHash)}`, deps, signal);
  const files = bget(d, 'files');
  const entry = files instanceof Map ? files.get(String.fromCharCode(...infoHash)) : undefined;
  if (!(entry instanceof Map)) return { complete: 0, incomplete: 0, downloaded: 0 };
  return { complete: num(bget(entry, 'complete')) ?? 0, incomplete: num(bget(entry, 'incomplete')) ?? 0, downloaded: num(bget(entry, 'downloaded')) ?? 0 };
}
