/**
 * BEP 15 as an RpcCodec for src/net's UdpRpc, client side: UdpRpc owns transaction ids,
 * retries and timeouts; this file only moves the id in and out of the packet (offset 12 of a
 * request, offset 4 of a response). A tracker client's socket only ever receives responses,
 * so decode() reads every datagram as one; an `error` action comes back as a message (the
 * caller turns it into a TrackerError) so the exchange still settles on the right tid.
 */
import type { Decoded, RpcCodec } from '../src/net/udp-rpc.ts';
import * as udp from './udp-protocol.ts';

type WithoutTid<T> = T extends unknown ? Omit<T, 'transactionId'> : never;

export type UdpTrackerRequest =
  | { action: 'connect' }
  | WithoutTid<udp.UdpAnnounceRequest>
  | WithoutTid<udp.UdpScrapeRequest>;

export type UdpTrackerResponse = WithoutTid<udp.UdpResponse>;

export const udpTrackerCodec: RpcCodec<UdpTrackerRequest, UdpTrackerResponse> = {
  encodeRequest(tid, req) {
    switch (req.action) {
      case 'connect':
        return udp.encodeConnectRequest(tid);
      case 'announce':
        return udp.encodeAnnounceRequest({ ...req, transactionId: tid });
      case 'scrape':
        return udp.encodeScrapeRequest(req.connectionId, tid, req.infoHashes);
    }
  },
  encodeResponse(tid, res) {
    switch (res.action) {
      case 'connect':
        return udp.encodeConnectResponse(tid, res.connectionId);
      case 'announce':
        return udp.encodeAnnounceResponse(tid, res.interval, res.leechers, res.seeders, res.peers);
      case 'scrape':
        return udp.encodeScrapeResponse(tid, res.counts);
      case 'error':
        return udp.encodeErrorResponse(tid, res.message);
    }
  },
  decode(buf): Decoded<UdpTrackerRequest, UdpTrackerResponse> | undefined {
    const r = udp.decodeResponse(buf);
    if (!r) return undefined;
    const { transactionId, ...message } = r;
    return { kind: 'response', tid: transactionId, message };
  },
};
