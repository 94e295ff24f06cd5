/**
 * libtorrent (python3-libtorrent) downloads from a `ringswarm seed` child process given nothing
 * but a magnet link with x.pe=127.0.0.1:PORT: it must fetch the info dict from us over
 * ut_metadata (BEP 9), then the data; the files must match byte for byte. libtorrent's DHT, LSD,
 * UPnP and NAT-PMP are off and our seeder runs with --no-lsd: nothing leaves 127.0.0.1.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { tempDir } from '../helpers/tmp.ts';
import { missingTools, PYTHON } from '../helpers/interop/tools.ts';
import { CliChild } from '../helpers/interop/cli-child.ts';
import { diffTrees, writeTree, type TreeSpec } from '../helpers/interop/fixtures.ts';

const missing = missingTools('magnet interop with libtorrent', 'python3-libtorrent');
const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await Promise.resolve(c()).catch(() => undefined);
});

/** Adds the magnet (its x.pe peers included), waits for seeding, prints JSON lines. */
const SCRIPT = String.raw`
import json, sys, time
import libtorrent as lt
uri, save, timeout = sys.argv[1], sys.argv[2], float(sys.argv[3])
def emit(event, **kw):
    kw['event'] = event
    print(json.dumps(kw), flush=True)
s = lt.session({'listen_interfaces': '127.0.0.1:0', 'enable_dht': False, 'enable_lsd': False,
                'enable_upnp': False, 'enable_natpmp': False, 'enable_incoming_utp': False,
                'enable_outgoing_utp': False, 'allow_multiple_connections_per_ip': True})
atp = lt.parse_magnet_uri(uri)
atp.save_path = save
emit('parsed', peers=['%s:%d' % p for p in atp.peers])
h = s.add_torrent(atp)
start = time.time()
metadata = False
while time.time() - start < timeout:
    st = h.status()
    if st.has_metadata and not metadata:
        metadata = True
        emit('metadata', name=h.torrent_file().name(), seconds=time.time() - start)
    if st.is_seeding:
        emit('done', seconds=time.time() - start, downloaded=st.total_payload_download)
        sys.exit(0)
    time.sleep(0.1)
emit('timeout', progress=st.progress, peers=st.num_peers, metadata=st.has_metadata)
sys.exit(1)
`;

function runLt(uri: string, save: string, timeoutS: number): Promise<{ code: number | null; lines: Record<string, unknown>[]; log: string }> {
  const child = spawn(PYTHON, ['-c', SCRIPT, uri, save, String(timeoutS)], { stdio: ['ignore', 'pipe', 'pipe'] });
  cleanups.push(() => void child.kill('SIGKILL'));
  const lines: Record<string, unknown>[] = [];
  let log = '';
  child.stderr.on('data', (d: Buffer) => (log += d.toString()));
  createInterface({ input: child.stdout }).on('line', (l) => {
    log += l + '\n';
    try {
      lines.push(JSON.parse(l) as Record<string, unknown>);
    } catch {
      // not ours
    }
  });
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, lines, log })));
}

const SPEC: TreeSpec = { 'one.bin': 900_001, 'two/three.bin': 65_536 };

describe.skipIf(missing.length > 0)('magnet interop: libtorrent', () => {
  it('libtorrent gets the metadata and the data from a ringswarm seeder through a magnet link with x.pe', async () => {
    const d = await tempDir('ringswarm-ltmag-');
    cleanups.push(d.cleanup);
    const env = { XDG_DATA_HOME: join(d.path, 'data'), XDG_RUNTIME_DIR: join(d.path, 'run') };
    await mkdir(env.XDG_RUNTIME_DIR, { mode: 0o700 });
    await writeTree(join(d.path, 'share'), SPEC);
    const seeder = new CliChild(['seed', join(d.path, 'share'), '--host', '127.0.0.1', '--port', '0', '--db', join(d.path, 'db'), '--no-lsd', '--no-dht', '--json'], env);
    cleanups.push(() => seeder.kill());
    const seeding = await seeder.event('seeding', 30_000);
    const magnet = `magnet:?xt=urn:btih:${String(seeding.infoHash)}&dn=share&x.pe=127.0.0.1:${String(seeding.port)}`;
    const out = join(d.path, 'out');
    await mkdir(out);
    const r = await runLt(magnet, out, 45);
    expect(r.lines.find((l) => l.event === 'parsed')?.peers, r.log).toEqual([`127.0.0.1:${String(seeding.port)}`]);
    expect(r.lines.find((l) => l.event === 'metadata')?.name, r.log).toBe('share');
    expect(r.code, r.log).toBe(0);
    expect(await diffTrees(join(d.path, 'share'), join(out, 'share'), SPEC)).toEqual([]);
  }, 60_000);
});
