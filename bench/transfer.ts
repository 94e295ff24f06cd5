/**
 * Loopback transfer: one seeder to one leecher of a single-file torrent, for
 * ringswarm→ringswarm, libtorrent→libtorrent, libtorrent→ringswarm and ringswarm→libtorrent, in
 * one run. Every side is its own process (ringswarm sides re-run this file with --child), so
 * each reports its own CPU seconds and peak RSS. Goal (issue 4): ringswarm at or above
 * libtorrent's throughput, peak memory under 150 MB.
 *
 *   npx tsx bench/transfer.ts [size=1G] [pieceLength=default]
 *
 * MB/s is 10^6 bytes per second of payload, timed by the leecher from adding the torrent to its
 * completion (process start-up excluded). Prints figures; never pass/fail.
 */
import { spawn } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { mkdir, open, rm, writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTorrent, parseSize, parseTorrent } from '../src/codec/metainfo.ts';
import { readFile } from 'node:fs/promises';
import { tempDir } from '../test/helpers/tmp.ts';
import { LtPeer } from '../test/helpers/interop/libtorrent.ts';

type Side = 'rs' | 'lt';
interface Report {
  seconds: number;
  seederCpu: number;
  seederRss: number;
  leecherCpu: number;
  leecherRss: number;
}

const SELF = fileURLToPath(import.meta.url);
const emit = (o: Record<string, unknown>): void => void process.stdout.write(JSON.stringify(o) + '\n');
const usage = (): { cpu: number; maxrss: number } => {
  const u = process.resourceUsage();
  return { cpu: (u.userCPUTime + u.systemCPUTime) / 1e6, maxrss: u.maxRSS * 1024 };
};

