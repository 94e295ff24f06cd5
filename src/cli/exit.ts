/** Exit statuses, so scripts can tell done from failed and why. */
import { isRingswarmError, type ErrorCode } from '../errors.ts';

export const EXIT = {
  ok: 0,
  failed: 1, // the operation ran and failed (download incomplete, peer errors, …)
  usage: 2, // bad flags or arguments (commander's own code too)
  badInput: 3, // a file or URI we cannot use (bad torrent, magnet, bencode, unsafe path)
  network: 4, // could not reach what we needed (timeouts, DNS, refused)
  interrupted: 130, // Ctrl-C
} as const;

const byCode: Partial<Record<ErrorCode, number>> = {
  BENCODE: EXIT.badInput,
  METAINFO: EXIT.badInput,
  MAGNET: EXIT.badInput,
  ENDPOINT: EXIT.usage,
  CONFIG: EXIT.usage,
  UNSAFE_PATH: EXIT.badInput,
  RESOLVE: EXIT.network,
  NETWORK: EXIT.network,
  TIMEOUT: EXIT.network,
  TRACKER: EXIT.network,
  ABORTED: EXIT.interrupted,
};

/** Prints a one-line message for a typed error (no stack trace) and returns the exit status. */
export function reportError(err: unknown, write: (s: string) => void = (s) => process.stderr.write(s)): number {
  if (isRingswarmError(err)) {
    write(`ringswarm: ${err.message}\n`);
    return byCode[err.code] ?? EXIT.failed;
  }
  const sys = err as NodeJS.ErrnoException | undefined;
  if (sys && typeof sys.code === 'string' && typeof sys.message === 'string') {
    // File-system and socket errors are user-facing too (missing file, port in use).
    write(`ringswarm: ${sys.message}\n`);
    return sys.code === 'ECONNREFUSED' || sys.code === 'ETIMEDOUT' ? EXIT.network : EXIT.failed;
  }
  write(`ringswarm: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  return EXIT.failed;
}
