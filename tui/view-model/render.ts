/**
 * The whole screen as data: header, footer, and each pane's label and lines, already cut to
 * the pane's inner size with the selection scrolled into view. The blessed shell only paints
 * this, so everything a user sees is decided (and unit-tested) here.
 */
import type { Snapshot } from '../../src/control/snapshot.ts';
import { fit, formatEta, formatRate } from './format.ts';
import { labHeader, labRows } from './lab.ts';
import { availableViews, layout, tooSmallNotice, VIEW_ORDER, type PaneName, type Rect } from './layout.ts';
import { flagLegend, peerDetail, peerTable } from './peers.ts';
import { PIECE_LEGEND, pieceMapRows, piecesPerCell, type PieceCell } from './pieces.ts';
import { ringLines } from './ring.ts';
import { sparkline } from './sparkline.ts';
import { HELP_LINES, selectedIndex, selectedPeer, selectedSwarm, selectedTorrent, type UiState } from './state.ts';
import { torrentDetail, torrentTable } from './torrents.ts';
import { swarmTable, trackerSummary } from './tracker.ts';

export interface PaneFrame {
  name: PaneName;
  rect: Rect;
  label: string;
  lines: string[];
  /** Index into lines of the highlighted row. */
  selected?: number;
  focused: boolean;
  /** Piece map cells, row by row (for colouring); lines hold the same glyphs. */
  cells?: PieceCell[][];
}

export interface Frame {
  tooSmall?: string;
  header: string;
  footer: string;
  panes: PaneFrame[];
  overlay?: { title: string; lines: string[] };
}

/** Inner size of a bordered pane. */
const inner = (r: Rect) => ({ w: Math.max(0, r.width - 2), h: Math.max(0, r.height - 2) });

/** A header line plus rows, windowed so `sel` is visible in `h` lines. */
function windowed(header: string | undefined, rows: string[], sel: number | undefined, h: number): { lines: string[]; selected?: number } {
  const room = Math.max(0, h - (header === undefined ? 0 : 1));
  const s = sel === undefined ? 0 : sel;
  const start = Math.max(0, Math.min(s - room + 1, rows.length - room));
  const shown = rows.slice(Math.max(0, start), Math.max(0, start) + room);
  const lines = header === undefined ? shown : [header, ...shown];
  if (sel === undefined || rows.length === 0) return { lines };
  return { lines, selected: s - Math.max(0, start) + (header === undefined ? 0 : 1) };
}

function uptime(s: Snapshot): string {
  return formatEta(Math.max(0, (s.at - s.process.started) / 1000));
}

function headerLine(s: Snapshot | undefined, st: UiState, width: number, source: string): string {
  if (!s) return fit(` ringswarm  ${source}  waiting for the first snapshot…`, width);
  const views = availableViews(s);
  // View tabs only when there is a choice; they come before the rates so 80 columns keep them.
  const tabs = views.length < 2 ? '' : `  ${VIEW_ORDER.filter((v) => views.includes(v))
    .map((v) => (v === st.view ? `[${VIEW_ORDER.indexOf(v) + 1} ${v}]` : ` ${VIEW_ORDER.indexOf(v) + 1} ${v} `))
    .join('')}`;
  const ts = s.torrents ?? [];
  const down = ts.reduce((a, t) => a + t.downRate, 0);
  const up = ts.reduce((a, t) => a + t.upRate, 0);
  const rates = ts.length > 0 ? `  ↓ ${formatRate(down)}  ↑ ${formatRate(up)}` : '';
  const label = s.process.label ? ` ${s.process.label}` : '';
  const name = width >= 100 ? ' ringswarm' : '';
  return fit(`${name} ${s.process.kind} pid ${s.process.pid}${label}  up ${uptime(s)}${tabs}${rates}`, width);
}

export interface RenderInput {
  snapshot: Snapshot | undefined;
  state: UiState;
  width: number;
  height: number;
  /** Where the snapshots come from ("control /run/…", "in-process"). */
  source?: string;
  /** Last event or status text for the footer. */
  status?: string;
}

export function renderFrame(i: RenderInput): Frame {
  const { snapshot: s, state: st, width, height } = i;
  const small = tooSmallNotice(width, height);
  if (small) return { tooSmall: small, header: '', footer: '', panes: [] };
  const lay = layout(st.view, width, height, s?.torrents?.length ?? 0);
  const panes = lay.panes.map((p) => paneFrame(p.name, p.rect, s, st));
  const keys = '?:help  q:quit  tab:pane  ↑↓:move  enter:detail  ←→:view';
  const footer = fit(i.status ? ` ${i.status}  │ ${keys}` : ` ${keys}`, width);
  const frame: Frame = { header: headerLine(s, st, width, i.source ?? ''), footer, panes };
  if (st.help) frame.overlay = { title: 'Help', lines: [...HELP_LINES, '', 'Peer flags', ...flagLegend().map((l) => `  ${l}`)] };
  else if (st.detail) frame.overlay = detailOverlay(s, st);
  return frame;
}

