/**
 * UDP front end (BEP 15). Every datagram goes through the total decoder; garbage is dropped
 * without a reply (answering unauthenticated junk would make us a reflector), requests with a
 * connection id that does not verify for their source get a BEP 15 error, and nothing a
 * datagram contains can throw out of the handler.
 *
 * The socket is src/net's bindUdp, so a tracker host's throttle (the lab's emulated tracker)
 * applies to its UDP side like to every other socket of that host. Its kernel receive buffer is
 * raised to 4 MiB: with the default (~208 KiB) a burst of 8×64 announces in flight lost ~1600
 * datagrams per bench run, with 4 MiB none.
 */
import { ipFamily, type Endpoint } from '../src/naming/endpoint.ts';
import type { HostThrottle } from '../src/net/throttle.ts';
import { bindUdp } from '../src/net/udp.ts';
import { toHex } from './announce-params.ts';
import { ConnectionIds } from './connection-id.ts';
import type { TrackerCore } from './core.ts';
import { compactPeers } from './swarm.ts';
import * as udp from './udp-protocol.ts';

export interface UdpFrontStats {
  received: number;
  dropped: number;
  errors: number;
}

/** What the handler needs of a socket: fire-and-forget sends (a lost reply is the client's retry). */
interface DatagramPort {
  readonly port: number;
  send(buf: Uint8Array, to: Endpoint): void;
  close(): Promise<void>;
}

type OnDatagram = (buf: Uint8Array, from: Endpoint) => void;

async function open(host: string, port: number, throttle: HostThrottle | undefined, onMessage: OnDatagram): Promise<DatagramPort> {
  const socket = await bindUdp({ host, port, ...(throttle && { throttle }), recvBufferSize: 4 << 20, sendBufferSize: 4 << 20 });
  socket.on('message', onMessage);
  socket.on('error', () => undefined); // ICMP-induced send errors must not kill the tracker
  const v6 = ipFamily(host) === 6;
  return {
    port: socket.local.port,
    // A dual-stack socket answers IPv4 clients at their mapped address.
    send: (buf, to) => void socket.send(buf, v6 && ipFamily(to.host) === 4 ? { host: `::ffff:${to.host}`, port: to.port } : to).catch(() => undefined),
    close: async () => socket.close(),
  };
}

export class UdpFront {
  private socket: DatagramPort | undefined;
  readonly stats: UdpFrontStats = { received: 0, dropped: 0, errors: 0 };

  constructor(
    private readonly core: TrackerCore,
    private readonly ids: ConnectionIds = new ConnectionIds(),
    /** The tracker host's throttle (lab); undefined = unlimited. */
    private readonly throttle?: HostThrottle,
  ) {}

  async listen(port: number, host: string): Promise<number> {
    const onMessage: OnDatagram = (buf, from) => this.onMessage(buf, from);
    this.socket = await open(host, port, this.throttle, onMessage);
    return this.socket.port;
  }

  close(): Promise<void> {
    const s = this.socket;
    this.socket = undefined;
    return s ? s.close() : Promise.resolve();
  }

  private onMessage(msg: Uint8Array, rinfo: Endpoint): void {
    this.stats.received++;
    try {
      const req = udp.decodeRequest(msg);
      if (!req) {
        this.stats.dropped++;
        return;
      }
      const host = rinfo.host;
      const now = this.core.now();
      if (req.action === 'connect') {
        this.send(udp.encodeConnectResponse(req.transactionId, this.ids.issue(host, rinfo.port, now)), rinfo);
        return;
      }
      if (!this.ids.verify(req.connectionId, host, rinfo.port, now)) {
        this.error(req.transactionId, 'invalid or expired connection id', rinfo);
        return;
      }
      if (req.action === 'scrape') {
        const counts = req.infoHashes.map((ih) => {
          const s = this.core.scrape(toHex(ih));
          return { seeders: s.complete, completed: s.downloaded, leechers: s.incomplete };
        });
        this.send(udp.encodeScrapeResponse(req.transactionId, counts), rinfo);
        return;
      }
      if (req.port === 0) {
        this.error(req.transactionId, 'invalid port', rinfo);
        return;
      }
      const table = this.core.table;
      const numwant = req.numwant < 0 ? table.options.defaultNumwant : Math.min(req.numwant, table.options.maxNumwant);
      const family = ipFamily(host) === 6 ? 6 : 4;
      const { result: r, written } = this.core.announceNow({ infoHash: toHex(req.infoHash), peerId: toHex(req.peerId), host, port: req.port, left: req.left, event: req.event, numwant });
      const reply = udp.encodeAnnounceResponse(req.transactionId, r.interval, r.incomplete, r.complete, compactPeers(r.peers, family));
      if (!written) this.send(reply, rinfo);
      else written.then(() => this.send(reply, rinfo), () => this.error(req.transactionId, 'internal error', rinfo));
    } catch {
      // Defence in depth: the codec is total, but no datagram may take the tracker down.
      this.stats.dropped++;
    }
  }

  private error(transactionId: number, message: string, rinfo: Endpoint): void {
    this.stats.errors++;
    this.send(udp.encodeErrorResponse(transactionId, message), rinfo);
  }

  private send(buf: Uint8Array, to: Endpoint): void {
    this.socket?.send(buf, to);
  }
}
