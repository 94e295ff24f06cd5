/**
 * `ringswarm seed <torrent|file|dir> [--port 6881] [--host H] [-t URL…] [--db DIR] [--data DIR]
 * [--no-dht] [--dht-port P] [--bootstrap host:port…] [--no-lsd] [--no-pex] [--json] [--control PATH]`:
 * seed until Ctrl-C. For a plain file or directory the torrent is created on the fly and saved
 * next to it (never overwriting a different one). Peers find us through the torrent's trackers,
 * the DHT, LSD and PEX; we serve the info dict to magnet downloaders. Ctrl-C or SIGTERM stop
 * gracefully: a `stopped` announce, resume data flushed, the DHT left.
 *
 * Also home to what `get` shares with it: flags → client + discovery, the control socket, signals.
 */
import { readFile, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { ConfigError, MetainfoError } from '../../errors.ts';
import { createTorrent, parseTorrent, type Metainfo } from '../../codec/metainfo.ts';
import { formatMagnet } from '../../codec/magnet.ts';
import { parseEndpoint, type Endpoint } from '../../naming/endpoint.ts';
import { hostThrottle, type HostThrottle } from '../../net/throttle.ts';
import { ControlServer } from '../../control/server.ts';
import type { ControlCommand } from '../../control/protocol.ts';
import { Client } from '../../../peer/session/client.ts';
import { addTorrent } from '../../../peer/ext/torrent-extensions.ts';
import type { Torrent } from '../../../peer/session/torrent.ts';
import { trackerTiers } from './create.ts';
import { progressReporter, type ProgressReporter, type ProgressStreams } from '../progress.ts';
import { Discovery, discoveryOptions, type DiscoveryCliOptions } from '../discovery.ts';
import { collect, intFlag, portFlag } from '../shared.ts';

/** Resume db default: $XDG_DATA_HOME/ringswarm, else ~/.local/share/ringswarm. */
export function defaultDbDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_DATA_HOME;
  if (xdg && xdg.startsWith('/')) return join(xdg, 'ringswarm');
  return join(homedir(), '.local', 'share', 'ringswarm');
}

export function parsePeerFlags(flags: readonly string[] | undefined): Endpoint[] {
  return (flags ?? []).map((p) => parseEndpoint(p));
}

/** Reads and parses a .torrent; an unreadable or invalid file is bad input (exit 3). */
export async function readTorrent(path: string): Promise<Metainfo> {
  let buf: Uint8Array;
  try {
    buf = await readFile(path);
  } catch (e) {
    throw new MetainfoError(`cannot read ${path}: ${(e as Error).message}`, { cause: e });
  }
  try {
    return parseTorrent(buf);
  } catch (e) {
    throw new MetainfoError(`${path} is not a valid torrent: ${(e as Error).message}`, { cause: e });
  }
}

export interface PeerCliOptions extends DiscoveryCliOptions {
  port?: string;
  host?: string;
  db?: string;
  json?: boolean;
  control?: string;
  /** Progress sample period in ms (JSON lines and bar). */
  interval?: string;
}

export interface RunningClient {
  client: Client;
  throttle: HostThrottle;
  control: ControlServer;
  reporter: ProgressReporter;
  /** The DHT node and LSD group; sourcesFor(infoHash) gives a torrent its sources. */
  discovery: Discovery;
  dbDir: string;
  /** Aborted by Ctrl-C, SIGTERM or a `quit` command. */
  stopSignal: AbortSignal;
  /** Why stopSignal fired. */
  stopReason(): 'signal' | 'quit' | undefined;
  /** Fires stopSignal as a `quit` command would (the TUI's q). */
  quit(): void;
  stop(): Promise<void>;
}

/** Builds and starts the client, the control socket and the signal handlers for seed/get. */
export async function startClient(opts: PeerCliOptions, streams?: ProgressStreams): Promise<RunningClient> {
  const throttle = hostThrottle();
  const host = opts.host ?? '0.0.0.0';
  const dbDir = resolve(opts.db ?? defaultDbDir());
  const client = new Client({ host, port: portFlag(opts.port, '--port', 6881), dbDir, throttle });
  const ac = new AbortController();
  let reason: 'signal' | 'quit' | undefined;
  let signals = 0;
  const onSignal = (): void => {
    // A second Ctrl-C means "now": skip the graceful stop.
    if (++signals > 1) process.exit(130);
    reason ??= 'signal';
    ac.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const quit = (): void => {
    reason ??= 'quit';
    ac.abort();
  };
  const torrentOf = (ih: string): Torrent => {
    const t = client.get(ih);
    if (!t) throw new ConfigError(`no torrent ${ih} in this process`);
    return t;
  };
  const handle = (cmd: ControlCommand): void => {
    switch (cmd.op) {
      case 'pause':
        return torrentOf(cmd.infoHash).pause();
      case 'resume':
        return torrentOf(cmd.infoHash).resume();
      case 'limits':
        if (cmd.infoHash !== undefined) return torrentOf(cmd.infoHash).setLimits({ upload: cmd.up, download: cmd.down });
        // 0 means unlimited on the control protocol; a throttle rate of 0 would block.
        if (cmd.up !== undefined) throttle.up.setRate(cmd.up > 0 ? cmd.up : Infinity);
        if (cmd.down !== undefined) throttle.down.setRate(cmd.down > 0 ? cmd.down : Infinity);
        return;
      case 'add':
        throw new ConfigError('this process serves one torrent; start another seed/get instead');
      case 'quit':
        return quit();
    }
  };
  const control = new ControlServer({ snapshot: () => client.snapshot(), handle }, { kind: 'client', ...(opts.control ? { path: opts.control } : {}) });
  const reporter = progressReporter({ json: opts.json ?? false, ...(streams ? { streams } : {}) });
  let discovery: Discovery | undefined;
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      reporter.stop();
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      await control.stop();
      await client.stop();
      await discovery?.stop();
    })());
  try {
    await client.start();
    await control.start();
    discovery = await Discovery.start(opts, { host, port: client.port, dbDir });
  } catch (e) {
    await stop();
    throw e;
  }
  return { client, throttle, control, reporter, discovery, dbDir, stopSignal: ac.signal, stopReason: () => reason, quit, stop };
}

