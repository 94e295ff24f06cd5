/**
 * UDP announce load generator (BEP 15) against ringswarm's tracker and Debian's opentracker,
 * side by side on 127.0.0.1. Each run: fresh tracker process, `--sockets` client sockets each
 * with `--inflight` announces outstanding, random infohashes from a pool of `--hashes`, a
 * fresh peer id per announce (so the swarm tables grow like a busy tracker's would).
 * Prints announces/s and latency p50/p99 per tracker, then the ratio. Figures, not pass/fail.
 *
 *   npx tsx bench/tracker-udp.ts [--duration 5] [--hashes 1000] [--sockets 8] [--inflight 64]
 *                                [--procs 1|2] [--db] [--only ringswarm|opentracker]
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { randomBytes, randomInt } from 'node:crypto';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as udp from '../tracker/udp-protocol.ts';

interface LoadOptions {
  port: number;
  durationMs: number;
  hashes: number;
  sockets: number;
  inflight: number;
}
interface LoadResult {
  announces: number;
  errors: number;
  timeouts: number;
  latenciesMs: number[];
}

function flag(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return def;
  const v = process.argv[i + 1];
  return v === undefined || v.startsWith('--') ? 'true' : v;
}

/** One socket: connect, then keep `inflight` announces outstanding until the deadline. */
async function drive(o: LoadOptions, pool: Uint8Array[], deadline: number, out: LoadResult): Promise<void> {
  const sock = createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
  const sent = new Map<number, bigint>();
  let cid = 0n;
  let tid = randomInt(2 ** 31);
  let done: () => void = () => undefined;
  const finished = new Promise<void>((r) => (done = r));

  const announce = (): void => {
    if (Date.now() >= deadline) {
      if (sent.size === 0) done();
      return;
    }
    tid = (tid + 1) >>> 0;
    sent.set(tid, process.hrtime.bigint());
    const pkt = udp.encodeAnnounceRequest({
      connectionId: cid, transactionId: tid, infoHash: pool[randomInt(pool.length)] as Uint8Array, peerId: randomBytes(20),
      downloaded: 0n, left: BigInt(randomInt(2)), uploaded: 0n, event: 'started', ip: 0, key: 0, numwant: 50, port: 1024 + randomInt(60000),
    });
    sock.send(pkt, o.port, '127.0.0.1');
  };

  sock.on('message', (m) => {
    const r = udp.decodeResponse(new Uint8Array(m));
    if (!r) return;
    if (r.action === 'connect') {
      cid = r.connectionId;
      for (let i = 0; i < o.inflight; i++) announce();
      return;
    }
    const t0 = sent.get(r.transactionId);
    if (t0 === undefined) return;
    sent.delete(r.transactionId);
    if (r.action === 'announce') {
      out.announces++;
      out.latenciesMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
    } else out.errors++;
    announce();
  });
  // Lost datagrams (full socket buffers) would stall a slot forever: recycle stale ones.
  const sweeper = setInterval(() => {
    const now = process.hrtime.bigint();
    for (const [t, at] of sent) {
      if (now - at > 1_000_000_000n) {
        sent.delete(t);
        out.timeouts++;
        announce();
      }
    }
    if (Date.now() >= deadline + 1500) done();
  }, 200);
  sock.send(udp.encodeConnectRequest(1), o.port, '127.0.0.1');
  await finished;
  clearInterval(sweeper);
  sock.close();
}

async function runLoad(o: LoadOptions): Promise<LoadResult> {
  const pool = hashPool(o.hashes);
  const out: LoadResult = { announces: 0, errors: 0, timeouts: 0, latenciesMs: [] };
  const deadline = Date.now() + o.durationMs;
  await Promise.all(Array.from({ length: o.sockets }, () => drive(o, pool, deadline, out)));
  return out;
}

/** Run the load in `procs` processes (this file with --worker) and merge. */
async function load(o: LoadOptions, procs: number): Promise<LoadResult> {
  if (procs <= 1) return runLoad(o);
  const self = fileURLToPath(import.meta.url);
  const parts = await Promise.all(
    Array.from({ length: procs }, () => new Promise<LoadResult>((resolve, reject) => {
      const c = fork(self, ['--worker', JSON.stringify(o)], { execArgv: ['--import', 'tsx'] });
      c.once('message', (m) => resolve(m as LoadResult));
      c.once('exit', (code) => code !== 0 && reject(new Error(`worker exited ${code}`)));
    })),
  );
  return parts.reduce((a, b) => ({ announces: a.announces + b.announces, errors: a.errors + b.errors, timeouts: a.timeouts + b.timeouts, latenciesMs: a.latenciesMs.concat(b.latenciesMs) }));
}

