/**
 * What the control socket costs a transferring process.
 *
 *   npx tsx bench/tui-overhead.ts [sizeMiB=2048] [pieces=4096] [peers=50]
 *
 * 1. Per tick: build + msgpack-encode one snapshot of a torrent with `pieces` pieces and `peers`
 *    peers (60-sample histories), as ControlServer does; the CPU share at 4 ticks/s.
 * 2. Interference: a loopback TCP transfer of sizeMiB in this process, alternately with the
 *    attached TUI process unsubscribed and subscribed (ControlServer streaming those
 *    snapshots 4×/s to it, as `ringswarm tui` would). Throughputs and the loss are printed.
 *    The real swarm version of this (a ringswarm transfer with the TUI attached) replaces the
 *    raw TCP stream once the peer client lands. Prints figures; never pass/fail.
 */
import { spawn } from 'node:child_process';
import { createConnection, createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { connectControl } from '../src/control/client.ts';
import { encodeMessage } from '../src/control/protocol.ts';
import { ControlServer } from '../src/control/server.ts';
import { bitsFrom, peerFlags, SNAPSHOT_VERSION, type PeerView, type SnapshotBody } from '../src/control/snapshot.ts';
import { tempDir } from '../test/helpers/tmp.ts';

if (process.argv[2] === '--subscriber') {
  // Child mode: attach like the TUI does; stdin lines 'sub' / 'unsub' toggle the stream.
  const c = await connectControl(process.argv[3] as string);
  let n = 0;
  c.on('snapshot', () => n++);
  process.stdout.write('attached\n');
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (d: string) => {
    for (const line of d.split('\n')) {
      if (line === 'sub') c.subscribe();
      if (line === 'unsub') {
        c.unsubscribe();
        process.stdout.write(`${n}\n`);
      }
    }
  });
  process.stdin.on('end', () => c.close());
} else {
  await main();
}

function body(pieces: number, peers: number, tick: number): SnapshotBody {
  const hist = () => Array.from({ length: 60 }, (_, i) => (i * 7919 + tick) % 100_000);
  const peerList: PeerView[] = Array.from({ length: peers }, (_, i) => {
    const p = {
      address: `10.0.${i >> 8}.${i & 255}:6881`, client: 'libtorrent 2.0.9', progress: i / peers, downRate: i * 1000, upRate: i * 100, flags: '',
      amChoking: i % 2 === 0, amInterested: true, peerChoking: i % 3 === 0, peerInterested: i % 5 === 0, optimistic: i === 7, snubbed: false, incoming: i % 4 === 0,
      downloaded: i * 1e6, uploaded: i * 1e5, history: { intervalMs: 1000, down: hist(), up: hist() },
    };
    return { ...p, flags: peerFlags(p) };
  });
  return {
    process: { kind: 'client', pid: process.pid, started: 0 },
    torrents: [{
      infoHash: 'ab'.repeat(20), name: 'bench.bin', size: pieces * 262144, progress: 0.5, state: 'downloading', downRate: 1e8, upRate: 1e7,
      downloaded: 1e9, uploaded: 1e8, ratio: 0.1, peers, seeds: 5, eta: 60, pieceCount: pieces, pieceLength: 262144,
      pieces: {
        have: bitsFrom(pieces, (i) => (i * 2654435761) % 7 < 3 + (tick % 4)),
        downloading: bitsFrom(pieces, (i) => i % 97 === tick % 97),
        availability: Uint8Array.from({ length: pieces }, (_, i) => (i * 31) % 50),
      },
      peerList,
      history: { intervalMs: 1000, down: hist(), up: hist() },
    }],
  };
}

