/** Tracker view: swarms by size, busiest first. */
import type { SwarmView } from '../../src/control/snapshot.ts';
import { renderTable, type Column, type Table } from './table.ts';

const rate = (r: number) => (r > 0 ? r.toFixed(r < 10 ? 2 : 1) : '-');

const cols: Column<SwarmView>[] = [
  { title: 'Infohash', width: 12, flex: 1, cell: (s) => s.infoHash },
  { title: 'Seeds', width: 6, align: 'right', cell: (s) => String(s.seeds) },
  { title: 'Leechers', width: 8, align: 'right', cell: (s) => String(s.leechers) },
  { title: 'Completed', width: 9, align: 'right', cell: (s) => String(s.completed) },
  { title: 'Ann/s', width: 6, align: 'right', cell: (s) => rate(s.announcesPerSec) },
];

export function sortSwarms(swarms: readonly SwarmView[]): SwarmView[] {
  return swarms.slice().sort((a, b) => b.seeds + b.leechers - (a.seeds + a.leechers) || (a.infoHash < b.infoHash ? -1 : 1));
}

export function swarmTable(swarms: readonly SwarmView[], width: number): Table {
  return renderTable(cols, sortSwarms(swarms), width);
}

export function trackerSummary(t: { endpoint: string; swarms: readonly SwarmView[]; announcesPerSec: number; scrapesPerSec?: number }): string {
  const peers = t.swarms.reduce((a, s) => a + s.seeds + s.leechers, 0);
  const scrapes = t.scrapesPerSec !== undefined ? `  ${rate(t.scrapesPerSec)} scrapes/s` : '';
  return `${t.endpoint}  ${t.swarms.length} swarms  ${peers} peers  ${rate(t.announcesPerSec)} announces/s${scrapes}`;
}
