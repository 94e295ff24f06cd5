/**
 * Throttle fidelity of the client-server baseline: one HTTP download of F bytes with the
 * server's upload (or the client's download, or both) limited to r. The lab's client-server
 * points are only as good as this: the measured time should be F/r within 3%.
 *
 *   npx tsx bench/http-throttle.ts [sizeMiB=8] [rateMiB=2]
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpClient } from '../src/http/client.ts';
import { HttpFileServer } from '../src/http/server.ts';
import { hostThrottle } from '../src/net/throttle.ts';

const MiB = 1024 * 1024;
const F = Number(process.argv[2] ?? 8) * MiB;
const r = Number(process.argv[3] ?? 2) * MiB;

async function once(label: string, serverUp: number, clientDown: number, dir: string): Promise<void> {
  const server = new HttpFileServer({ root: dir, throttle: hostThrottle({ up: serverUp }) });
  const port = await server.start();
  const client = new HttpClient({ endpoint: { host: '127.0.0.1', port }, throttle: hostThrottle({ down: clientDown }) });
  let bytes = 0;
  const t0 = performance.now();
  const res = await client.get('/file.bin', { onBody: (c) => (bytes += c.length) });
  const s = (performance.now() - t0) / 1000;
  client.close();
  await server.stop();
  if (res.status !== 200 || bytes !== F) throw new Error(`bad transfer: ${res.status}, ${bytes} bytes`);
  const ideal = F / r;
  const err = ((s - ideal) / ideal) * 100;
  console.log(`${label.padEnd(22)} ${(F / MiB).toFixed(0)} MiB at ${(r / MiB).toFixed(2)} MiB/s: ${s.toFixed(3)} s vs F/r = ${ideal.toFixed(3)} s, error ${err >= 0 ? '+' : ''}${err.toFixed(2)}% ${Math.abs(err) <= 3 ? '(within 3%)' : '(OUTSIDE 3%)'}`);
}

const dir = await mkdtemp(join(tmpdir(), 'rs-bench-http-'));
try {
  await writeFile(join(dir, 'file.bin'), new Uint8Array(F).map((_, i) => i & 0xff));
  await once('server upload = r', r, Infinity, dir);
  await once('client download = r', Infinity, r, dir);
  await once('both = r', r, r, dir);
} finally {
  await rm(dir, { recursive: true, force: true });
}
