/**
 * The little the HTTP layer needs from a byte connection. src/net's throttled Connection
 * provides it; keeping the HTTP code to this shape lets the server and client be exercised on
 * any duplex and keeps the binding to src/net in one place (net-binding.ts).
 */
export interface ByteConn {
  /** Resolves when the bytes are accepted (after upload tokens and socket backpressure). */
  write(data: Uint8Array, signal?: AbortSignal): Promise<void>;
  close(err?: Error): void;
  onData(cb: (chunk: Uint8Array) => void): void;
  onClose(cb: (err?: Error) => void): void;
}

/** Grows a byte buffer with amortised copying, for incremental parsing. */
export class ByteQueue {
  #buf = new Uint8Array(4096);
  #start = 0;
  #end = 0;

  get length(): number {
    return this.#end - this.#start;
  }

  view(): Uint8Array {
    return this.#buf.subarray(this.#start, this.#end);
  }

  push(chunk: Uint8Array): void {
    if (this.#end + chunk.length > this.#buf.length) {
      const need = this.length + chunk.length;
      const next = need > this.#buf.length / 2 ? new Uint8Array(Math.max(need * 2, 4096)) : this.#buf;
      next.set(this.#buf.subarray(this.#start, this.#end), 0);
      this.#buf = next;
      this.#end -= this.#start;
      this.#start = 0;
    }
    this.#buf.set(chunk, this.#end);
    this.#end += chunk.length;
  }

  /** Removes and returns (a copy of) the first n bytes. */
  take(n: number): Uint8Array {
    const out = this.#buf.slice(this.#start, this.#start + n);
    this.#start += out.length;
    if (this.#start === this.#end) this.#start = this.#end = 0;
    return out;
  }
}