/** --child seed|get: one ringswarm side, JSON lines on stdout, resource usage at the end. */
async function child(argv: string[]): Promise<void> {
  const { Client } = await import('../peer/session/client.ts');
  const arg = (k: string): string | undefined => {
    const i = argv.indexOf(k);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const role = arg('--child');
  const metainfo = parseTorrent(await readFile(arg('--torrent')!));
  const client = new Client({ host: '127.0.0.1', port: 0, dbDir: arg('--db')! });
  await client.start();
  if (role === 'seed') {
    const t = await client.add(metainfo, { downloadDir: arg('--dir')!, trackers: false, seed: true });
    await t.whenDone();
    emit({ event: 'listening', port: client.port });
    await new Promise<void>((r) => process.stdin.on('end', r).resume());
  } else {
    const peer = arg('--peer')!;
    const started = performance.now();
    const t = await client.add(metainfo, { downloadDir: arg('--dir')!, trackers: false, peers: [{ host: '127.0.0.1', port: Number(peer) }] });
    await t.whenDone();
    emit({ event: 'done', seconds: (performance.now() - started) / 1000, downloaded: t.stats().downloaded });
  }
  await client.stop();
  emit({ event: 'exit', ...usage() });
  process.exit(0);
}

class RsPeer {
  readonly lines: Record<string, unknown>[] = [];
  private readonly proc;
  private readonly exited: Promise<void>;
  private waiters: (() => void)[] = [];
  constructor(args: string[]) {
    this.proc = spawn(process.execPath, ['--import', 'tsx', SELF, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
    createInterface({ input: this.proc.stdout }).on('line', (l) => {
      try {
        this.lines.push(JSON.parse(l) as Record<string, unknown>);
      } catch {
        process.stderr.write(`${l}\n`);
      }
      for (const w of this.waiters.splice(0)) w();
    });
    this.exited = new Promise((r) => this.proc.on('exit', () => r()));
  }
  async event(name: string, timeoutMs = 600_000): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const l = this.lines.find((x) => x.event === name);
      if (l) return l;
      if (this.proc.exitCode !== null || Date.now() > deadline) throw new Error(`ringswarm ${name}: not seen (exit ${this.proc.exitCode})`);
      await Promise.race([new Promise<void>((r) => this.waiters.push(r)), this.exited, new Promise((r) => setTimeout(r, 1000))]);
    }
  }
  async stop(): Promise<Record<string, unknown>> {
    this.proc.stdin.end();
    await this.exited;
    return this.lines.find((x) => x.event === 'exit') ?? {};
  }
}

async function runPair(seedSide: Side, leechSide: Side, dir: string, torrentPath: string): Promise<Report> {
  const leechDir = join(dir, 'leech');
  await rm(leechDir, { recursive: true, force: true });
  await mkdir(leechDir);
  const dbs = join(dir, `db-${seedSide}${leechSide}`);
  let seederPort: number;
  let stopSeeder: () => Promise<{ cpu: number; rss: number }>;
  if (seedSide === 'lt') {
    const s = await LtPeer.start({ torrent: torrentPath, save: join(dir, 'src'), seed: true, timeoutS: 1200 });
    await s.whenDone(600_000);
    seederPort = s.port;
    stopSeeder = async () => {
      const r = (await s.stop()).report;
      return { cpu: Number(r?.cpu), rss: Number(r?.maxrss) };
    };
  } else {
    const s = new RsPeer(['--child', 'seed', '--torrent', torrentPath, '--dir', join(dir, 'src'), '--db', `${dbs}-seed`]);
    seederPort = Number((await s.event('listening')).port);
    stopSeeder = async () => {
      const r = await s.stop();
      return { cpu: Number(r.cpu), rss: Number(r.maxrss) };
    };
  }
  let seconds: number;
  let leech: { cpu: number; rss: number };
  if (leechSide === 'lt') {
    const l = await LtPeer.start({ torrent: torrentPath, save: leechDir, peers: [`127.0.0.1:${seederPort}`], timeoutS: 1200 });
    const done = await l.whenDone(1_200_000);
    const r = (await l.whenExited()).report;
    seconds = Number(done.seconds);
    leech = { cpu: Number(r?.cpu), rss: Number(r?.maxrss) };
  } else {
    const l = new RsPeer(['--child', 'get', '--torrent', torrentPath, '--dir', leechDir, '--db', `${dbs}-get`, '--peer', String(seederPort)]);
    seconds = Number((await l.event('done', 1_200_000)).seconds);
    const r = await l.stop();
    leech = { cpu: Number(r.cpu), rss: Number(r.maxrss) };
  }
  const seed = await stopSeeder();
  await rm(leechDir, { recursive: true, force: true });
  return { seconds, seederCpu: seed.cpu, seederRss: seed.rss, leecherCpu: leech.cpu, leecherRss: leech.rss };
}

async function main(): Promise<void> {
  const size = parseSize(process.argv[2] ?? '1G');
  const pieceLength = process.argv[3] ? parseSize(process.argv[3]) : undefined;
  if (size === undefined) throw new Error(`bad size ${process.argv[2]}`);
  const tmp = await tempDir('ringswarm-bench-transfer-');
  try {
    await mkdir(join(tmp.path, 'src'));
    const fh = await open(join(tmp.path, 'src', 'payload.bin'), 'w');
    const block = Buffer.alloc(16 * 2 ** 20);
    for (let w = 0; w < size; w += block.length) await fh.write(randomFillSync(block), 0, Math.min(block.length, size - w));
    await fh.close();
    const { torrent, metainfo } = await createTorrent(join(tmp.path, 'src', 'payload.bin'), { pieceLength });
    const torrentPath = join(tmp.path, 'payload.torrent');
    await writeFile(torrentPath, torrent);
    console.log(`loopback transfer of ${(size / 2 ** 20).toFixed(0)} MiB, piece length ${metainfo.pieceLength / 1024} KiB, one seeder → one leecher`);
    const pairs: [Side, Side][] = [['lt', 'lt'], ['rs', 'rs'], ['lt', 'rs'], ['rs', 'lt']];
    const name = (s: Side): string => (s === 'rs' ? 'ringswarm' : 'libtorrent');
    const results: [string, Report][] = [];
    for (const [a, b] of pairs) {
      const r = await runPair(a, b, tmp.path, torrentPath);
      results.push([`${name(a)}→${name(b)}`, r]);
      process.stderr.write(`  ${name(a)}→${name(b)} done in ${r.seconds.toFixed(2)} s\n`);
    }
    const base = size / results[0]![1].seconds;
    const mb = (b: number): string => (b / 1e6).toFixed(0).padStart(7);
    console.log(`${'pair'.padEnd(24)} ${'MB/s'.padStart(8)} ${'ratio'.padStart(6)} ${'time s'.padStart(7)} | ${'seed cpu s'.padStart(10)} ${'seed RSS MB'.padStart(11)} | ${'leech cpu s'.padStart(11)} ${'leech RSS MB'.padStart(12)}`);
    for (const [label, r] of results) {
      const rate = size / r.seconds;
      console.log(`${label.padEnd(24)} ${(rate / 1e6).toFixed(1).padStart(8)} ${(rate / base).toFixed(2).padStart(6)} ${r.seconds.toFixed(2).padStart(7)} | ${r.seederCpu.toFixed(2).padStart(10)} ${mb(r.seederRss).padStart(11)} | ${r.leecherCpu.toFixed(2).padStart(11)} ${mb(r.leecherRss).padStart(12)}`);
    }
    console.log('ratio: throughput relative to libtorrent→libtorrent; RSS is each process\'s peak (libtorrent maps files, so its RSS includes mapped pages)');
  } finally {
    await tmp.cleanup();
  }
}

if (process.argv.includes('--child')) await child(process.argv);
else await main();
