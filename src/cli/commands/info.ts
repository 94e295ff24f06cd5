/**
 * `ringswarm info <torrent|magnet> [--json]`: what a torrent or magnet link describes.
 * Errors are thrown as typed errors; src/cli/main.ts turns them into messages and exit codes.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { formatMagnet, parseMagnet, type Magnet } from '../../codec/magnet.ts';
import { parseTorrent, type Metainfo } from '../../codec/metainfo.ts';
import { formatEndpoint } from '../../naming/endpoint.ts';
import { stdio, type CommandIO } from '../shared.ts';

export type { CommandIO };

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${n} B` : `${v.toFixed(v < 10 ? 2 : 1)} ${units[u]}`;
}

/** The magnet link for a torrent: infohash, name and every tracker in tier order. */
export function magnetOf(m: Metainfo): string {
  return formatMagnet({ infoHash: m.infoHash, name: m.name, trackers: m.announceList.flat(), webSeeds: m.urlList });
}

/** JSON-friendly summary of a torrent (no byte arrays). */
export function torrentSummary(m: Metainfo): Record<string, unknown> {
  return {
    kind: 'torrent',
    name: m.name,
    infoHash: m.infoHashHex,
    length: m.length,
    pieceLength: m.pieceLength,
    pieceCount: m.pieceCount,
    private: m.private,
    multiFile: m.multiFile,
    files: m.files.map((f) => ({ path: f.path.join('/'), length: f.length, offset: f.offset, ...(f.pad ? { pad: true } : {}) })),
    trackers: m.announceList,
    webSeeds: m.urlList,
    comment: m.comment,
    createdBy: m.createdBy,
    creationDate: m.creationDate,
    magnet: magnetOf(m),
  };
}

function magnetSummary(m: Magnet): Record<string, unknown> {
  return {
    kind: 'magnet',
    name: m.name,
    infoHash: m.infoHashHex,
    trackers: m.trackers,
    peers: m.peers.map(formatEndpoint),
    webSeeds: m.webSeeds,
  };
}

export function describeTorrent(m: Metainfo): string {
  const lines = [
    `name:         ${m.name}`,
    `infohash:     ${m.infoHashHex}`,
    `size:         ${formatBytes(m.length)} (${m.length} bytes)`,
    `pieces:       ${m.pieceCount} × ${formatBytes(m.pieceLength)}`,
    `private:      ${m.private ? 'yes' : 'no'}`,
  ];
  if (m.comment !== undefined) lines.push(`comment:      ${m.comment}`);
  if (m.createdBy !== undefined) lines.push(`created by:   ${m.createdBy}`);
  if (m.creationDate !== undefined) lines.push(`created:      ${new Date(m.creationDate * 1000).toISOString()}`);
  lines.push(`trackers:     ${m.announceList.length === 0 ? '(none)' : ''}`);
  m.announceList.forEach((tier, i) => lines.push(`  tier ${i}: ${tier.join(', ')}`));
  if (m.urlList.length > 0) lines.push(`web seeds:    ${m.urlList.join(', ')}`);
  const real = m.files.filter((f) => !f.pad);
  lines.push(`files:        ${real.length}`);
  for (const f of real) lines.push(`  ${formatBytes(f.length).padStart(10)}  ${f.path.join('/')}`);
  lines.push(`magnet:       ${magnetOf(m)}`);
  return lines.join('\n') + '\n';
}

function describeMagnet(m: Magnet): string {
  const lines = [`name:         ${m.name ?? '(unknown until metadata arrives)'}`, `infohash:     ${m.infoHashHex}`];
  lines.push(`trackers:     ${m.trackers.length === 0 ? '(none)' : m.trackers.join(', ')}`);
  if (m.peers.length > 0) lines.push(`peers:        ${m.peers.map(formatEndpoint).join(', ')}`);
  if (m.webSeeds.length > 0) lines.push(`web seeds:    ${m.webSeeds.join(', ')}`);
  return lines.join('\n') + '\n';
}

export async function runInfo(target: string, opts: { json?: boolean }, io: CommandIO = stdio()): Promise<void> {
  if (/^magnet:/i.test(target)) {
    const m = parseMagnet(target);
    io.out(opts.json ? JSON.stringify(magnetSummary(m), null, 2) + '\n' : describeMagnet(m));
    return;
  }
  const m = parseTorrent(await readFile(target));
  io.out(opts.json ? JSON.stringify(torrentSummary(m), null, 2) + '\n' : describeTorrent(m));
}

export function registerInfo(program: Command, io?: CommandIO): Command {
  return program
    .command('info')
    .description('show what a .torrent file or magnet link describes')
    .argument('<torrent|magnet>', 'path to a .torrent file, or a magnet: URI')
    .option('--json', 'machine-readable output')
    .action(async (target: string, opts: { json?: boolean }) => {
      await runInfo(target, opts, io ?? stdio());
    });
}
