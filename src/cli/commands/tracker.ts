/**
 * `ringswarm tracker [--port 6969] [--host 0.0.0.0] [--db DIR] [--interval S]`: the HTTP + UDP
 * tracker on one port number. Prints its announce URLs; Ctrl-C / SIGTERM close the sockets and
 * flush the last batch to the db before exiting (and a SIGKILL loses nothing that was answered,
 * see tracker/store.ts).
 */
import type { Command } from 'commander';
import { TrackerServer } from '../../../tracker/server.ts';
import { intFlag, stdoutIO, untilSignal, type CommandIO } from '../shared.ts';
import { serveControl } from '../../control/serve.ts';
import { trackerViewSource } from '../../../tracker/view.ts';

export interface TrackerCliOptions {
  port?: string;
  host?: string;
  db?: string;
  interval?: string;
  trustIp?: boolean;
  control?: string;
}

/** Starts the tracker; split from the command so tests can run it on port 0 and stop it. */
export async function startTracker(opts: TrackerCliOptions, io: CommandIO = stdoutIO): Promise<TrackerServer> {
  const server = new TrackerServer(
    {},
    {
      host: opts.host ?? '0.0.0.0',
      port: intFlag(opts.port, '--port', 6969, 0, 65535),
      dbDir: opts.db,
      interval: intFlag(opts.interval, '--interval', 1800, 1, 86_400),
      http: { trustIpParam: opts.trustIp ?? false },
    },
  );
  await server.start();
  const urls = server.announceUrls;
  io.out(`tracker listening (${opts.db ? `db ${opts.db}` : 'in memory, no --db'}); Ctrl-C to stop\n`);
  io.out(`announce ${urls.http}\nannounce ${urls.udp}\n`);
  return server;
}

export function registerTracker(program: Command, io: CommandIO = stdoutIO): Command {
  return program
    .command('tracker')
    .description('run a BitTorrent tracker: HTTP and UDP announce/scrape on one port, stats page at /')
    .option('--port <port>', 'TCP and UDP port (0 = any free port)', '6969')
    .option('--host <host>', 'address to listen on', '0.0.0.0')
    .option('--db <dir>', 'level db directory; swarms survive restarts')
    .option('--interval <seconds>', 'announce interval asked of clients', '1800')
    .option('--trust-ip', 'believe the ip= announce parameter (labs, proxies)')
    .option('--control <path>', 'control socket path for `ringswarm tui`')
    .action(async (opts: TrackerCliOptions) => {
      // Signal handlers go in before the URLs are printed: a SIGTERM right after them must
      // still stop gracefully, not kill the process.
      const quit = new AbortController();
      const stopped = untilSignal(quit.signal);
      const server = await startTracker(opts, io);
      const trackerView = trackerViewSource(server);
      const control = await serveControl('tracker', opts.control, () => ({ tracker: trackerView() }));
      control.quitSignal.addEventListener('abort', () => quit.abort(), { once: true });
      io.out(`control ${control.path}\n`);
      await stopped;
      await control.stop();
      await server.stop();
    });
}
