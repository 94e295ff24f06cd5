/**
 * One UDP tracker exchange (BEP 15), client side: connect, then announce or scrape, on one
 * short-lived socket (the tracker binds connection ids to our source port, so a fresh socket
 * means a fresh connect). Each step retries with a doubling timeout, as BEP 15 describes, but
 * from a shorter base so a dead tracker does not hold a tier for minutes.
 */
import { createSocket } from 'node:dgram';
import { randomInt } from 'node:crypto';
import { AbortedError, TimeoutError, TrackerError } from '../src/errors.ts';
import { decodeCompactPeers, ipFamily, parseAddress } from '../src/naming/endpoint.ts';
import type { AnnounceParams, AnnounceReply, ScrapeReply } from './http-announce.ts';
import * as udp from './udp-protocol.ts';

export interface UdpExchangeOptions {
  signal?: AbortSignal;
  /** First timeout; doubled on each retry. Default 3000 ms. */
  timeoutMs?: number;
  /** Attempts per step. Default 3. */
  attempts?: number;
}

function target(url: string): { host: string; port: number } {
  const a = parseAddress(url);
  if (a.scheme !== 'udp') throw new TrackerError(`not a udp:// tracker URL: ${url}`);
  return a.endpoint;
}

async function exchange<T>(url: string, o: UdpExchangeOptions, step: (cid: bigint, tid: number) => Uint8Array, pick: (r: udp.UdpResponse) => T | undefined): Promise<T> {
  const { host, port } = target(url);
  const sock = createSocket(ipFamily(host) === 6 ? 'udp6' : 'udp4');
  const base = o.timeoutMs ?? 3000;
  const attempts = o.attempts ?? 3;
  let onMessage: ((m: Buffer) => void) | undefined;
  sock.on('message', (m) => onMessage?.(m));
  sock.on('error', () => undefined);
  await new Promise<void>((resolve) => sock.bind(0, resolve));

  /** Send `packet` until a response with `tid` arrives, or give up. */
  const ask = async (packet: (tid: number) => Uint8Array, what: string): Promise<udp.UdpResponse> => {
    for (let i = 0; i < attempts; i++) {
      const tid = randomInt(2 ** 32);
      const got = await new Promise<udp.UdpResponse | undefined>((resolve, reject) => {
        const done = (v: udp.UdpResponse | undefined, err?: Error): void => {
          clearTimeout(timer);
          o.signal?.removeEventListener('abort', onAbort);
          onMessage = undefined;
          if (err) reject(err);
          else resolve(v);
        };
        const onAbort = (): void => done(undefined, new AbortedError());
        const timer = setTimeout(() => done(undefined), base * 2 ** i);
        o.signal?.addEventListener('abort', onAbort, { once: true });
        onMessage = (m) => {
          const r = udp.decodeResponse(new Uint8Array(m));
          if (r && r.transactionId === tid) done(r);
        };
        sock.send(packet(tid), port, host, (err) => err && done(undefined));
      });
      if (got?.action === 'error') throw new TrackerError(`tracker says: ${got.message}`);
      if (got) return got;
    }
    throw new TimeoutError(`udp tracker ${host}:${port} did not answer the ${what} request`);
  };

  try {
    if (o.signal?.aborted) throw new AbortedError();
    const c = await ask((tid) => udp.encodeConnectRequest(tid), 'connect');
    if (c.action !== 'connect') throw new TrackerError('udp tracker answered connect with something else');
    const r = await ask((tid) => step(c.connectionId, tid), 'announce');
    const v = pick(r);
    if (v === undefined) throw new TrackerError(`udp tracker sent an unexpected ${r.action} response`);
    return v;
  } finally {
    sock.close();
  }
}

export function udpAnnounce(url: string, p: AnnounceParams, o: UdpExchangeOptions = {}): Promise<AnnounceReply> {
  const family = ipFamily(target(url).host) === 6 ? 6 : 4;
  return exchange(
    url,
    o,
    (connectionId, transactionId) =>
      udp.encodeAnnounceRequest({ connectionId, transactionId, infoHash: p.infoHash, peerId: p.peerId, downloaded: p.downloaded, left: p.left, uploaded: p.uploaded, event: p.event, ip: 0, key: p.key, numwant: p.numwant, port: p.port }),
    (r) => {
      if (r.action !== 'announce') return undefined;
      const stride = family === 6 ? 18 : 6;
      const peers = decodeCompactPeers(r.peers.subarray(0, r.peers.length - (r.peers.length % stride)), family).filter((e) => e.port > 0);
      return { interval: r.interval, minInterval: undefined, complete: r.seeders, incomplete: r.leechers, peers, warning: undefined };
    },
  );
}

export function udpScrape(url: string, infoHash: Uint8Array, o: UdpExchangeOptions = {}): Promise<ScrapeReply> {
  return exchange(
    url,
    o,
    (cid, tid) => udp.encodeScrapeRequest(cid, tid, [infoHash]),
    (r) => (r.action === 'scrape' && r.counts[0] ? { complete: r.counts[0].seeders, incomplete: r.counts[0].leechers, downloaded: r.counts[0].completed } : undefined),
  );
}
