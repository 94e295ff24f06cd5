/**
 * What every command shares: where output goes (CommandIO, so tests pass their own), integer
 * flag parsing with a usage error (exit 2) instead of NaN, repeatable flags, and waiting for
 * Ctrl-C / SIGTERM before a graceful stop.
 */
import { ConfigError } from '../errors.ts';

/** Where commands write; tests pass their own. */
export interface CommandIO {
  out: (s: string) => void;
  /** Progress output (a TTY stream), or undefined for none. */
  progress?: NodeJS.WritableStream;
}

/** Plain stdout, no progress stream. */
export const stdoutIO: CommandIO = { out: (s) => void process.stdout.write(s) };

/** stdout, with stderr for progress bars when it is a terminal. */
export const stdio = (): CommandIO => ({
  out: (s) => void process.stdout.write(s),
  progress: process.stderr.isTTY ? process.stderr : undefined,
});

/** A decimal integer flag in [min, max]; undefined gives `def`. Anything else is a usage error. */
export function intFlag(v: string | undefined, name: string, def: number, min: number, max: number): number {
  if (v === undefined) return def;
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < min || n > max) throw new ConfigError(`${name} must be ${min}–${max}, got "${v}"`);
  return n;
}

/** A port flag: 0 (any free port) to 65535. */
export const portFlag = (v: string | undefined, name: string, def: number): number => intFlag(v, name, def, 0, 65535);

/** Commander reducer for repeatable options (`--peer a --peer b`). */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** Resolves on the first SIGINT or SIGTERM (or when `signal` aborts), then unhooks itself. */
export function untilSignal(signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = (): void => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    if (signal?.aborted) return resolve();
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
    signal?.addEventListener('abort', done, { once: true });
  });
}