/** Calls `sample` every `ms` until the returned function is called. */
export function every(ms: number, sample: () => void): () => void {
  const timer = setInterval(sample, ms);
  return () => clearInterval(timer);
}

export function untilAborted(signal: AbortSignal): Promise<void> {
  return signal.aborted ? Promise.resolve() : new Promise((r) => signal.addEventListener('abort', () => r(), { once: true }));
}

export interface SeedCliOptions extends PeerCliOptions {
  tracker?: string[];
  data?: string;
  recheck?: boolean;
}

/** A path that is a valid .torrent is seeded as such; anything else is data to share. */
async function torrentFor(source: string, opts: SeedCliOptions, say: (s: string) => void): Promise<{ metainfo: Metainfo; downloadDir: string }> {
  const abs = resolve(source);
  const st = await stat(abs);
  if (st.isFile() && abs.endsWith('.torrent')) {
    const metainfo = await readTorrent(abs);
    return { metainfo, downloadDir: resolve(opts.data ?? dirname(abs)) };
  }
  say(`hashing ${abs}…`);
  const { torrent, metainfo } = await createTorrent(abs, { trackers: trackerTiers(opts.tracker ?? []) });
  const out = `${abs}.torrent`;
  try {
    await writeFile(out, torrent, { flag: 'wx' });
    say(`wrote ${out}`);
  } catch (e) {
    const existing = await readFile(out).then(parseTorrent).catch(() => undefined);
    if (existing?.infoHashHex === metainfo.infoHashHex) say(`using ${out}`);
    else say(`not saving the torrent: ${(e as Error).message} (share the magnet link instead)`);
  }
  // Files of the torrent live under <downloadDir>/<name>, and name is the basename.
  return { metainfo, downloadDir: dirname(abs) };
}

export async function runSeed(source: string, opts: SeedCliOptions, streams?: ProgressStreams): Promise<void> {
  const out = streams?.out ?? process.stdout;
  const say = (s: string): void => {
    if (!opts.json) out.write(`${s}\n`);
  };
  const { metainfo, downloadDir } = await torrentFor(source, opts, say);
  const run = await startClient(opts, streams);
  let stopSampling = (): void => undefined;
  try {
    const { torrent } = await addTorrent(run.client, metainfo, { downloadDir, seed: true, recheck: opts.recheck ?? false, sources: run.discovery.sourcesFor(metainfo.infoHash), pex: opts.pex ?? true });
    const trackers = metainfo.announceList.flat();
    // A specific listen address goes into the link as x.pe: the link alone then finds us.
    const host = opts.host ?? '0.0.0.0';
    const peers = host === '0.0.0.0' || host === '::' ? [] : [{ host, port: run.client.port }];
    const magnet = formatMagnet({ infoHash: metainfo.infoHash, name: metainfo.name, trackers, peers });
    run.reporter.event(
      'seeding',
      { infoHash: metainfo.infoHashHex, name: metainfo.name, port: run.client.port, magnet, control: run.control.path, dir: downloadDir, dhtPort: run.discovery.dhtPort ?? null, lsd: run.discovery.lsdEnabled },
      `seeding ${metainfo.name} (${metainfo.infoHashHex}) on port ${run.client.port}\n${magnet}\ncontrol ${run.control.path}; Ctrl-C to stop`,
    );
    torrent.on('warning', (e) => run.reporter.event('warning', { message: e.message }, `warning: ${e.message}`));
    torrent.on('error', (e) => run.reporter.event('error', { message: e.message }, `error: ${e.message}`));
    const ms = intFlag(opts.interval, '--interval', 1000, 50, 60_000);
    stopSampling = every(ms, () => run.reporter.update(torrent.stats()));
    await untilAborted(run.stopSignal);
  } finally {
    stopSampling();
    await run.stop();
  }
  run.reporter.event('stopped', { reason: run.stopReason() ?? 'signal' }, `stopped ${basename(metainfo.name)}`);
}

/** The flags `seed` and `get` share: listening, the resume db, output, control, discovery. */
export function peerOptions(cmd: Command, intervalMs: string): Command {
  cmd
    .option('--port <port>', 'TCP port to listen on (0 = any)', '6881')
    .option('--host <host>', 'address to listen on', '0.0.0.0')
    .option('--db <dir>', 'resume database directory (default $XDG_DATA_HOME/ringswarm)')
    .option('--json', 'JSON progress lines on stdout')
    .option('--control <path>', 'control socket path for `ringswarm tui`')
    .option('--interval <ms>', 'progress sample period', intervalMs);
  return discoveryOptions(cmd);
}

export function registerSeed(program: Command, streams?: ProgressStreams): Command {
  const cmd = program
    .command('seed')
    .description('seed a .torrent, or a file or directory (its torrent is created and saved next to it), until Ctrl-C')
    .argument('<torrent|file|dir>', 'what to seed')
    .option('-t, --tracker <urls>', 'tracker for a created torrent; repeat for tiers, comma-separate URLs of one tier', collect)
    .option('--data <dir>', "directory holding the torrent's data (default: next to the .torrent)")
    .option('--recheck', 'verify the data from disk even when resume data says it is complete');
  return peerOptions(cmd, '1000').action(async (source: string, opts: SeedCliOptions) => {
    await runSeed(source, opts, streams);
  });
}
