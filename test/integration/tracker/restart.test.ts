import { describe, it, expect, afterEach } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { tempDir } from '../../helpers/tmp.ts';
import { bdecode, bdict, bget } from '../../../src/codec/bencode.ts';
import { decodeCompactPeers } from '../../../src/naming/endpoint.ts';

const ENTRY = new URL('../../helpers/tracker-entry.ts', import.meta.url).pathname;
const enc = (b: Uint8Array): string => [...b].map((x) => '%' + x.toString(16).padStart(2, '0')).join('');
const IH = Uint8Array.from({ length: 20 }, (_, i) => 0xf0 ^ i);
const peerId = (n: number): Uint8Array => Uint8Array.from({ length: 20 }, (_, i) => n + i);

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});

/** Start the tracker CLI in a child process; resolves with its port once it prints its URLs. */
async function startChild(db: string, port: number): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', ENTRY, '--host', '127.0.0.1', '--port', String(port), '--db', db, '--interval', '60'], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /announce http:\/\/127\.0\.0\.1:(\d+)\/announce/.exec(out);
      if (m) resolve({ child, port: Number(m[1]) });
    });
    child.on('exit', (code) => reject(new Error(`tracker exited ${code}: ${err}`)));
  });
}

async function announce(port: number, n: number, left = 10): Promise<{ host: string; port: number }[]> {
  const q = `info_hash=${enc(IH)}&peer_id=${enc(peerId(n))}&port=${9000 + n}&left=${left}&event=started`;
  const res = await fetch(`http://127.0.0.1:${port}/announce?${q}`);
  const d = bdict(bdecode(new Uint8Array(await res.arrayBuffer())));
  return decodeCompactPeers(bget(d, 'peers') as Uint8Array, 4).sort((a, b) => a.port - b.port);
}

describe('tracker restart (SIGKILL) keeps the swarm', () => {
  it('peers registered before the kill are returned after the restart', async () => {
    const dir = await tempDir('ringswarm-tracker-');
    try {
      const first = await startChild(dir.path, 0);
      await announce(first.port, 1);
      await announce(first.port, 2, 0);
      await announce(first.port, 3);
      first.child.kill('SIGKILL'); // no clean shutdown: only what was written through survives
      await once(first.child, 'exit');

      const second = await startChild(dir.path, first.port);
      const peers = await announce(second.port, 4);
      expect(peers).toEqual([9001, 9002, 9003].map((p) => ({ host: '127.0.0.1', port: p })));
      const scrape = bdict(bdecode(new Uint8Array(await (await fetch(`http://127.0.0.1:${second.port}/scrape?info_hash=${enc(IH)}`)).arrayBuffer())));
      const entry = bdict(bdict(bget(scrape, 'files')).get(String.fromCharCode(...IH)));
      expect(Object.fromEntries(entry)).toMatchObject({ complete: 1, incomplete: 3 });

      // A clean SIGTERM stop exits 0.
      second.child.kill('SIGTERM');
      const [code] = await once(second.child, 'exit');
      expect(code).toBe(0);
    } finally {
      await dir.cleanup();
    }
  });
});
