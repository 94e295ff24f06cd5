/**
 * UDP front end (BEP 15). Every datagram goes through the total decoder; garbage is dropped
 * without a reply (answering unauthenticated junk would make us a reflector), requests with a
 * connection id that does not verify for their source get a BEP 15 error, and nothing a
 * datagram contains can throw out of the handler.
 *
 * Two sockets, one handler. With a HostThrottle (the lab's emulated tracker host) the front
 * end binds through src/net's bindUdp so the host's up/down caps apply. Without one it keeps
 * a raw node:dgram socket, because bindUdp cannot enlarge the receive buffer: under
 * `npx tsx bench/tracker-udp.ts --duration 5 --only ringswarm` (8×64 announces in flight)
 * bindUdp lost 1594–1595 datagrams in every run, and so did raw dgram with default buffers
 * (rmem_default 208 KiB), while raw dgram with 4 MiB lost none. The CPU cost of bindUdp's
 * promise-per-send was within noise on the busy 2-core box (2×64 in flight: raw 26.6k, 24.2k,
 * 20.6k, 12.1k/s vs bindUdp 22.9k, 18.2k, 13.3k, 20.4k/s). Once UdpBindOptions can set buffer
 * sizes, re-measure on a quiet machine and drop the raw path if it is within ~10%.
 */
import { createSocket } from 'node:dgram';
import { ipFamily, unmapIPv4, type Endpoint } from '../src/naming/endpoint.ts';
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

function openRaw(host: string, port: number, onMessage: OnDatagram): Promise<DatagramPort> {
  const socket = createSocket({ type: ipFamily(host) === 6 ? 'udp6' : 'udp4', recvBufferSize: 4 << 20, sendBufferSize: 4 << 20 });
  socket.on('message', (msg, rinfo) => onMessage(msg, { host: unmapIPv4(rinfo.address), port: rinfo.port }));
  socket.on('error', () => undefined); // ICMP-induced send errors must not kill the tracker
  const v6 = ipFamily(host) === 6;
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, host, () => {
      socket.off('error', reject);
      resolve({
        port: socket.address().port,
        // A dual-stack socket answers IPv4 clients at their mapped address.
        send: (buf, to) => socket.send(buf, to.port, v6 && ipFamily(to.host) === 4 ? `::ffff:${to.host}` : to.host),
        close: () => new Promise((r) => socket.close(() => r())),
      });
    });
  });
}

async function openThrottled(host: string, port: number, throttle: HostThrottle, onMessage: OnDatagram): Promise<DatagramPort> {
  const socket = await bindUdp({ host, port, throttle });
  socket.on('message', onMessage);
  socket.on('error', () => undefined);
  const v6 = ipFamily(host) === 6;
  return {
    port: socket.local.port,
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
    /** The tracker host's throttle (lab); undefined = unthrottled raw socket. */
    private readonly throttle?: HostThrottle,
  ) {}

  async listen(port: number, host: string): Promise<number> {
    const onMessage: OnDatagram = (buf, from) => this.onMessage(buf, from);
    this.socket = this.throttle ? await openThrottled(host, port, this.throttle, onMessage) : await openRaw(host, port, onMessage);
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
