/**
 * Who we are connected to for one torrent: candidate endpoints from the sources, dialing within
 * the connection limits, one connection per peer id, never ourselves, a ban list with reasons,
 * and reconnect back-off. It owns the Wire lifecycle up to the handshake; after that the
 * torrent attaches its listeners (synchronously, so a bitfield in the same chunk is not lost).
 *
 * Bans are per endpoint and per peer id, not per IP: a lab or test swarm runs many honest peers
 * on 127.0.0.1, and one liar among them must not cut the others off.
 */
import { ProtocolError } from '../../src/errors.ts';
import { formatEndpoint, type Endpoint } from '../../src/naming/endpoint.ts';
import { Wire, type WireConnection, type WireOptions } from '../wire/wire.ts';
import { PeerConnection, WriteWatch } from './peer-connection.ts';

export interface PeerManagerDeps {
  readonly infoHash: Uint8Array;
  readonly pieceCount: number;
  readonly now: () => number;
  /** Wire options shared by every connection (our peer id, extensions, timeouts). */
  readonly wireOptions: Omit<WireOptions, 'infoHash' | 'acceptInfoHash' | 'pieceCount'>;
  connect(to: Endpoint): Promise<WireConnection>;
  isSelf(to: Endpoint): boolean;
  /** Room under the client-wide limit? */
  globalRoom(): boolean;
  /** False when dialing is pointless (paused, or both sides would be seeds). */
  wantMore(): boolean;
  attach(p: PeerConnection): void;
  detach(p: PeerConnection, reason: Error | undefined): void;
  banned(address: string, reason: string): void;
  /** A dialled connection closed before its handshake completed. */
  handshakeFailed(address: string, reason: Error | undefined): void;
}

interface Candidate {
  readonly endpoint: Endpoint;
  attempts: number;
  nextAt: number;
  /** A live connection (or one being dialed) exists for it. */
  busy: boolean;
}

const MAX_ATTEMPTS = 8;
/** Twin connections closer together than this are a simultaneous-dial race. */
const RACE_MS = 2000;
/**
 * A full torrent takes an incoming peer by dropping one that has been connected this long with
 * no interest either way (its bitfield long arrived): useless to both of us now. Otherwise a
 * swarm whose leechers filled up on each other refuses a seed that joins later (measured: a
 * 64-peer lab swarm split in two and 51 peers never got a byte).
 */
const IDLE_EVICT_MS = 500;

export class PeerManager {
  readonly peers = new Map<string, PeerConnection>();
  readonly bans = new Map<string, string>();
  private readonly candidates = new Map<string, Candidate>();
  private readonly d: PeerManagerDeps;
  private readonly maxPeers: number;
  private dialing = 0;
  private readonly pending = new Set<Wire>();
  /** Listen endpoints of connected peers (extension handshake `p`): no need to dial them. */
  private readonly listening = new Map<string, number>();
  private closed = false;

  constructor(deps: PeerManagerDeps, options: { maxPeers?: number } = {}) {
    this.d = deps;
    this.maxPeers = options.maxPeers ?? 50;
  }

  get connecting(): number {
    return this.dialing + this.pending.size;
  }

  addPeers(list: readonly Endpoint[]): void {
    for (const e of list) {
      const key = formatEndpoint(e);
      if (this.candidates.has(key) || this.bans.has(key) || this.d.isSelf(e)) continue;
      this.candidates.set(key, { endpoint: e, attempts: 0, nextAt: 0, busy: this.peers.has(key) });
    }
  }

  /** Dial candidates that are due, within the limits. */
  tick(): void {
    if (this.closed || !this.d.wantMore()) return;
    const now = this.d.now();
    for (const [key, c] of this.candidates) {
      if (this.peers.size + this.connecting >= this.maxPeers || !this.d.globalRoom()) return;
      if (c.busy || c.nextAt > now || this.peers.has(key) || this.listening.has(key)) continue;
      void this.dial(key, c);
    }
  }

  /** An incoming connection whose handshake named this torrent. */
  acceptIncoming(wire: Wire, watch: WriteWatch): boolean {
    if (this.closed) return false;
    const remote = watch.remote;
    const key = remote ? formatEndpoint(remote) : `incoming-${this.d.now()}`;
    return this.register(wire, watch, key, true);
  }

  ban(p: PeerConnection, reason: string): void {
    this.bans.set(p.key, reason);
    if (p.peerIdHex) this.bans.set(`id:${p.peerIdHex}`, reason);
    this.candidates.delete(p.key);
    this.d.banned(p.key, reason);
    p.wire.close(new Error(`banned: ${reason}`));
  }

  isBanned(key: string): boolean {
    return this.bans.has(key);
  }