function detailOverlay(s: Snapshot | undefined, st: UiState): Frame['overlay'] {
  if (st.view === 'tracker') {
    const sw = selectedSwarm(s, st);
    if (!sw) return undefined;
    return { title: 'Swarm', lines: [`Infohash   ${sw.infoHash}`, `Seeds      ${sw.seeds}`, `Leechers   ${sw.leechers}`, `Completed  ${sw.completed}`, `Announce/s ${sw.announcesPerSec.toFixed(2)}`] };
  }
  if (st.focus === 'peers') {
    const p = selectedPeer(s, st);
    return p ? { title: `Peer ${p.address}`, lines: peerDetail(p) } : undefined;
  }
  const t = selectedTorrent(s, st);
  return t ? { title: 'Torrent', lines: torrentDetail(t) } : undefined;
}

function paneFrame(name: PaneName, rect: Rect, s: Snapshot | undefined, st: UiState): PaneFrame {
  const { w, h } = inner(rect);
  const focused = st.focus === name;
  const base = { name, rect, focused };
  switch (name) {
    case 'torrents': {
      const ts = s?.torrents ?? [];
      const t = torrentTable(ts, w);
      const rows = ts.length > 0 ? t.rows : ['(no torrents)'];
      return { ...base, label: ` Torrents (${ts.length}) `, ...windowed(t.header, rows, ts.length > 0 ? selectedIndex(st, name, ts.length) : undefined, h) };
    }
    case 'peers': {
      const peers = selectedTorrent(s, st)?.peerList ?? [];
      const t = peerTable(peers, w);
      const rows = peers.length > 0 ? t.rows : ['(no peers)'];
      return { ...base, label: ` Peers (${peers.length}) `, ...windowed(t.header, rows, peers.length > 0 ? selectedIndex(st, name, peers.length) : undefined, h) };
    }
    case 'pieces': {
      const t = selectedTorrent(s, st);
      if (!t || !t.pieces) return { ...base, label: ' Pieces ', lines: [t ? '(no piece map yet)' : ''] };
      const mapH = Math.max(1, h - 1);
      const cells = pieceMapRows(t.pieces, t.pieceCount, w, mapH);
      const per = piecesPerCell(t.pieceCount, w, mapH);
      const label = ` Pieces ${t.pieceCount}${per > 1 ? ` (1 cell = ${per})` : ''} `;
      return { ...base, label, cells, lines: [...cells.map((r) => r.map((c) => c.glyph).join('')), fit(PIECE_LEGEND, w)].slice(0, h) };
    }
    case 'graphs': {
      const t = selectedTorrent(s, st);
      const hist = t?.history;
      if (!hist) return { ...base, label: ' Rates ', lines: ['(no history)'] };
      const labelW = 14;
      const max = Math.max(...hist.down, ...hist.up, 1);
      const line = (tag: string, xs: number[]) => `${fit(`${tag} ${formatRate(xs[xs.length - 1] ?? 0)}`, labelW)}${sparkline(xs, w - labelW, max)}`;
      const lines = [line('↓', hist.down), line('↑', hist.up)];
      const top = sortPeersByRate(t?.peerList ?? []).slice(0, Math.max(0, h - 2));
      for (const p of top) if (p.history) lines.push(`${fit(p.address, labelW)}${sparkline(p.history.down, w - labelW, max)}`);
      return { ...base, label: ` Rates (max ${formatRate(max)}, ${(hist.intervalMs / 1000).toFixed(1)} s/sample) `, lines: lines.slice(0, h) };
    }
    case 'tracker': {
      const tr = s?.tracker;
      if (!tr) return { ...base, label: ' Tracker ', lines: ['(no tracker in this process)'] };
      const t = swarmTable(tr.swarms, w);
      const rows = tr.swarms.length > 0 ? t.rows : ['(no swarms yet)'];
      const win = windowed(t.header, rows, tr.swarms.length > 0 ? selectedIndex(st, name, tr.swarms.length) : undefined, h - 1);
      return { ...base, label: ' Tracker ', lines: [fit(trackerSummary(tr), w), ...win.lines], ...(win.selected !== undefined ? { selected: win.selected + 1 } : {}) };
    }
    case 'ring': {
      const r = s?.ring;
      if (!r) return { ...base, label: ' Ring ', lines: ['(no DHT node in this process)'] };
      const all = ringLines(r, w).map((l) => fit(l, w));
      const start = Math.max(0, Math.min(st.sel.ring ?? 0, all.length - h));
      return { ...base, label: ' Chord ring ', lines: all.slice(start, start + h) };
    }
    case 'lab': {
      const l = s?.lab;
      if (!l) return { ...base, label: ' Lab ', lines: ['(no experiment running)'] };
      const rows = labRows(l.peers, w);
      const win = windowed(labHeader(l, w), rows, l.peers.length > 0 ? selectedIndex(st, name, l.peers.length) : undefined, h);
      return { ...base, label: ` Lab (${l.peers.length} peers) `, ...win };
    }
  }
}

function sortPeersByRate<T extends { downRate: number }>(ps: readonly T[]): T[] {
  return ps.slice().sort((a, b) => b.downRate - a.downRate);
}
