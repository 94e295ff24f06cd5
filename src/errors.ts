/**
 * Typed errors. Every error that crosses a module boundary carries a stable `.code` so callers
 * (and the CLI, which maps codes to exit statuses and messages) never match on message text.
 */
export type ErrorCode =
  | 'BENCODE' // malformed or non-canonical bencode
  | 'METAINFO' // a torrent file that is not a valid torrent
  | 'MAGNET' // a magnet URI we cannot use
  | 'ENDPOINT' // an address we cannot parse
  | 'RESOLVE' // DNS failure
  | 'PROTOCOL' // a peer or server broke the wire protocol
  | 'FRAME_TOO_LARGE' // a length prefix over the framer's maximum
  | 'TIMEOUT'
  | 'ABORTED'
  | 'CLOSED' // the socket or component is closed
  | 'UNSAFE_PATH' // a file path that could escape the download folder
  | 'TRACKER' // a tracker answered with a failure
  | 'STORAGE'
  | 'CONFIG'
  | 'BUSY' // too many requests in flight
  | 'NETWORK'; // a socket-level failure: connection refused or reset, unreachable

export class RingswarmError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

export class BencodeError extends RingswarmError {
  /** Byte offset in the input where decoding failed, when known. */
  readonly offset: number | undefined;
  constructor(message: string, offset?: number) {
    super('BENCODE', offset === undefined ? message : `${message} at byte ${offset}`);
    this.offset = offset;
  }
}

export class MetainfoError extends RingswarmError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('METAINFO', message, options);
  }
}

export class MagnetError extends RingswarmError {
  constructor(message: string) {
    super('MAGNET', message);
  }
}

export class EndpointError extends RingswarmError {
  constructor(message: string) {
    super('ENDPOINT', message);
  }
}

export class ResolveError extends RingswarmError {
  readonly host: string;
  constructor(host: string, message: string, options?: { cause?: unknown }) {
    super('RESOLVE', message, options);
    this.host = host;
  }
}

export class ProtocolError extends RingswarmError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('PROTOCOL', message, options);
  }
}

export class FrameTooLargeError extends RingswarmError {
  readonly length: number;
  readonly max: number;
  constructor(length: number, max: number) {
    super('FRAME_TOO_LARGE', `frame of ${length} bytes exceeds the maximum of ${max}`);
    this.length = length;
    this.max = max;
  }
}

export class TimeoutError extends RingswarmError {
  constructor(message: string) {
    super('TIMEOUT', message);
  }
}

export class AbortedError extends RingswarmError {
  constructor(message = 'operation aborted', options?: { cause?: unknown }) {
    super('ABORTED', message, options);
  }
}

export class ClosedError extends RingswarmError {
  constructor(message = 'closed') {
    super('CLOSED', message);
  }
}

export class UnsafePathError extends RingswarmError {
  constructor(message: string) {
    super('UNSAFE_PATH', message);
  }
}

export class TrackerError extends RingswarmError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('TRACKER', message, options);
  }
}

export class StorageError extends RingswarmError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('STORAGE', message, options);
  }
}

export class ConfigError extends RingswarmError {
  constructor(message: string) {
    super('CONFIG', message);
  }
}

export class BusyError extends RingswarmError {
  constructor(message: string) {
    super('BUSY', message);
  }
}

export class NetworkError extends RingswarmError {
  /** The system error code when there is one (ECONNREFUSED, ECONNRESET, EPIPE, …). */
  readonly errno: string | undefined;
  constructor(message: string, errno?: string, options?: { cause?: unknown }) {
    super('NETWORK', message, options);
    this.errno = errno;
  }
}

/** Throws AbortedError if the signal is already aborted. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AbortedError('operation aborted', { cause: signal.reason });
}

export function isRingswarmError(e: unknown): e is RingswarmError {
  return e instanceof RingswarmError;
}
