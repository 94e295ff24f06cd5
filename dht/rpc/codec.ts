/**
 * The DHT's RpcCodec: src/net's msgpack framing ([kind, tid, message]) plus strict conversion
 * between wire maps and typed messages. Malformed datagrams decode to undefined, which UdpRpc
 * counts as garbage and ignores.
 */
import type { Decoded, RpcCodec } from '../../src/net/udp-rpc.ts';
import { msgpackCodec } from '../../src/net/msgpack-codec.ts';
import type { DhtRequest, DhtResponse } from './messages.ts';
import { requestFromWire, requestToWire, responseFromWire, responseToWire } from './messages.ts';

/** Largest datagram we send or accept; keeps every message in one unfragmented packet. */
export const MAX_DATAGRAM = 1400;

export function dhtCodec(): RpcCodec<DhtRequest, DhtResponse> {
  const raw = msgpackCodec<unknown, unknown>();
  return {
    encodeRequest: (tid, req) => raw.encodeRequest(tid, requestToWire(req)),
    encodeResponse: (tid, res) => raw.encodeResponse(tid, responseToWire(res)),
    decode(buf): Decoded<DhtRequest, DhtResponse> | undefined {
      if (buf.length > MAX_DATAGRAM) return undefined;
      const d = raw.decode(buf);
      if (!d) return undefined;
      if (d.kind === 'request') {
        const message = requestFromWire(d.message);
        return message && { kind: 'request', tid: d.tid, message };
      }
      const message = responseFromWire(d.message);
      return message && { kind: 'response', tid: d.tid, message };
    },
  };
}