async function transfer(bytes: number): Promise<number> {
  const server = createServer((s) => s.resume());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  const chunk = Buffer.alloc(256 * 1024, 7);
  const start = process.hrtime.bigint();
  await new Promise<void>((resolve, reject) => {
    const s = createConnection({ host: '127.0.0.1', port });
    s.on('error', reject);
    let sent = 0;
    const pump = () => {
      while (sent < bytes) {
        sent += chunk.length;
        if (!s.write(chunk)) return void s.once('drain', pump);
      }
      s.end();
    };
    s.on('connect', pump);
    s.on('close', () => resolve());
  });
  const secs = Number(process.hrtime.bigint() - start) / 1e9;
  await new Promise<void>((r) => server.close(() => r()));
  return bytes / secs;
}

async function main(): Promise<void> {
  const sizeMiB = Number(process.argv[2] ?? 2048);
  const pieces = Number(process.argv[3] ?? 4096);
  const peers = Number(process.argv[4] ?? 50);
  const bytes = sizeMiB * 2 ** 20;

  // 1. Cost per tick.
  const N = 200;
  let size = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) size = encodeMessage({ t: 'snapshot', snapshot: { v: SNAPSHOT_VERSION, seq: i, at: Date.now(), ...body(pieces, peers, i) } }).length;
  const perTickMs = Number(process.hrtime.bigint() - t0) / 1e6 / N;
  console.log(`snapshot: ${pieces} pieces, ${peers} peers → ${(size / 1024).toFixed(1)} KiB; build+encode ${perTickMs.toFixed(3)} ms/tick = ${((perTickMs * 4) / 10).toFixed(3)}% of one core at 4 ticks/s`);

  // 2. Interference with a transfer.
  const dir = await tempDir('rs-bench-tui-');
  try {
    const path = join(dir.path, 'client.sock');
    let tick = 0;
    const ctl = new ControlServer({ snapshot: () => body(pieces, peers, tick++) }, { kind: 'client', path, intervalMs: 250 });
    const runs: { mode: string; rate: number }[] = [];
    // The control socket is up the whole time with a TUI process attached; only its
    // subscription is toggled, so process start-up and page-cache effects do not count.
    await ctl.start();
    const child = spawn(process.execPath, ['--import', 'tsx', import.meta.filename, '--subscriber', path], { stdio: ['pipe', 'pipe', 'inherit'] });
    let got = '';
    child.stdout.on('data', (d: Buffer) => (got += d.toString()));
    while (!got.includes('attached')) await new Promise((r) => setTimeout(r, 20));
    await transfer(64 * 2 ** 20); // warm-up
    const tuiRun = async () => {
      child.stdin.write('sub\n');
      await new Promise((r) => setTimeout(r, 300));
      runs.push({ mode: 'tui', rate: await transfer(bytes) });
      child.stdin.write('unsub\n');
      await new Promise((r) => setTimeout(r, 100));
    };
    for (let round = 0; round < 4; round++) {
      // Alternate the order so drift (thermal, other load) does not favour one mode.
      if (round % 2 === 1) await tuiRun();
      runs.push({ mode: 'bare', rate: await transfer(bytes) });
      if (round % 2 === 0) await tuiRun();
    }
    child.stdin.end();
    await new Promise((r) => child.once('exit', r));
    await ctl.stop();
    console.log(`subscriber received ${got.trim().split('\n').pop()} snapshots in total`);
    const mean = (m: string) => {
      const xs = runs.filter((r) => r.mode === m).map((r) => r.rate);
      return xs.reduce((a, b) => a + b, 0) / xs.length;
    };
    for (const r of runs) console.log(`  ${r.mode.padEnd(4)} ${(r.rate / 2 ** 20).toFixed(0)} MiB/s`);
    const bare = mean('bare');
    const tui = mean('tui');
    console.log(`loopback ${sizeMiB} MiB ×4: bare ${(bare / 2 ** 20).toFixed(0)} MiB/s, with control socket + subscriber ${(tui / 2 ** 20).toFixed(0)} MiB/s, loss ${(((bare - tui) / bare) * 100).toFixed(1)}%`);
  } finally {
    await dir.cleanup();
  }
}
