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
import { portFlag, stdoutIO, untilSignal, type CommandIO } from '../shared.ts';

export interface ServeOptions {
  port?: string;
  host?: string;
  rate?: string;
  quiet?: boolean;
}

export interface RunningServe {
  readonly server: HttpFileServer;
  readonly url: string;
  stop(): Promise<void>;
}

/** Starts serving; split from the command so tests can run it on port 0 and stop it. */
export async function startServe(dir: string, opts: ServeOptions, io: CommandIO = stdoutIO): Promise<RunningServe> {
  const rate = opts.rate === undefined ? Infinity : parseRate(opts.rate, '--rate');
  if (!(rate > 0)) throw new ConfigError(`--rate must be positive, got "${opts.rate}"`);
  const host = opts.host ?? '127.0.0.1';
  const server = new HttpFileServer(
    { root: dir, host, port: portFlag(opts.port, '--port', 8080), throttle: hostThrottle({ up: rate }) },
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

export function registerServe(program: Command, io: CommandIO = stdoutIO): Command {
  return program
    .command('serve')
    .description('serve a folder over HTTP/1.1 (the client-server baseline), upload rate-limited')
    .argument('<dir>', 'folder to serve (files only; no listings)')
    .option('--port <port>', 'TCP port (0 = any free port)', '8080')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--rate <rate>', 'upload limit shared by all clients, e.g. 2M, 512K/s (default unlimited)')
    .option('--quiet', 'do not log requests')
    .action(async (dir: string, opts: ServeOptions) => {
      const stopped = untilSignal(); // installed before the URL is printed
      const running = await startServe(dir, opts, io);
      await stopped;
      await running.stop();
    });
}