function pct(sorted: number[], p: number): number {
  return sorted.length === 0 ? NaN : (sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number);
}

async function waitUdp(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = createSocket('udp4');
      const t = setTimeout(() => { s.close(); resolve(false); }, 100);
      s.on('message', () => { clearTimeout(t); s.close(); resolve(true); });
      s.bind(0, '127.0.0.1', () => s.send(udp.encodeConnectRequest(9), port, '127.0.0.1'));
    });
    if (ok) return;
  }
  throw new Error(`tracker on udp port ${port} never answered`);
}

/** The same infohash pool every generator uses (index in the first 4 bytes). */
function hashPool(n: number): Uint8Array[] {
  return Array.from({ length: n }, (_, i) => {
    const b = new Uint8Array(20);
    new DataView(b.buffer).setUint32(0, i);
    return b;
  });
}

/**
 * Debian builds opentracker in whitelist mode (README.Debian), so it answers only for listed
 * infohashes: give it a config whose whitelist holds the bench's pool.
 */
async function opentrackerConfig(dir: string, hashes: number): Promise<string> {
  const wl = join(dir, 'whitelist.txt');
  await writeFile(wl, hashPool(hashes).map((h) => Buffer.from(h).toString('hex')).join('\n') + '\n');
  const conf = join(dir, 'opentracker.conf');
  await writeFile(conf, `access.whitelist ${wl}\n`);
  await chmod(dir, 0o755);
  return conf;
}

async function startTarget(name: string, port: number, db: string | undefined, hashes: number, scratch: string): Promise<ChildProcess> {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const child = name === 'opentracker'
    ? spawn('opentracker', ['-i', '127.0.0.1', '-p', String(port), '-P', String(port), '-f', await opentrackerConfig(scratch, hashes)], { stdio: 'ignore' })
    : spawn(process.execPath, ['--import', 'tsx', join(root, 'test/helpers/tracker-entry.ts'), '--host', '127.0.0.1', '--port', String(port), ...(db ? ['--db', db] : [])], { stdio: 'ignore', cwd: root });
  await waitUdp(port);
  return child;
}

async function main(): Promise<void> {
  if (process.argv[2] === '--worker') {
    const r = await runLoad(JSON.parse(process.argv[3] as string) as LoadOptions);
    process.send?.(r, () => process.exit(0));
    return;
  }
  const o = { durationMs: Number(flag('duration', '5')) * 1000, hashes: Number(flag('hashes', '1000')), sockets: Number(flag('sockets', '8')), inflight: Number(flag('inflight', '64')) };
  const procs = Number(flag('procs', '1'));
  const only = flag('only', '');
  const useDb = flag('db', 'false') === 'true';
  console.log(`UDP announce load: ${o.durationMs / 1000} s, ${o.hashes} infohashes, ${o.sockets} sockets × ${o.inflight} in flight, ${procs} generator process(es)${useDb ? ', ringswarm with --db' : ''}`);
  const rates: Record<string, number> = {};
  for (const name of ['ringswarm', 'opentracker']) {
    if (only && only !== name) continue;
    const port = randomInt(20_000, 40_000);
    const scratch = await mkdtemp(join(tmpdir(), 'ringswarm-bench-'));
    const db = useDb && name === 'ringswarm' ? join(scratch, 'db') : undefined;
    let child: ChildProcess | undefined;
    try {
      child = await startTarget(name, port, db, o.hashes, scratch);
      const r = await load({ ...o, port }, procs);
      const lat = r.latenciesMs.sort((a, b) => a - b);
      rates[name] = r.announces / (o.durationMs / 1000);
      console.log(`${name.padEnd(12)} ${rates[name]!.toFixed(0).padStart(8)} announces/s   p50 ${pct(lat, 50).toFixed(2)} ms   p99 ${pct(lat, 99).toFixed(2)} ms   (errors ${r.errors}, lost ${r.timeouts})`);
    } catch (e) {
      console.log(`${name.padEnd(12)} unavailable: ${(e as Error).message}`);
    } finally {
      child?.kill('SIGTERM');
      await rm(scratch, { recursive: true, force: true });
    }
  }
  if (rates.ringswarm && rates.opentracker) console.log(`ratio ringswarm / opentracker: ${(rates.ringswarm / rates.opentracker).toFixed(2)}`);
}

await main();