  close(): void {
    this.closed = true;
    for (const w of this.pending) w.close();
    for (const p of [...this.peers.values()]) p.wire.close();
  }

  private async dial(key: string, c: Candidate): Promise<void> {
    c.busy = true;
    this.dialing++;
    let conn: WireConnection;
    try {
      conn = await this.d.connect(c.endpoint);
    } catch {
      this.dialing--;
      this.failed(c);
      return;
    }
    this.dialing--;
    if (this.closed) {
      conn.close();
      return;
    }
    const watch = new WriteWatch(conn);
    const wire = new Wire(watch, { ...this.d.wireOptions, infoHash: this.d.infoHash, pieceCount: this.d.pieceCount });
    this.pending.add(wire);
    let registered = false;
    wire.once('handshake', () => {
      this.pending.delete(wire);
      registered = this.register(wire, watch, key, false);
      if (registered) c.attempts = 0;
    });
    wire.once('close', (reason) => {
      this.pending.delete(wire);
      if (registered) return;
      if (reason instanceof ProtocolError && !this.closed) {
        // Answered for another torrent, or with a broken handshake: not worth another try.
        this.bans.set(key, reason.message);
        this.candidates.delete(key);
        this.d.banned(key, reason.message);
      } else {
        this.failed(c);
      }
      this.d.handshakeFailed(key, reason);
    });
    wire.start();
  }

  /** Drops the longest-connected peer with no interest either way, if any has been so long enough. */
  private evictIdle(): boolean {
    const now = this.d.now();
    let victim: PeerConnection | undefined;
    for (const p of this.peers.values()) {
      if (p.wire.amInterested || p.wire.peerInterested || now - p.connectedAt < IDLE_EVICT_MS) continue;
      if (!victim || p.connectedAt < victim.connectedAt) victim = p;
    }
    if (!victim) return false;
    this.peers.delete(victim.key); // room now: the close event comes later
    victim.wire.close(new Error('making room: no interest either way'));
    return true;
  }

  private failed(c: Candidate): void {
    c.busy = false;
    c.attempts++;
    if (c.attempts >= MAX_ATTEMPTS) {
      this.candidates.delete(formatEndpoint(c.endpoint));
      return;
    }
    c.nextAt = this.d.now() + Math.min(300_000, 1000 * 2 ** c.attempts);
  }

  private register(wire: Wire, watch: WriteWatch, key: string, incoming: boolean): boolean {
    const idHex = wire.peer ? Buffer.from(wire.peer.peerId).toString('hex') : '';
    const refuse = (why: string): false => {
      wire.close(new Error(why));
      return false;
    };
    if (this.closed) return refuse('torrent stopped');
    const ban = this.bans.get(`id:${idHex}`) ?? this.bans.get(key);
    if (ban !== undefined) return refuse(`banned: ${ban}`);
    const twin = [...this.peers.values()].find((p) => p.peerIdHex === idHex);
    if (twin) {
      // An established connection wins (third-party clients keep the older one too). In a race
      // (both dialled at once) keep the one dialled by the lower peer id: both ends agree.
      const ours = Buffer.from(this.d.wireOptions.peerId).toString('hex');
      const race = this.d.now() - twin.connectedAt < RACE_MS;
      const keepNew = race && (incoming ? idHex : ours) < (twin.incoming ? idHex : ours);
      if (!keepNew) return refuse('duplicate connection to the same peer');
      twin.wire.close(new Error('duplicate connection to the same peer'));
    }
    if (this.peers.size >= this.maxPeers && !(incoming && this.evictIdle())) return refuse('too many peers');
    const p = new PeerConnection({ key, wire, watch, incoming, now: this.d.now() });
    this.peers.set(key, p);
    const cand = this.candidates.get(key);
    if (cand) cand.busy = true;
    let listenKey: string | undefined;
    wire.on('extension-handshake', (h) => {
      const host = watch.remote?.host;
      if (h.p === undefined || host === undefined || listenKey !== undefined) return;
      listenKey = formatEndpoint({ host, port: h.p });
      this.listening.set(listenKey, (this.listening.get(listenKey) ?? 0) + 1);
    });
    wire.once('close', (reason) => {
      if (listenKey !== undefined) {
        const n = (this.listening.get(listenKey) ?? 1) - 1;
        if (n <= 0) this.listening.delete(listenKey);
        else this.listening.set(listenKey, n);
      }
      if (this.peers.get(key) === p) this.peers.delete(key);
      const c = this.candidates.get(key);
      if (c) {
        c.busy = false;
        // Back off before reconnecting; longer for peers that broke the protocol.
        c.nextAt = this.d.now() + (reason ? 30_000 : 5_000);
      }
      this.d.detach(p, reason);
    });
    this.d.attach(p);
    return true;
  }
}
