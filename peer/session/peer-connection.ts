/**
 * One connected peer as the session sees it: the Wire plus per-peer state the engine needs —
 * rate meters (the choker's tit-for-tat input and the TUI's columns), when it last sent a
 * block (snubbing), its upload queue, and a write watch that tells the uploader when the
 * socket has room (so a fast reader never buffers a whole torrent in memory).
 */
import type { BlockRef } from '../core/layout.ts';
import { RateMeter } from '../../src/net/rate-meter.ts';
import type { Wire, WireConnection } from '../wire/wire.ts';

/** Wraps a connection to count bytes written but not yet accepted by the socket. */
export class WriteWatch implements WireConnection {
  pending = 0;
  /** Called after each write the socket took (the uploader refills its send window). */
  onWritten: (() => void) | undefined;
  private readonly inner: WireConnection;
  private waiters: (() => void)[] = [];
  private closed = false;

  constructor(inner: WireConnection) {
    this.inner = inner;
    inner.once('close', () => {
      this.closed = true;
      this.wake();
    });
  }

  get remote(): WireConnection['remote'] {
    return this.inner.remote;
  }
  onData(fn: (chunk: Uint8Array) => void): () => void {
    return this.inner.onData(fn);
  }
  write(data: Uint8Array): Promise<void> {
    this.pending += data.length;
    const p = this.inner.write(data);
    const done = (): void => {
      this.pending -= data.length;
      this.wake();
      this.onWritten?.();
    };
    p.then(done, done);
    return p;
  }
  close(err?: Error): void {
    this.inner.close(err);
  }
  once(event: 'close', listener: (err: Error | undefined) => void): unknown {
    return this.inner.once(event, listener);
  }

  /** Resolves once at most `limit` bytes wait for the socket (or the connection closed). */
  below(limit: number): Promise<void> {
    if (this.pending <= limit || this.closed) return Promise.resolve();
    return new Promise((r) => this.waiters.push(r));
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const r of w) r();
  }
}

export class PeerConnection {
  /** "host:port" as we reached it (or as it reached us). */
  readonly key: string;
  readonly wire: Wire;
  readonly watch: WriteWatch;
  readonly incoming: boolean;
  readonly connectedAt: number;
  readonly peerIdHex: string;
  readonly downMeter = new RateMeter({ windowMs: 10_000, bucketMs: 500 });
  readonly upMeter = new RateMeter({ windowMs: 10_000, bucketMs: 500 });
  lastBlockAt: number | undefined;
  optimistic = false;
  snubbed = false;
  /** Payload bytes. */
  downloaded = 0;
  uploaded = 0;
  timeouts = 0;
  /** Requests the peer made that we have not served yet (bounded by our reqq). */
  readonly uploads: BlockRef[] = [];
  serving = false;

  constructor(init: { key: string; wire: Wire; watch: WriteWatch; incoming: boolean; now: number }) {
    this.key = init.key;
    this.wire = init.wire;
    this.watch = init.watch;
    this.incoming = init.incoming;
    this.connectedAt = init.now;
    this.peerIdHex = init.wire.peer ? Buffer.from(init.wire.peer.peerId).toString('hex') : '';
  }

  get client(): string {
    return this.wire.remoteExtensionHandshake?.v ?? this.wire.peer?.client ?? '';
  }

  /** The most requests the peer queues for us (its extension handshake's reqq). */
  get remoteReqq(): number {
    const q = this.wire.remoteExtensionHandshake?.reqq;
    return typeof q === 'number' && q > 0 ? q : 250;
  }
}
