/**
 * An RpcCodec over msgpackr, for our own UDP protocols (the Chord DHT). A datagram is the
 * msgpack array [kind, tid, message] with kind 0 = request, 1 = response and tid a uint32.
 *
 * Records/structures are off: they make a message depend on earlier ones, which breaks over
 * UDP where datagrams are lost and reordered. Pass validators to narrow `message` from
 * unknown; without them the decoded value is trusted as-is (fine for tests, not for the DHT).
 */
import { Packr } from 'msgpackr';
import type { Decoded, RpcCodec } from './udp-rpc.ts';

const packr = new Packr({ useRecords: false, moreTypes: false });

export interface MsgpackCodecOptions<Req, Res> {
  isRequest?: (m: unknown) => m is Req;
  isResponse?: (m: unknown) => m is Res;
}

export function msgpackCodec<Req, Res>(o: MsgpackCodecOptions<Req, Res> = {}): RpcCodec<Req, Res> {
  return {
    encodeRequest: (tid, req) => packr.pack([0, tid, req]),
    encodeResponse: (tid, res) => packr.pack([1, tid, res]),
    decode(buf): Decoded<Req, Res> | undefined {
      let v: unknown;
      try {
        v = packr.unpack(buf);
      } catch {
        return undefined;
      }
      if (!Array.isArray(v) || v.length !== 3) return undefined;
      const [kind, tid, message] = v as [unknown, unknown, unknown];
      if (typeof tid !== 'number' || !Number.isInteger(tid) || tid < 0 || tid > 0xffffffff) return undefined;
      if (kind === 0) {
        if (o.isRequest && !o.isRequest(message)) return undefined;
        return { kind: 'request', tid, message: message as Req };
      }
      if (kind === 1) {
        if (o.isResponse && !o.isResponse(message)) return undefined;
        return { kind: 'response', tid, message: message as Res };
      }
      return undefined;
    },
  };
}
