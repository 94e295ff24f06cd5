/**
 * UDP front end (BEP 15). Every datagram goes through the total decoder; garbage is dropped
 * without a reply (answering unauthenticated junk would make us a reflector), requests with a
 * connection id that does not verify for their source get a BEP 15 error, and nothing a
 * datagram contains can throw out of the handler.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { ipFamily, unmapIPv4 } from '../src/naming/endpoint.ts';
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

export class UdpFront {
  private socket: Socket | undefined;
  readonly stats: UdpFrontStats = { received: 0, dropped: 0, errors: 0 };

  constructor(
    private readonly core: TrackerCore,
    private readonly ids: ConnectionIds = new ConnectionIds(),
  ) {}

  listen(port: number, host: string): Promise<number> {
    const socket = createSocket({ type: ipFamily(host) === 6 ? 'udp6' : 'udp4', recvBufferSize: 4 << 20, sendBufferSize: 4 << 20 });
    this.socket = socket;
    socket.on('message', (msg, rinfo) => this.onMessage(msg, rinfo));
    socket.on('error', () => undefined); // ICMP-induced send errors must not kill the tracker
    return new Promise((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, host, () => {
        socket.off('error', reject);
        resolve(socket.address().port);
      });
    });
  }

  close(): Promise<void> {
    const s = this.socket;
    this.socket = undefined;
    return new Promise((resolve) => (s ? s.close(() => resolve()) : resolve()));
  }

  private onMessage(msg: Buffer, rinfo: RemoteInfo): void {
    this.stats.received++;
    try {
      const req = udp.decodeRequest(msg);
      if (!req) {
        this.stats.dropped++;
        return;
      }
      const host = unmapIPv4(rinfo.address);
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

  private error(transactionId: number, message: string, rinfo: RemoteInfo): void {
    this.stats.errors++;
    this.send(udp.encodeErrorResponse(transactionId, message), rinfo);
  }

  private send(buf: Uint8Array, rinfo: RemoteInfo): void {
    this.socket?.send(buf, rinfo.port, rinfo.address);
  }
}
