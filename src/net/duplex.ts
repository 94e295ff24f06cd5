/**
 * node:http over throttled sockets, so the HTTP baseline and the tracker's HTTP side draw on
 * the same HostThrottle as BitTorrent traffic.
 *
 *   Server: const http = createServer(handler);
 *           const tcp = net.createServer((s) => http.emit('connection', throttledDuplex(s, host)));
 *           (or use serveHttp(http, { throttle }) below)
 *   Client: http.request(url, { createConnection: throttledConnector(host) }, …)
 *
 * The Duplex forwards the socket methods node:http calls (setTimeout, setNoDelay, …).
 */
import { Duplex } from 'node:stream';
import * as net from 'node:net';
import type { Server as HttpServer } from 'node:http';
import { unmapIPv4, type Endpoint } from '../naming/endpoint.ts';
import type { HostThrottle } from './throttle.ts';

const SLICE = 16 * 1024;

export class ThrottledSocket extends Duplex {
  readonly socket: net.Socket;
  private readonly throttle: HostThrottle;
  private readChain: Promise<void> = Promise.resolve();
  private wantMore = true;
  private gotEnd = false;
  private readonly ac = new AbortController();

  constructor(socket: net.Socket, throttle: HostThrottle) {
    super({ allowHalfOpen: false });
    this.socket = socket;
    this.throttle = throttle;
    socket.on('data', (chunk: Buffer) => {
      socket.pause(); // resumed once the throttle has let this chunk through
      this.readChain = this.readChain.then(async () => {
        try {
          await throttle.down.request(chunk.length, this.ac.signal);
        } catch {
          return; // destroyed
        }
        this.wantMore = this.push(chunk);
        if (this.wantMore) socket.resume();
      });
    });
    socket.on('end', () => {
      this.gotEnd = true;
      void this.readChain.then(() => this.push(null));
    });
    socket.on('error', (e) => this.destroy(e));
    socket.on('close', () => {
      void this.readChain.then(() => {
        if (!this.gotEnd) this.destroy();
      });
    });
    socket.on('connect', () => this.emit('connect'));
    socket.on('timeout', () => this.emit('timeout'));
  }

  override _read(): void {
    if (!this.wantMore) {
      this.wantMore = true;
      this.socket.resume();
    }
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    void this.writeSliced(chunk).then(() => cb(), (e: Error) => cb(e));
  }

  private async writeSliced(chunk: Uint8Array): Promise<void> {
    for (let off = 0; off < chunk.length; off += SLICE) {
      const part = chunk.subarray(off, off + SLICE);
      await this.throttle.up.request(part.length, this.ac.signal);
      if (!this.socket.write(part)) {
        await new Promise<void>((resolve, reject) => {
          const onDrain = (): void => {
            this.socket.off('close', onClose);
            resolve();
          };
          const onClose = (): void => {
            this.socket.off('drain', onDrain);
            reject(new Error('socket closed'));
          };
          this.socket.once('drain', onDrain);
          this.socket.once('close', onClose);
        });
      }
    }
  }

  override _final(cb: (e?: Error | null) => void): void {
    this.socket.end(() => cb());
  }

  override _destroy(err: Error | null, cb: (e?: Error | null) => void): void {
    this.ac.abort();
    this.socket.destroy();
    cb(err);
  }

  // --- the net.Socket surface node:http touches ---
  setTimeout(ms: number, cb?: () => void): this {
    this.socket.setTimeout(ms);
    if (cb) this.once('timeout', cb);
    return this;
  }
  setNoDelay(noDelay?: boolean): this {
    this.socket.setNoDelay(noDelay);
    return this;
  }
  setKeepAlive(enable?: boolean, delay?: number): this {
    this.socket.setKeepAlive(enable, delay);
    return this;
  }
  ref(): this {
    this.socket.ref();
    return this;
  }
  unref(): this {
    this.socket.unref();
    return this;
  }
  get remoteAddress(): string | undefined {
    return this.socket.remoteAddress;
  }
  get remotePort(): number | undefined {
    return this.socket.remotePort;
  }
  get remoteFamily(): string | undefined {
    return this.socket.remoteFamily;
  }
  get localAddress(): string | undefined {
    return this.socket.localAddress;
  }
  get localPort(): number | undefined {
    return this.socket.localPort;
  }
  address(): net.AddressInfo | object {
    return this.socket.address();
  }
  get remote(): Endpoint {
    return { host: unmapIPv4(this.socket.remoteAddress ?? ''), port: this.socket.remotePort ?? 0 };
  }
}

export function throttledDuplex(socket: net.Socket, throttle: HostThrottle): ThrottledSocket {
  return new ThrottledSocket(socket, throttle);
}

/** For http.request's `createConnection` option: dials through the host's throttle. */
export function throttledConnector(throttle: HostThrottle): (opts: { host?: string | null; port?: number | string | null }) => Duplex {
  return (opts) => throttledDuplex(net.connect({ host: opts.host ?? '127.0.0.1', port: Number(opts.port ?? 80) }), throttle);
}

/**
 * Serve an http.Server over throttled sockets: listens on host:port (default 127.0.0.1:0) and
 * hands each accepted socket, wrapped, to the HTTP server. Returns the port and a close().
 */
export function serveHttp(
  server: HttpServer,
  o: { throttle: HostThrottle; host?: string; port?: number },
): Promise<{ port: number; close: () => Promise<void> }> {
  const live = new Set<net.Socket>();
  const tcp = net.createServer((s) => {
    live.add(s);
    s.once('close', () => live.delete(s));
    server.emit('connection', throttledDuplex(s, o.throttle));
  });
  return new Promise((resolve, reject) => {
    tcp.once('error', reject);
    tcp.listen({ host: o.host ?? '127.0.0.1', port: o.port ?? 0 }, () => {
      resolve({
        port: (tcp.address() as net.AddressInfo).port,
        close: () =>
          new Promise<void>((r) => {
            tcp.close(() => r());
            for (const s of live) s.destroy();
          }),
      });
    });
  });
}
