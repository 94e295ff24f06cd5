/**
 * Length-prefixed frames over a Connection (the TUI control socket: one msgpackr message per
 * frame). A frame over maxFrame closes the connection with FrameTooLargeError; the raw
 * Connection stays reachable as `.conn` for protocols that switch framing mid-stream.
 */
import { EventEmitter } from 'node:events';
import { LengthPrefixFramer, encodeFrame } from './framer.ts';
import type { Connection } from './transport.ts';

export interface FramedEvents {
  frame: [payload: Uint8Array];
  close: [err: Error | undefined];
}

export class FramedConnection extends EventEmitter<FramedEvents> {
  readonly conn: Connection;
  private readonly framer: LengthPrefixFramer;

  constructor(conn: Connection, o: { maxFrame: number }) {
    super();
    this.conn = conn;
    this.framer = new LengthPrefixFramer({ maxFrame: o.maxFrame });
    // push() may throw FrameTooLargeError; Connection turns a throwing listener into close(err).
    conn.on('data', (chunk) => {
      for (const f of this.framer.push(chunk)) {
        if (this.conn.closed) return;
        this.emit('frame', f);
      }
    });
    conn.once('close', (err) => this.emit('close', err));
  }

  /** Send one frame (the 4-byte prefix is added here). */
  send(payload: Uint8Array, signal?: AbortSignal): Promise<void> {
    return this.conn.write(encodeFrame(payload), signal);
  }

  close(err?: Error): void {
    this.conn.close(err);
  }
}
