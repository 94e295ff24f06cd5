/** Peers table for the selected torrent, fastest first so the interesting ones stay on screen. */
import { PEER_FLAG_LEGEND, type PeerView } from '../../src/control/snapshot.ts';
import { formatBytes, formatPercent, formatRate } from './format.ts';
import { renderTable, type Column, type Table } from './table.ts';

const cols: Column<PeerView>[] = [
  { title: 'Address', width: 15, flex: 2, cell: (p) => p.address },
  { title: 'Client', width: 10, flex: 1, drop: 3, cell: (p) => p.client || '?' },
  { title: 'Flags', width: 6, cell: (p) => p.flags },
  { title: 'Done', width: 6, align: 'right', cell: (p) => formatPercent(p.progress) },
  { title: 'Down', width: 10, align: 'right', cell: (p) => formatRate(p.downRate) },
  { title: 'Up', width: 10, align: 'right', cell: (p) => formatRate(p.upRate) },
];

/** Order: by combined rate, then address, so rows do not jump around when rates tie at zero. */
export function sortPeers(peers: readonly PeerView[]): PeerView[] {
  return peers.slice().sort((a, b) => b.downRate + b.upRate - (a.downRate + a.upRate) || (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
}

export function peerTable(peers: readonly PeerView[], width: number): Table {
  return renderTable(cols, sortPeers(peers), width);
}

export function peerDetail(p: PeerView): string[] {
  const yes = (b: boolean) => (b ? 'yes' : 'no');
  const lines = [
    `Address      ${p.address} (${p.incoming ? 'incoming' : 'outgoing'})`,
    `Client       ${p.client || 'unknown'}`,
    `Progress     ${formatPercent(p.progress)}`,
    `Down / Up    ${formatRate(p.downRate)} / ${formatRate(p.upRate)}`,
  ];
  if (p.downloaded !== undefined || p.uploaded !== undefined) {
    lines.push(`Totals       ${formatBytes(p.downloaded ?? 0)} down, ${formatBytes(p.uploaded ?? 0)} up`);
  }
  lines.push(
    `We choke it  ${yes(p.amChoking)}    we are interested  ${yes(p.amInterested)}`,
    `It chokes us ${yes(p.peerChoking)}    it is interested   ${yes(p.peerInterested)}`,
    `Optimistic   ${yes(p.optimistic)}    snubbed            ${yes(p.snubbed)}`,
    `Flags        ${p.flags || '(none)'}`,
  );
  return lines;
}

export function flagLegend(): string[] {
  return PEER_FLAG_LEGEND.map(([f, text]) => `${f}  ${text}`);
}
