/**
 * `ringswarm get <torrent|magnet> [-o DIR] [--seed-after] [--port P] [--peer host:port…] [--db DIR]
 * [--recheck] [--timeout S] [--no-dht] [--bootstrap host:port…] [--no-lsd] [--no-pex] [--json] [--tui]`:
 * download with a progress bar (or JSON lines). A magnet link's info dict comes from peers (its
 * x.pe hints, tr trackers, the DHT, LSD) and is saved in the db dir, so the same command resumes
 * without fetching it again. Exit 0 when complete; 3 for a bad torrent or link; 4 when --timeout
 * passes without any peer (or metadata); 130 on Ctrl-C, with the data and the resume record kept
 * so the same command continues.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { isRingswarmError, NetworkError } from '../../errors.ts';
import { parseMagnet, type Magnet } from '../../codec/magnet.ts';
import type { Metainfo } from '../../codec/metainfo.ts';
import type { Endpoint } from '../../naming/endpoint.ts';
import { EXIT } from '../exit.ts';
import { localSource, openTui } from '../../../tui/index.ts';
import type { Torrent } from '../../../peer/session/torrent.ts';
import { addTorrent } from '../../../peer/ext/torrent-extensions.ts';
import { addMagnet } from '../../../peer/ext/magnet-download.ts';
import type { ProgressStreams } from '../progress.ts';
import { loadSavedTorrent, saveTorrent } from '../saved-torrents.ts';
import { collect, intFlag } from '../shared.ts';
import { every, parsePeerFlags, peerOptions, readTorrent, startClient, untilAborted, type PeerCliOptions, type RunningClient } from './seed.ts';

export interface GetCliOptions extends PeerCliOptions {
  output?: string;
  seedAfter?: boolean;
  peer?: string[];
  recheck?: boolean;
  timeout?: string;
  tui?: boolean;
  trackers?: boolean; // false with --no-trackers
}

type Target = { metainfo: Metainfo } | { magnet: Magnet; uri: string };

/** The torrent for a .torrent or a magnet link, added with its extensions and discovery sources. */
async function addTarget(run: RunningClient, target: Target, opts: GetCliOptions, peers: Endpoint[], downloadDir: string, timeoutS: number | undefined): Promise<Torrent> {
  const common = { downloadDir, recheck: opts.recheck ?? false, trackers: opts.trackers ?? true, pex: opts.pex ?? true };
  if ('metainfo' in target) {
    const m = target.metainfo;
    return (await addTorrent(run.client, m, { ...common, peers, sources: run.discovery.sourcesFor(m.infoHash) })).torrent;
  }
  const { magnet, uri } = target;
  const sources = run.discovery.sourcesFor(magnet.infoHash);
  const saved = await loadSavedTorrent(run.dbDir, magnet.infoHashHex);
  if (saved) {
    run.reporter.event('metadata', { infoHash: magnet.infoHashHex, from: 'saved' });
    return (await addTorrent(run.client, saved, { ...common, peers: [...magnet.peers, ...peers], sources })).torrent;
  }
  run.reporter.event('fetching-metadata', { infoHash: magnet.infoHashHex, peers: magnet.peers.length, trackers: magnet.trackers.length }, opts.tui ? undefined : `fetching the metadata of ${magnet.name ?? magnet.infoHashHex} from peers…`);
  const torrent = await addMagnet(run.client, uri, { ...common, peers, sources, signal: run.stopSignal, ...(timeoutS === undefined ? {} : { metadataTimeoutMs: timeoutS * 1000 }) });
  const path = await saveTorrent(run.dbDir, torrent.metainfo);
  run.reporter.event('metadata', { infoHash: magnet.infoHashHex, from: 'peers', saved: path });
  return torrent;
}

