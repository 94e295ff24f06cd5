import { describe, it, expect, afterEach, vi } from 'vitest';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Command } from 'commander';
import { startServe, registerServe, type RunningServe } from '../../../src/cli/commands/serve.ts';
import { HttpClient } from '../../../src/http/client.ts';
import { tempDir } from '../../helpers/tmp.ts';

describe('ringswarm serve', () => {
  let running: RunningServe | undefined;
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await running?.stop();
    await cleanup?.();
  });

  it('serves a folder on 127.0.0.1 with the upload limited by --rate', async () => {
    const t = await tempDir();
    cleanup = t.cleanup;
    await writeFile(join(t.path, 'f.bin'), new Uint8Array(96 * 1024));
    const lines: string[] = [];
    running = await startServe(t.path, { port: '0', rate: '256K' }, { out: (s) => lines.push(s) });
    expect(lines[0]).toMatch(/^serving .* on http:\/\/127\.0\.0\.1:\d+\/ \(upload 256 KiB\/s\)/);
    const client = new HttpClient({ endpoint: { host: '127.0.0.1', port: running.server.port } });
    const t0 = performance.now();
    const r = await client.get('/f.bin');
    const s = (performance.now() - t0) / 1000;
    client.close();
    expect(r.bodyBytes).toBe(96 * 1024);
    // 96 KiB at 256 KiB/s = 0.375 s; tolerant bounds for a loaded machine.
    expect(s).toBeGreaterThan(0.3);
    expect(s).toBeLessThan(1.5);
    // the server logs once its last write is accepted, which may trail the client's read
    await vi.waitFor(() => expect(lines.at(-1)).toBe('GET /f.bin 200 98304 B\n'));
  });

  it('rejects bad flags and missing folders with typed errors before listening', async () => {
    await expect(startServe('/nonexistent-ringswarm', { port: '0' }, { out: () => undefined })).rejects.toMatchObject({ code: 'CONFIG' });
    await expect(startServe('.', { port: '70000' }, { out: () => undefined })).rejects.toMatchObject({ code: 'CONFIG' });
    await expect(startServe('.', { port: '0', rate: 'fast' }, { out: () => undefined })).rejects.toMatchObject({ code: 'CONFIG' });
    await expect(startServe('.', { port: '0', rate: '0' }, { out: () => undefined })).rejects.toMatchObject({ code: 'CONFIG' });
  });

  it('registers the command with its flags', () => {
    const program = new Command('ringswarm');
    registerServe(program);
    const cmd = program.commands.find((c) => c.name() === 'serve');
    expect(cmd?.options.map((o) => o.long)).toEqual(['--port', '--host', '--rate', '--quiet']);
  });
});
