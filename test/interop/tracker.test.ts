/**
 * Interop: a libtorrent seeder (Debian's python3-libtorrent) and an aria2c leecher find each
 * other through ringswarm's tracker and complete a download, once over HTTP announce and once
 * over UDP announce; scrape then reports the right counts. Everything listens on 127.0.0.1.
 *
 * aria2 only speaks UDP trackers through its DHT socket, so the UDP run enables aria2's DHT —
 * with no entry point and a fresh empty routing-table file, so it contacts nobody.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { freePort } from '../helpers/free-port.ts';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TrackerServer } from '../../tracker/server.ts';
import { httpScrape } from '../../tracker/http-announce.ts';
import { udpScrape } from '../../tracker/udp-announce.ts';
import { parseTorrent } from '../../src/codec/metainfo.ts';
import { tempDir } from '../helpers/tmp.ts';

const PY = '/usr/bin/python3';
const missing = [
  spawnSync(PY, ['-c', 'import libtorrent'], { stdio: 'ignore' }).status === 0 ? undefined : 'python3-libtorrent',
  spawnSync('aria2c', ['--version'], { stdio: 'ignore' }).status === 0 ? undefined : 'aria2c',
  spawnSync('mktorrent', ['-h'], { stdio: 'ignore' }).error ? 'mktorrent' : undefined,
].filter(Boolean);
if (missing.length > 0) {
  if (process.env.CI) throw new Error(`interop tools missing in CI: ${missing.join(', ')}`);
  console.warn(`skipping tracker interop: missing ${missing.join(', ')}`);
}

const SEEDER = `
import sys, time, libtorrent as lt
s = lt.session({'listen_interfaces': '127.0.0.1:0', 'enable_dht': False, 'enable_lsd': False,
  'enable_upnp': False, 'enable_natpmp': False, 'allow_multiple_connections_per_ip': True,
  'alert_mask': lt.alert.category_t.error_notification | lt.alert.category_t.tracker_notification})
h = s.add_torrent({'ti': lt.torrent_info(sys.argv[1]), 'save_path': sys.argv[2]})
deadline = time.time() + 30
while time.time() < deadline:
    for a in s.pop_alerts():
        if isinstance(a, (lt.tracker_error_alert, lt.tracker_warning_alert)):
            print('TRACKER', a.message(), flush=True)
        if isinstance(a, lt.tracker_reply_alert) and h.status().is_seeding:
            print('SEEDING', s.listen_port(), flush=True)
            deadline = 0
    time.sleep(0.05)
sys.stdin.read()
`;

let server: TrackerServer;
const children: ChildProcess[] = [];

beforeAll(async () => {
  if (missing.length > 0) return;
  server = new TrackerServer({}, { host: '127.0.0.1', port: 0, interval: 30 });
  await server.start();
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await server?.stop();
});

function run(cmd: string, args: string[], cwd: string, timeoutMs: number): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const c = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    c.stdout.on('data', (d) => (out += d));
    c.stderr.on('data', (d) => (out += d));
    const t = setTimeout(() => c.kill('SIGKILL'), timeoutMs);
    c.on('exit', (code) => {
      clearTimeout(t);
      resolve({ code, out });
    });
  });
}

async function swarmOnce(kind: 'http' | 'udp'): Promise<void> {
  const dir = await tempDir('ringswarm-interop-');
  try {
    const announce = kind === 'http' ? server.announceUrls.http : server.announceUrls.udp;
    await mkdir(join(dir.path, 'seed'));
    await mkdir(join(dir.path, 'leech'));
    const payload = randomBytes(1_500_000);
    await writeFile(join(dir.path, 'seed', 'payload.bin'), payload);
    const mk = await run('mktorrent', ['-l', '16', '-a', announce, '-o', join(dir.path, 't.torrent'), join(dir.path, 'seed', 'payload.bin')], dir.path, 20_000);
    expect(mk.code, mk.out).toBe(0);
    await writeFile(join(dir.path, 'seeder.py'), SEEDER);

    const seeder = spawn(PY, [join(dir.path, 'seeder.py'), join(dir.path, 't.torrent'), join(dir.path, 'seed')], { stdio: ['pipe', 'pipe', 'pipe'] });
    children.push(seeder);
    let seederOut = '';
    await new Promise<void>((resolve, reject) => {
      seeder.stdout.on('data', (d) => {
        seederOut += d;
        if (seederOut.includes('SEEDING')) resolve();
      });
      seeder.stderr.on('data', (d) => (seederOut += d));
      seeder.on('exit', () => reject(new Error(`seeder exited: ${seederOut}`)));
    });

    const port = await freePort();
    const dhtPort = await freePort();
    const udpFlags = kind === 'udp' ? ['--enable-dht=true', `--dht-listen-port=${dhtPort}`, `--dht-file-path=${join(dir.path, 'dht.dat')}`] : ['--enable-dht=false'];
    const aria = await run(
      'aria2c',
      [...udpFlags, '--enable-dht6=false', '--bt-enable-lpd=false', '--enable-peer-exchange=false', '--seed-time=0', `--listen-port=${port}`, '--disable-ipv6=true', '--summary-interval=0', '--console-log-level=warn', '--dir', join(dir.path, 'leech'), join(dir.path, 't.torrent')],
      dir.path,
      40_000,
    );
    expect(aria.code, aria.out).toBe(0);
    expect(Buffer.compare(await readFile(join(dir.path, 'leech', 'payload.bin')), payload)).toBe(0);

    // aria2 has stopped (left=0): one seed (libtorrent) remains, one download completed.
    const ih = parseTorrent(await readFile(join(dir.path, 't.torrent'))).infoHash;
    const counts = kind === 'http' ? await httpScrape(announce, ih) : await udpScrape(announce, ih);
    expect(counts).toEqual({ complete: 1, incomplete: 0, downloaded: 1 });
    seeder.stdin.end();
  } finally {
    await dir.cleanup();
  }
}

describe.skipIf(missing.length > 0)('tracker interop: libtorrent seeder → aria2c leecher', () => {
  it('over HTTP announce', () => swarmOnce('http'), 60_000);
  it('over UDP announce', () => swarmOnce('udp'), 60_000);
});
