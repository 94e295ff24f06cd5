import { describe, it, expect, afterEach } from 'vitest';
import { chmod, lstat, mkdir, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { tempDir } from '../../helpers/tmp.ts';
import { ControlServer } from '../../../src/control/server.ts';
import { ControlClient, connectControl } from '../../../src/control/client.ts';
import { encodeFrame } from '../../../src/net/framer.ts';
import { encodeMessage, type ControlCommand } from '../../../src/control/protocol.ts';
import { listControlSockets, defaultSocketPath } from '../../../src/control/paths.ts';
import type { SnapshotBody } from '../../../src/control/snapshot.ts';
import { ConfigError, NetworkError } from '../../../src/errors.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(o: { handle?: (c: ControlCommand) => void | Promise<void>; intervalMs?: number } = {}) {
  const dir = await tempDir('rs-control-');
  cleanups.push(dir.cleanup);
  let tick = 0;
  const body = (): SnapshotBody => ({
    process: { kind: 'client', pid: process.pid, started: 1 },
    torrents: [
      {
        infoHash: 'ab'.repeat(20), name: 'file.iso', size: 1000, progress: tick++ / 10, state: 'downloading',
        downRate: 10, upRate: 5, downloaded: 100, uploaded: 50, ratio: 0.5, peers: 2, seeds: 1, eta: 90, pieceCount: 10,
        pieces: { have: new Uint8Array([0xf0, 0]), downloading: new Uint8Array([0x08, 0]), availability: new Uint8Array(10).fill(2) },
      },
    ],
  });
  const sockDir = join(dir.path, 'run');
  const path = defaultSocketPath('client', process.pid, sockDir);
  const { ensurePrivateDir } = await import('../../../src/control/paths.ts');
  await ensurePrivateDir(sockDir);
  const server = new ControlServer({ snapshot: body, handle: o.handle }, { kind: 'client', path, intervalMs: o.intervalMs ?? 50 });
  await server.start();
  cleanups.push(() => server.stop());
  return { server, path, dir: dir.path, sockDir };
}

async function client(path: string): Promise<ControlClient> {
  const c = await connectControl(path);
  cleanups.push(() => c.close());
  return c;
}

const nextClose = (c: ControlClient) => new Promise<Error | undefined>((r) => c.once('close', r));

