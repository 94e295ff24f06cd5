/**
 * BEP 14 local peer discovery as a PeerSource: announce our listen port for one torrent on the
 * LAN group every few minutes (never more than once a minute) and report the senders of
 * announces for the same infohash.
 *
 * The group is injectable. Production: the multicast group 239.192.152.143:6771. Tests stay on
 * loopback: a broadcast group such as 127.255.255.255:<port>, which Linux delivers to every
 * socket bound to that port with reuseAddr. Our own announces come back to us; the cookie
 * filters them. Garbage datagrams are counted and dropped, never thrown.
 */
import dgram from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { formatEndpoint, type Endpoint } from '../../src/naming/endpoint.ts';
import type { PeerSource, PeerSourceEvents } from '../../src/peer-source.ts';
import { encodeLsdAnnounce, parseLsdAnnounce } from './lsd-message.ts';

export const LSD_GROUP: Endpoint = { host: '239.192.152.143', port: 6771 };

export interface LsdOptions {
  infoHash: Uint8Array;
  /** Our BitTorrent listen port. */
  port: number;
  /** Where announces go and where we listen (default the BEP 14 IPv4 multicast group). */
  group?: Endpoint;
  /** Local address to bind (default '0.0.0.0'). */
  bindHost?: string;
  /** Re-announce period (default 5 min, BEP 14). */
  intervalMs?: number;
  /** Announces closer together than this are skipped (default 1 min, BEP 14). */
  minIntervalMs?: number;
  cookie?: string;
  now?: () => number;
}

export interface LsdEvents extends PeerSourceEvents {
  /** A datagram that was not a usable announce (and why): for tests and logs. */
  dropped: [reason: string];
}

function isMulticast(host: string): boolean {
  const first = Number(host.split('.')[0]);
  return first >= 224 && first <= 239;
}

export class LsdSource extends EventEmitter<LsdEvents> implements PeerSource {
  readonly name = 'lsd';
  readonly cookie: string;
  announces = 0;
  private readonly o: LsdOptions;
  private readonly group: Endpoint;
  private readonly infoHashHex: string;
  private readonly now: () => number;
  private socket: dgram.Socket | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private lastAnnounceAt: number | undefined;
  private started = false;

  constructor(options: LsdOptions) {
    super();
    this.o = options;
    this.group = options.group ?? LSD_GROUP;
    this.infoHashHex = Buffer.from(options.infoHash).toString('hex');
    this.cookie = options.cookie ?? randomBytes(8).toString('hex');
    this.now = options.now ?? Date.now;
  }

  /** Binds asynchronously; failures become 'warning' events (LSD is a best-effort source). */
  start(): void {
    if (this.started) return;
    this.started = true;
    const s = dgram.createSocket({ type: 'udp4', reuseAddr: true });
    this.socket = s;
    s.on('error', (e) => this.emit('warning', e));
    s.on('message', (msg, rinfo) => this.onMessage(msg, rinfo.address));
    s.bind(this.group.port, this.o.bindHost ?? '0.0.0.0', () => {
      if (this.socket !== s) return;
      try {
        if (isMulticast(this.group.host)) {
          s.addMembership(this.group.host);
          s.setMulticastTTL(1);
        } else s.setBroadcast(true);
      } catch (e) {
        this.emit('warning', e as Error);
      }
      this.announce();
      this.timer = setInterval(() => this.announce(), this.o.intervalMs ?? 5 * 60_000);
      this.timer.unref?.();
    });
  }

  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    const s = this.socket;
    this.socket = undefined;
    this.started = false;
    if (s !== undefined) await new Promise<void>((r) => s.close(() => r()));
  }

  /** Send an announce now unless one went out less than minIntervalMs ago; true when sent. */
  announce(): boolean {
    const s = this.socket;
    if (s === undefined) return false;
    const now = this.now();
    if (this.lastAnnounceAt !== undefined && now - this.lastAnnounceAt < (this.o.minIntervalMs ?? 60_000)) return false;
    this.lastAnnounceAt = now;
    const msg = encodeLsdAnnounce({ host: formatEndpoint(this.group), port: this.o.port, infoHashes: [this.infoHashHex], cookie: this.cookie });
    this.announces++;
    s.send(msg, this.group.port, this.group.host, (e) => {
      if (e) this.emit('warning', e);
    });
    return true;
  }

  private onMessage(msg: Uint8Array, from: string): void {
    let a;
    try {
      a = parseLsdAnnounce(msg);
    } catch (e) {
      this.emit('dropped', (e as Error).message);
      return;
    }
    if (a.cookie === this.cookie) return; // our own announce, looped back
    if (!a.infoHashes.includes(this.infoHashHex)) return;
    this.emit('peers', [{ host: from, port: a.port }]);
  }
}
