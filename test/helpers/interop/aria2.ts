/**
 * aria2c as a one-shot leecher for interop tests: downloads a .torrent into a directory and
 * exits (--seed-time=0). aria2 finds peers only through a tracker or DHT, so the torrent must
 * announce to a tracker on 127.0.0.1 (ringswarm's TrackerServer); DHT, LPD and PEX are off, so
 * nothing leaves the host.
 */
import { spawn } from 'node:child_process';
import { freePort } from '../free-port.ts';

export interface Aria2Result {
  code: number | null;
  out: string;
}

export async function runAria2(torrent: string, dir: string, timeoutMs = 60_000): Promise<Aria2Result> {
  const port = await freePort();
  const args = [
    '--enable-dht=false', '--enable-dht6=false', '--bt-enable-lpd=false', '--enable-peer-exchange=false',
    '--seed-time=0', `--listen-port=${port}`, '--disable-ipv6=true', '--summary-interval=0',
    '--console-log-level=warn', '--bt-stop-timeout=0', '--dir', dir, torrent,
  ];
  return new Promise((resolve) => {
    const c = spawn('aria2c', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    c.stdout.on('data', (d: Buffer) => (out += d.toString()));
    c.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const t = setTimeout(() => c.kill('SIGKILL'), timeoutMs);
    c.on('exit', (code) => {
      clearTimeout(t);
      resolve({ code, out });
    });
  });
}
