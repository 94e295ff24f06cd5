/** Torrents table: one row per torrent, columns dropped right to left as the terminal narrows. */
import type { TorrentView } from '../../src/control/snapshot.ts';
import { formatBytes, formatEta, formatPercent, formatRate, formatRatio, progressBar } from './format.ts';
import { renderTable, type Column, type Table } from './table.ts';

const STATE_LABEL: Record<string, string> = {
  checking: 'checking',
  downloading: 'down',
  seeding: 'seed',
  paused: 'paused',
  error: 'ERROR',
};

const cols: Column<TorrentView>[] = [
  { title: 'Name', width: 20, flex: 1, cell: (t) => t.name },
  { title: 'Size', width: 9, align: 'right', drop: 4, cell: (t) => formatBytes(t.size) },
  { title: 'Progress', width: 8, flex: 0, drop: 6, cell: (t) => progressBar(t.progress, 8) },
  { title: 'Done', width: 6, align: 'right', cell: (t) => formatPercent(t.progress) },
  { title: 'State', width: 8, cell: (t) => STATE_LABEL[t.state] ?? String(t.state) },
  { title: 'Down', width: 10, align: 'right', cell: (t) => formatRate(t.downRate) },
  { title: 'Up', width: 10, align: 'right', cell: (t) => formatRate(t.upRate) },
  { title: 'Ratio', width: 5, align: 'right', drop: 5, cell: (t) => formatRatio(t.ratio) },
  { title: 'Peers', width: 5, align: 'right', drop: 2, cell: (t) => String(t.peers) },
  { title: 'Seeds', width: 5, align: 'right', drop: 1, cell: (t) => String(t.seeds) },
  { title: 'ETA', width: 6, align: 'right', drop: 3, cell: (t) => (t.state === 'downloading' ? formatEta(t.eta) : '') },
];

export function torrentTable(torrents: readonly TorrentView[], width: number): Table {
  return renderTable(cols, torrents, width);
}

/** Every field of one torrent, for the detail popup. */
export function torrentDetail(t: TorrentView): string[] {
  return [
    `Name       ${t.name}`,
    `Infohash   ${t.infoHash}`,
    `Size       ${formatBytes(t.size)} in ${t.pieceCount} pieces${t.pieceLength ? ` of ${formatBytes(t.pieceLength)}` : ''}`,
    `State      ${t.state}${t.error ? `: ${t.error}` : ''}`,
    `Progress   ${formatPercent(t.progress)}`,
    `Down       ${formatRate(t.downRate)}  total ${formatBytes(t.downloaded)}`,
    `Up         ${formatRate(t.upRate)}  total ${formatBytes(t.uploaded)}`,
    `Ratio      ${formatRatio(t.ratio)}`,
    `Peers      ${t.peers} (${t.seeds} seeds)`,
    `ETA        ${formatEta(t.eta)}`,
  ];
}
