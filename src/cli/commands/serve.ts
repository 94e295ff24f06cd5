/**
 * `ringswarm serve <dir> [--port 8080] [--host 127.0.0.1] [--rate 2M]`: the client-server
 * baseline as a tool — an HTTP/1.1 file server whose upload is shaped by the same throttle the
 * lab uses. Runs until Ctrl-C (or SIGTERM), then closes every connection and exits.
 */
import type { Command } from 'commander';
import { ConfigError } from '../../errors.ts';
import { HttpFileServer } from '../../http/server.ts';
import { formatRate, parseRate } from '../../lab/units.ts';
import { hostThrottle } from '../../net/throttle.ts';

export interface ServeOptions {
  port?: string;
  host?: string;
  rate?: string;
  quiet?: boolean;
}

interface ServeIO {
  out: (s: string) => void;
}

const defaultIO: ServeIO = { out: (s) => void process.stdout.write(s) };

export interface RunningServe {
  readonly server: HttpFileServer;
  readonly url: string;
  stop(): Promise<void>;
}

function portOf(v: string | undefined): number {
  if (v === undefined) return 8080;
  const n = Number(v);
  if (!/^\d+$/.test(v) || n > 65535) throw new ConfigError(`--port must be 0–65535, got "${v}"`);
  return n;
}

/** Starts serving; split from the command so tests can run it on port 0 and stop it. */
export async function startServe(dir: string, opts: ServeOptions, io: ServeIO = defaultIO): Promise<RunningServe> {
  const rate = opts.rate === undefined ? Infinity : parseRate(opts.rate, '--rate');
  if (!(rate > 0)) throw new ConfigError(`--rate must be positive, got "${opts.rate}"`);
  const host = opts.host ?? '127.0.0.1';
  const server = new HttpFileServer(
    { root: dir, host, port: portOf(opts.port), throttle: hostThrottle({ up: rate }) },
    {
      onResponse: (r) => {
        if (!opts.quiet) io.out(`${r.method} ${r.target} ${r.status} ${r.bodyBytes} B\n`);
      },
    },
  );
  const port = await server.start();
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}/`;
  io.out(`serving ${dir} on ${url} (upload ${formatRate(rate)}); Ctrl-C to stop\n`);
  return { server, url, stop: () => server.stop() };
}

export function registerServe(program: Command, io?: ServeIO): Command {
  return program
    .command('serve')
    .description('serve a folder over HTTP/1.1 (the client-server baseline), upload rate-limited')
    .argument('<dir>', 'folder to serve (files only; no listings)')
    .option('--port <port>', 'TCP port (0 = any free port)', '8080')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--rate <rate>', 'upload limit shared by all clients, e.g. 2M, 512K/s (default unlimited)')
    .option('--quiet', 'do not log requests')
    .action(async (dir: string, opts: ServeOptions) => {
      const running = await startServe(dir, opts, io ?? defaultIO);
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          resolve();
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await running.stop();
    });
}
