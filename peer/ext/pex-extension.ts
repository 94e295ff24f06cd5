/**
 * ut_pex on live connections, and the PeerSource it feeds. One instance per torrent: it learns
 * who we are connected to from the extension handshakes it sees (a peer's listen endpoint is its
 * address plus the handshake's `p`, or the address we dialled), tells each PEX-capable peer about
 * the others at most once per interval, and emits the peers others tell us about as 'peers'.
 *
 * Messages from a peer that come faster than half the interval are ignored (BEP 11 allows one
 * a minute); garbage closes that peer's connection, never the process.
 */
import { EventEmitter } from 'node:events';
import type { Endpoint } from '../../src/naming/endpoint.ts';
import type { PeerSource, PeerSourceEvents } from '../../src/peer-source.ts';
import type { DecodedExtensionHandshake } from '../wire/extension.ts';
import type { ExtensionPeer, WireExtension } from './types.ts';
import { PEX_FLAG, PEX_INTERVAL_MS, PEX_MAX_PER_MESSAGE, PexSender, decodePexMessage, encodePexMessage, type PexPeer } from './ut-pex.ts';

export interface PexExtensionOptions {
  /** Minimum time between two messages to one peer (default 60 s, BEP 11). */
  intervalMs?: number;
  now?: () => number;
}

interface PeerEntry {
  listen: Endpoint | undefined;
  flags: number;
  sender: PexSender | undefined;
  lastReceivedAt: number | undefined;
}

export class PexExtension extends EventEmitter<PeerSourceEvents> implements WireExtension, PeerSource {
  readonly name = 'ut_pex' as const;
  /** Messages dropped for arriving too fast, and peers learned (for tests and the TUI). */
  ignored = 0;
  learned = 0;
  private readonly peers = new Map<ExtensionPeer, PeerEntry>();
  private readonly intervalMs: number;
  private readonly now: () => number;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(options: PexExtensionOptions = {}) {
    super();
    this.intervalMs = options.intervalMs ?? PEX_INTERVAL_MS;
    this.now = options.now ?? Date.now;
  }

  start(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => this.flush(), Math.max(20, Math.min(this.intervalMs / 4, 5000)));
    this.timer.unref?.();
  }

  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** The listen endpoints of our connected peers, as PEX would advertise them. */
  connected(): PexPeer[] {
    const out: PexPeer[] = [];
    for (const e of this.peers.values()) if (e.listen !== undefined) out.push({ endpoint: e.listen, flags: e.flags });
    return out;
  }

  onExtensionHandshake(peer: ExtensionPeer, remote: Endpoint, h: DecodedExtensionHandshake): void {
    const entry = this.peers.get(peer) ?? { listen: undefined, flags: 0, sender: undefined, lastReceivedAt: undefined };
    if (h.p !== undefined) entry.listen = { host: remote.host, port: h.p };
    else if (peer.outgoing === true) entry.listen = remote;
    entry.flags = peer.outgoing === true ? PEX_FLAG.reachable : 0;
    if (h.m.has('ut_pex') && h.m.get('ut_pex') !== 0) entry.sender ??= new PexSender(entry.listen, this.intervalMs);
    this.peers.set(peer, entry);
  }

  onMessage(peer: ExtensionPeer, payload: Uint8Array): void {
    const entry = this.peers.get(peer);
    const now = this.now();
    if (entry?.lastReceivedAt !== undefined && now - entry.lastReceivedAt < this.intervalMs / 2) {
      this.ignored++;
      return;
    }
    let added: PexPeer[];
    try {
      added = decodePexMessage(payload).added;
    } catch (e) {
      peer.close(e as Error);
      return;
    }
    if (entry !== undefined) entry.lastReceivedAt = now;
    // Untrusted: take at most a message's worth from one message, never ourselves' own peers twice.
    const fresh = added.slice(0, PEX_MAX_PER_MESSAGE).map((p) => p.endpoint);
    if (fresh.length === 0) return;
    this.learned += fresh.length;
    this.emit('peers', fresh);
  }

  onClose(peer: ExtensionPeer): void {
    this.peers.delete(peer);
  }

  /** Send each PEX-capable peer what changed, where its interval allows. */
  flush(): void {
    const now = this.now();
    const connected = this.connected();
    for (const [peer, entry] of this.peers) {
      const m = entry.sender?.next(connected, now);
      if (m !== undefined) peer.extended('ut_pex', encodePexMessage(m));
    }
  }
}
