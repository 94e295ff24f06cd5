/**
 * Any node Duplex as a WireConnection, and an in-memory connected pair: lets the Wire (and the
 * session above it) be tested without sockets, and run over non-TCP streams.
 */
import { EventEmitter } from 'node:events';
import { Duplex } from 'node:stream';
import { ClosedError } from '../../src/errors.ts';
import type { Endpoint } from '../../src/naming/endpoint.ts';
import type { WireConnection } from './wire.ts';

export class DuplexConnection extends EventEmitter<{ close: [err: Error | undefined] }> implements WireConnection {
  readonly remote: Endpoint | undefined;
  private readonly stream: Duplex;
  private done = false;
  private error: Error | undefined;

  constructor(stream: Duplex, remote?: Endpoint) {
    super();
    this.stream = stream;
    this.remote = remote;
    stream.on('error', (e) => {
      this.error ??= e;
    });
    stream.on('close', () => this.finish());
    stream.on('end', () => this.close());
  }

  get closed(): boolean {
    return this.done;
  }

  onData(fn: (chunk: Uint8Array) => void): () => void {
    this.stream.on('data', fn);
    return () => this.stream.off('data', fn);
  }

  write(data: Uint8Array): Promise<void> {
    if (this.done) return Promise.reject(new ClosedError('connection closed'));
    return new Promise((resolve, reject) => {
      this.stream.write(data, (err) => (err ? reject(err) : resolve()));
    });
  }

  close(err?: Error): void {
    if (err) this.error ??= err;
    this.stream.destroy();
    this.finish();
  }

  private finish(): void {
    if (this.done) return;
    this.done = true;
    this.emit('close', this.error);
  }
}

/** One end of an in-memory pipe: writes are pushed to the other end's readable side. */
class MemoryEnd extends Duplex {
  other: MemoryEnd | undefined;
  override _read(): void {}
  override _write(chunk: Uint8Array, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.other?.push(chunk);
    cb();
  }
  override _final(cb: (err?: Error | null) => void): void {
    this.other?.push(null);
    cb();
  }
  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    // Like a socket closed by its owner: the other end sees EOF after the data already sent.
    if (this.other && !this.other.destroyed) this.other.push(null);
    cb(err);
  }
}

/** Two connected in-memory connections: what one writes, the other reads. Closing one ends the other. */
export function memoryPair(): [DuplexConnection, DuplexConnection] {
  const a = new MemoryEnd();
  const b = new MemoryEnd();
  a.other = b;
  b.other = a;
  return [new DuplexConnection(a), new DuplexConnection(b)];
}
