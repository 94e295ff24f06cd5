// Tests for src/cli/commands/create.ts and info.ts (the codec's user-facing commands).
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parsePieceLengthFlag, registerCreate, runCreate, trackerTiers } from '../../../src/cli/commands/create.ts';
import { formatBytes, registerInfo, runInfo, type CommandIO } from '../../../src/cli/commands/info.ts';
import { parseTorrent } from '../../../src/codec/metainfo.ts';
import { ConfigError, MagnetError, MetainfoError } from '../../../src/errors.ts';
import { tempDir } from '../../helpers/tmp.ts';

let dir: { path: string; cleanup: () => Promise<void> };
let output: string;
const io: CommandIO = { out: (s) => void (output += s) };

beforeEach(async () => {
  dir = await tempDir('ringswarm-cli-');
  output = '';
  await writeFile(join(dir.path, 'data.bin'), Buffer.alloc(100_000, 7));
});
afterEach(async () => {
  await dir.cleanup();
});

describe('create command', () => {
  it('parses flags into tiers and piece lengths', () => {
    expect(trackerTiers(['http://a/,http://b/', 'udp://c:1', ' , '])).toEqual([['http://a/', 'http://b/'], ['udp://c:1']]);
    expect(parsePieceLengthFlag('256K')).toBe(262144);
    expect(parsePieceLengthFlag('1M')).toBe(1048576);
    expect(parsePieceLengthFlag('16384')).toBe(16384);
    for (const bad of ['100K', '8K', '1G', 'abc', '0']) expect(() => parsePieceLengthFlag(bad)).toThrow(ConfigError);
  });

  it('writes a torrent through commander with tiers, private flag and json output', async () => {
    const program = new Command('ringswarm').exitOverride();
    registerCreate(program, io);
    const out = join(dir.path, 'x.torrent');
    await program.parseAsync(['create', join(dir.path, 'data.bin'), '-t', 'http://127.0.0.1:1/a,http://127.0.0.1:2/a', '-t', 'udp://127.0.0.1:3', '--piece-length', '32K', '--private', '--comment', 'c', '--no-date', '-o', out, '--json'], { from: 'user' });
    const m = parseTorrent(await readFile(out));
    expect(m.announceList).toEqual([['http://127.0.0.1:1/a', 'http://127.0.0.1:2/a'], ['udp://127.0.0.1:3']]);
    expect(m).toMatchObject({ pieceLength: 32768, private: true, comment: 'c', name: 'data.bin' });
    expect(m.creationDate).toBeUndefined();
    const json = JSON.parse(output) as { infoHash: string; output: string; magnet: string };
    expect(json.infoHash).toBe(m.infoHashHex);
    expect(json.output).toBe(out);
    expect(json.magnet).toContain(m.infoHashHex);
  });

  it('never overwrites an existing file', async () => {
    const out = join(dir.path, 'exists.torrent');
    await writeFile(out, 'keep');
    await expect(runCreate(join(dir.path, 'data.bin'), { output: out }, io)).rejects.toBeInstanceOf(ConfigError);
    expect(await readFile(out, 'utf8')).toBe('keep');
  });

  it('draws a progress bar only when given a progress stream', async () => {
    const progress = new PassThrough();
    let drawn = '';
    progress.on('data', (c: Buffer) => (drawn += c.toString()));
    await runCreate(join(dir.path, 'data.bin'), { output: join(dir.path, 'p.torrent') }, { ...io, progress });
    expect(drawn).toContain('hashing');
    expect(output).toContain('wrote');
  });
});

describe('info command', () => {
  it('describes a torrent in text and json', async () => {
    const { output: file, infoHash } = await runCreate(join(dir.path, 'data.bin'), { output: join(dir.path, 'i.torrent'), tracker: ['http://127.0.0.1:9/a'] }, { out: () => {} });
    const program = new Command('ringswarm').exitOverride();
    registerInfo(program, io);
    await program.parseAsync(['info', file], { from: 'user' });
    expect(output).toContain(`infohash:     ${infoHash}`);
    expect(output).toContain('97.7 KiB (100000 bytes)');
    expect(output).toContain('magnet:?xt=urn:btih:');
    output = '';
    await runInfo(file, { json: true }, io);
    expect(JSON.parse(output)).toMatchObject({ kind: 'torrent', infoHash, length: 100000, trackers: [['http://127.0.0.1:9/a']] });
  });

  it('describes a magnet link', async () => {
    await runInfo('magnet:?xt=urn:btih:YEX6DQDLXISUVHOJ6UM3GNNKPQJWPKEK&dn=n&x.pe=127.0.0.1:6881', { json: true }, io);
    expect(JSON.parse(output)).toEqual({ kind: 'magnet', name: 'n', infoHash: 'c12fe1c06bba254a9dc9f519b335aa7c1367a88a', trackers: [], peers: ['127.0.0.1:6881'], webSeeds: [] });
  });

  it('throws typed errors for bad input', async () => {
    await writeFile(join(dir.path, 'bad.torrent'), 'd4:infoi1ee');
    await expect(runInfo(join(dir.path, 'bad.torrent'), {}, io)).rejects.toBeInstanceOf(MetainfoError);
    await expect(runInfo('magnet:?dn=x', {}, io)).rejects.toBeInstanceOf(MagnetError);
  });

  it('formats sizes', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1536)).toBe('1.50 KiB');
    expect(formatBytes(5 * 2 ** 30)).toBe('5.00 GiB');
  });
});