/** Runs the download; returns the exit status (0 done, 130 interrupted). */
export async function runGet(source: string, opts: GetCliOptions, streams?: ProgressStreams): Promise<number> {
  const target: Target = source.startsWith('magnet:') ? { magnet: parseMagnet(source), uri: source } : { metainfo: await readTorrent(source) };
  const peers = parsePeerFlags(opts.peer);
  const timeoutS = opts.timeout === undefined ? undefined : intFlag(opts.timeout, '--timeout', 0, 1, 86_400);
  const ms = intFlag(opts.interval, '--interval', 500, 50, 60_000);
  const downloadDir = resolve(opts.output ?? '.');
  const run = await startClient(opts, streams);
  const { client, reporter } = run;
  let stopSampling = (): void => undefined;
  try {
    let torrent: Torrent;
    try {
      torrent = await addTarget(run, target, opts, peers, downloadDir, timeoutS);
    } catch (e) {
      // Ctrl-C while the metadata was being fetched: an interruption like any other.
      if (run.stopSignal.aborted && isRingswarmError(e) && e.code === 'ABORTED') {
        reporter.event('interrupted', {}, 'interrupted before the metadata arrived');
        return EXIT.interrupted;
      }
      throw e;
    }
    const metainfo = torrent.metainfo;
    const first = torrent.stats();
    reporter.event(
      'started',
      { infoHash: metainfo.infoHashHex, name: metainfo.name, length: metainfo.length, dir: downloadDir, port: client.port, control: run.control.path, have: first.have, pieceCount: first.pieceCount },
      opts.tui ? undefined : `downloading ${metainfo.name} (${metainfo.infoHashHex}) into ${downloadDir}${first.have > 0 ? `, resuming with ${first.have}/${first.pieceCount} pieces` : ''}`,
    );
    torrent.on('warning', (e) => reporter.event('warning', { message: e.message }));
    torrent.on('peer-banned', (address, why) => reporter.event('peer-banned', { address, reason: why }));
    const failed = new Promise<never>((_, reject) => torrent.once('error', reject));
    failed.catch(() => undefined);

    // --timeout: give up if no peer has connected by then (a wrong address, a dead swarm).
    let sawPeer = false;
    torrent.once('peer-connected', () => (sawPeer = true));
    const noPeers = new Promise<never>((_, reject) => {
      if (timeoutS === undefined) return;
      const t = setTimeout(() => {
        if (!sawPeer && torrent.stats().peers === 0 && !torrent.done) reject(new NetworkError(`no peer connected within ${timeoutS} s`));
      }, timeoutS * 1000);
      run.stopSignal.addEventListener('abort', () => clearTimeout(t), { once: true });
      void torrent.whenDone().then(() => clearTimeout(t), () => clearTimeout(t));
    });
    noPeers.catch(() => undefined);

    const ac = new AbortController();
    run.stopSignal.addEventListener('abort', () => ac.abort(), { once: true });
    let outcome: 'done' | 'stopped';
    if (opts.tui) {
      // The TUI owns the terminal (Ctrl-C included) until the user quits it; whether the
      // torrent was done by then decides the exit status.
      await Promise.race([openTui(localSource(() => client.snapshot())), untilAborted(run.stopSignal), failed, noPeers]);
      outcome = torrent.done ? 'done' : 'stopped';
    } else {
      stopSampling = every(ms, () => reporter.update(torrent.stats()));
      outcome = await Promise.race([torrent.whenDone(ac.signal).then(() => 'done' as const), untilAborted(run.stopSignal).then(() => 'stopped' as const), failed, noPeers]);
    }
    stopSampling();
    const s = torrent.stats();
    if (outcome === 'stopped') {
      reporter.event('interrupted', { ...s }, `interrupted at ${(s.progress * 100).toFixed(1)}%; run the same command again to resume`);
      return EXIT.interrupted;
    }
    reporter.update(s);
    reporter.event('done', { ...s }, `done: ${metainfo.name} (${s.length} bytes) in ${downloadDir}`);
    if (opts.seedAfter && !opts.tui) {
      reporter.event('seeding', { infoHash: metainfo.infoHashHex, port: client.port }, `seeding on port ${client.port}; Ctrl-C to stop`);
      stopSampling = every(ms, () => reporter.update(torrent.stats()));
      await untilAborted(run.stopSignal);
    }
    return EXIT.ok;
  } finally {
    stopSampling();
    await run.stop();
  }
}

export function registerGet(program: Command, streams?: ProgressStreams): Command {
  const cmd = program
    .command('get')
    .description('download a torrent or magnet link (progress bar, or --json lines); resumable after Ctrl-C or a crash')
    .argument('<torrent|magnet>', '.torrent file or magnet:?xt=urn:btih:… link')
    .option('-o, --output <dir>', 'download directory', '.')
    .option('--seed-after', 'keep seeding after the download completes, until Ctrl-C')
    .option('--peer <host:port>', 'dial this peer directly; repeatable', collect)
    .option('--no-trackers', "do not announce to the torrent's trackers")
    .option('--recheck', 'verify existing data from disk instead of trusting resume data')
    .option('--timeout <seconds>', 'fail (exit 4) if no peer (or no metadata) within this time')
    .option('--tui', 'show the terminal UI instead of a progress bar');
  return peerOptions(cmd, '500').action(async (torrent: string, opts: GetCliOptions) => {
    process.exitCode = await runGet(torrent, opts, streams);
  });
}
