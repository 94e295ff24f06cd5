/**
 * A thin UDP socket through the host's throttle: sends wait for upload tokens; received
 * datagrams wait for download tokens before delivery (a bounded queue, like a router buffer:
 * beyond `maxQueued` datagrams, new arrivals are dropped and counted).
 */
import { EventEmitter } from 'node:events';
import * as dgram from 'node:dgram';
import { ClosedError } from '../errors.ts';
import { ipFamily, unmapIPv4, type Endpoint } from '../naming/endpoint.ts';
import { UNLIMITED, type HostThrottle } from './throttle.ts';
import { toNetworkError } from './transport.ts';

export interface UdpEvents {
  message: [buf: Uint8Array, from: Endpoint];
  /** Socket-level errors after binding (never thrown). */
  error: [err: Error];
  close: [];
}

export interface UdpBindOptions {
  /** Default '127.0.0.1'. An IPv6 host binds a udp6 socket. */
  host?: string;
  /** Default 0. */
  port?: number;
  throttle?: HostThrottle;
  /** Datagrams waiting for download tokens before new ones are dropped; default 1024. */
  maxQueued?: number;
  /** Kernel socket buffers (SO_RCVBUF/SO_SNDBUF); busy servers need more than the default. */
  recvBufferSize?: number;
  sendBufferSize?: number;
}

export class UdpSocket extends EventEmitter<UdpEvents> {
  readonly local: Endpoint;
  /** Datagrams dropped because the download queue was full. */
  dropped = 0;
  bytesIn = 0;
  bytesOut = 0;
  private readonly sock: dgram.Socket;
  private readonly throttle: HostThrottle;
  private readonly maxQueued: number;
  private readonly queue: { buf: Uint8Array; from: Endpoint }[] = [];
  private pumping = false;
  private isClosed = false;
  private readonly ac = new AbortController();

  private constructor(sock: dgram.Socket, o: UdpBindOptions) {
    super();
    this.sock = sock;
    this.throttle = o.throttle ?? UNLIMITED;
    this.maxQueued = o.maxQueued ?? 1024;
    const a = sock.address();
    this.local = { host: unmapIPv4(a.address), port: a.port };
    sock.on('message', (buf, rinfo) => this.onMessage(buf, { host: unmapIPv4(rinfo.address), port: rinfo.port }));
    sock.on('error', (e) => {
      if (this.listenerCount('error') > 0) this.emit('error', toNetworkError(e));
    });
  }

  static open(o: UdpBindOptions = {}): Promise<UdpSocket> {
    const host = o.host ?? '127.0.0.1';
    const sock = dgram.createSocket({
      type: ipFamily(host) === 6 ? 'udp6' : 'udp4',
      ...(o.recvBufferSize !== undefined && { recvBufferSize: o.recvBufferSize }),
      ...(o.sendBufferSize !== undefined && { sendBufferSize: o.sendBufferSize }),
    });
    return new Promise((resolve, reject) => {
      const onError = (e: Error): void => {
        sock.close();
        reject(toNetworkError(e, 'cannot bind UDP'));
      };
      sock.once('error', onError);
      sock.bind({ address: host, port: o.port ?? 0 }, () => {
        sock.off('error', onError);
        resolve(new UdpSocket(sock, o));
      });
    });
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /**
   * Send one datagram after the upload throttle grants its size. Resolves when handed to the
   * OS. Rejects with ClosedError / AbortedError / NetworkError (e.g. EMSGSIZE).
   */
  async send(buf: Uint8Array, to: Endpoint, signal?: AbortSignal): Promise<void> {
    if (this.isClosed) throw new ClosedError('UDP socket closed');
    const both = signal ? AbortSignal.any([signal, this.ac.signal]) : this.ac.signal;
    await this.throttle.up.request(buf.length, both).catch((e: unknown) => {
      throw this.isClosed ? new ClosedError('UDP socket closed') : e;
    });
    if (this.isClosed) throw new ClosedError('UDP socket closed');
    await new Promise<void>((resolve, reject) => {
      this.sock.send(buf, to.port, to.host, (err) => (err ? reject(toNetworkError(err, 'UDP send failed')) : resolve()));
    });
    this.bytesOut += buf.length;
  }

  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.ac.abort();
    this.queue.length = 0;
    this.sock.close();
    this.emit('close');
  }

  private onMessage(buf: Uint8Array, from: Endpoint): void {
    if (this.isClosed) return;
    if (this.throttle.down.unlimited && this.queue.length === 0) {
      this.deliver(buf, from);
      return;
    }
    if (this.queue.length >= this.maxQueued) {
      this.dropped++;
      return;
    }
    this.queue.push({ buf, from });
    if (!this.pumping) void this.pump();
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      while (this.queue.length > 0 && !this.isClosed) {
        const d = this.queue[0] as { buf: Uint8Array; from: Endpoint };
        await this.throttle.down.request(d.buf.length, this.ac.signal);
        this.queue.shift();
        this.deliver(d.buf, d.from);
      }
    } catch {
      // closed while waiting
    } finally {
      this.pumping = false;
    }
  }

  private deliver(buf: Uint8Array, from: Endpoint): void {
    this.bytesIn += buf.length;
    try {
      this.emit('message', buf, from);
    } catch (e) {
      // Bad input from the network never escapes the socket handler.
      if (this.listenerCount('error') > 0) this.emit('error', e instanceof Error ? e : new Error(String(e)));
    }
  }
}

/** Bind a UDP socket (default 127.0.0.1, port 0). NetworkError if the address is taken. */
export function bindUdp(o: UdpBindOptions = {}): Promise<UdpSocket> {
  return UdpSocket.open(o);
}
