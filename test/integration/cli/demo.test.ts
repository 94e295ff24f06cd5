import { describe, it, expect, afterAll } from 'vitest';
import { spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '../../helpers/tmp.ts';

const root = join(import.meta.dirname, '../../..');

function run(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

const dirs: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of dirs) await c();
});

describe('ringswarm demo (child process)', () => {
  it('--quick --no-tui runs P2P then client-server, prints the comparison and writes the figures', async () => {
    const tmp = await tempDir('ringswarm-demo-');
    dirs.push(tmp.cleanup);
    const out = join(tmp.path, 'results');
    const r = await run(['demo', '--quick', '--no-tui', '--no-png', '--out', out]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/1\) P2P: tracker \+ 4-node Chord DHT \+ seeder \+ 4 BitTorrent peers/);
    expect(r.out).toMatch(/2\) client-server: one HTTP server, 4 clients/);
    expect(r.out).toMatch(/P2P\s+\d+\.\d+ s\s+\d+\.\d+ s\s+\d\.\d{3}/);
    expect(r.out).toMatch(/client-server\s+\d+\.\d+ s\s+4\.00 s\s+\d\.\d{3}\s+server/);
    expect(r.out).toMatch(/faster than client-server/);
    expect(r.out).toContain(join(out, 'distribution-time-vs-n.svg'));
    const files = await readdir(out);
    expect(files).toEqual(expect.arrayContaining(['demo.json', 'demo-runs.csv', 'demo-peers.csv', 'distribution-time-vs-n.svg', 'completion-cdf.svg', 'upload-utilisation.svg']));
  }, 90_000);

  it('lab run rejects a bad scenario before starting anything', async () => {
    const r = await run(['lab', 'run', '--n', '0', '--peer-up', '-1']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/n \(number of peers\)/);
    expect(r.err).toMatch(/peerUp/);
  }, 30_000);

  it('lab run --shaping kernel refuses DHT discovery and an unknown shaping', async () => {
    const dht = await run(['lab', 'run', '--mode', 'p2p', '--discovery', 'dht', '--shaping', 'kernel']);
    expect(dht.code).toBe(2);
    expect(dht.err).toMatch(/discovery 'tracker'/);
    const bad = await run(['lab', 'run', '--shaping', 'magic']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--shaping must be throttle or kernel/);
  }, 30_000);
});