describe('control socket', () => {
  it('greets with hello and streams snapshots to subscribers only', async () => {
    const { path } = await setup();
    const c = await client(path);
    expect(c.process.kind).toBe('client');
    expect(c.process.pid).toBe(process.pid);
    let unsolicited = 0;
    c.on('snapshot', () => unsolicited++);
    await new Promise((r) => setTimeout(r, 150));
    expect(unsolicited).toBe(0);
    c.removeAllListeners('snapshot');
    const got: number[] = [];
    c.on('snapshot', (s) => got.push(s.seq));
    c.subscribe();
    await new Promise((r) => setTimeout(r, 400));
    expect(got.length).toBeGreaterThanOrEqual(3);
    for (let i = 1; i < got.length; i++) expect(got[i]).toBeGreaterThan(got[i - 1] as number);
    const s = await c.get();
    expect(s.torrents?.[0]?.name).toBe('file.iso');
    expect(s.torrents?.[0]?.pieces?.have[0]).toBe(0xf0);
  });

  it('dispatches commands to the handler and returns typed failures', async () => {
    const seen: ControlCommand[] = [];
    const { path } = await setup({
      handle: (cmd) => {
        seen.push(cmd);
        if (cmd.op === 'add') throw new ConfigError('no such torrent');
      },
    });
    const c = await client(path);
    await c.command({ op: 'pause', infoHash: 'ab'.repeat(20) });
    await c.command({ op: 'limits', down: 1000, up: 0 });
    await expect(c.command({ op: 'add', source: '/nope.torrent' })).rejects.toMatchObject({ code: 'CONFIG', message: 'no such torrent' });
    expect(seen).toEqual([
      { op: 'pause', infoHash: 'ab'.repeat(20) },
      { op: 'limits', down: 1000, up: 0 },
      { op: 'add', source: '/nope.torrent' },
    ]);
  });

  it('rejects garbage with error frames, disconnects repeat offenders, and lives on', async () => {
    const { path, server } = await setup();
    const rejected: string[] = [];
    server.on('rejected', (r) => rejected.push(r));
    const c = await client(path);
    const errors: string[] = [];
    c.on('serverError', (code) => errors.push(code));
    const closed = nextClose(c);
    c.sendRaw(encodeFrame(new Uint8Array([0xc1]))); // never-used msgpack byte
    c.sendRaw(encodeFrame(encodeMessage({ t: 'cmd', id: 1, cmd: { op: 'pause', infoHash: 'nothex' } } as never)));
    c.sendRaw(encodeFrame(new TextEncoder().encode('hello')));
    await closed;
    expect(errors.slice(0, 2)).toEqual(['PROTOCOL', 'PROTOCOL']);
    expect(rejected.length).toBe(3);
    // A fresh client is served normally.
    const d = await client(path);
    expect((await d.get()).process.kind).toBe('client');
  });

  it('disconnects a client that announces an oversized frame', async () => {
    const { path } = await setup();
    const c = await client(path);
    const closed = nextClose(c);
    c.sendRaw(new Uint8Array([0x7f, 0xff, 0xff, 0xff]));
    await closed;
    const d = await client(path);
    expect((await d.get()).seq).toBeGreaterThan(0);
  });

  it('makes the socket 0600 inside a 0700 directory', async () => {
    const { path, sockDir } = await setup();
    expect((await lstat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(sockDir)).mode & 0o777).toBe(0o700);
  });

  it('refuses a control directory open to others', async () => {
    const dir = await tempDir('rs-control-');
    cleanups.push(dir.cleanup);
    const open = join(dir.path, 'open');
    await mkdir(open);
    await chmod(open, 0o755);
    const { ensurePrivateDir } = await import('../../../src/control/paths.ts');
    await expect(ensurePrivateDir(open)).rejects.toBeInstanceOf(ConfigError);
  });

  it('gives clear errors for missing, stale and non-control sockets', async () => {
    const dir = await tempDir('rs-control-');
    cleanups.push(dir.cleanup);
    const missing = join(dir.path, 'client-1.sock');
    await expect(connectControl(missing)).rejects.toThrow(/no control socket at .*is the ringswarm process running/);
    await expect(connectControl(missing)).rejects.toBeInstanceOf(NetworkError);

    // A stale socket: bound, then the listener closed without unlinking (as after a crash).
    const stale = join(dir.path, 'stale.sock');
    const srv = createServer();
    await new Promise<void>((r) => srv.listen(stale, r));
    // Closing unlinks the file in Node; recreate a dead socket file by binding and abandoning.
    await new Promise<void>((r) => srv.close(() => r()));
    const { spawnSync } = await import('node:child_process');
    spawnSync(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(stale)}, () => process.exit(0))`]);
    expect((await lstat(stale)).isSocket()).toBe(true);
    await expect(connectControl(stale)).rejects.toThrow(/not running any more/);

    // A server that speaks something else.
    const other = join(dir.path, 'other.sock');
    const bad = createServer((s) => s.end('HTTP/1.1 400 Bad Request\r\n\r\n'));
    await new Promise<void>((r) => bad.listen(other, r));
    cleanups.push(() => new Promise<void>((r) => bad.close(() => r())));
    await expect(connectControl(other)).rejects.toThrow(/not a ringswarm control socket|closed the connection/);

    // A plain file.
    const file = join(dir.path, 'file.sock');
    await writeFile(file, 'x');
    await expect(connectControl(file)).rejects.toThrow(/connect|not a control socket|running/);
  });

  it('replaces a stale socket file at start, refuses a live one and a regular file', async () => {
    const dir = await tempDir('rs-control-');
    cleanups.push(dir.cleanup);
    const path = join(dir.path, 'client-9.sock');
    const { spawnSync } = await import('node:child_process');
    spawnSync(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(path)}, () => process.exit(0))`]);
    expect((await lstat(path)).isSocket()).toBe(true);
    const body = (): SnapshotBody => ({ process: { kind: 'client', pid: process.pid, started: 0 } });
    const a = new ControlServer({ snapshot: body }, { kind: 'client', path });
    await a.start();
    cleanups.push(() => a.stop());
    const b = new ControlServer({ snapshot: body }, { kind: 'client', path });
    await expect(b.start()).rejects.toThrow(/already listening/);
    const file = join(dir.path, 'plain');
    await writeFile(file, 'mine');
    const c = new ControlServer({ snapshot: body }, { kind: 'client', path: file });
    await expect(c.start()).rejects.toThrow(/not a socket/);
    await a.stop();
    await expect(lstat(path)).rejects.toThrow();
  });

  it('lists live processes and skips dead ones', async () => {
    const { sockDir, path } = await setup();
    const { spawnSync } = await import('node:child_process');
    // A socket named after a pid that cannot exist.
    const dead = join(sockDir, 'tracker-999999999.sock');
    spawnSync(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(dead)}, () => process.exit(0))`]);
    await writeFile(join(sockDir, 'notes.txt'), '');
    const found = await listControlSockets(sockDir);
    expect(found).toEqual([{ path, kind: 'client', pid: process.pid }]);
    expect(await listControlSockets(join(sockDir, 'missing'))).toEqual([]);
  });
});
