/**
 * UI state and the keyboard: a pure reducer from (state, key, snapshot) to a new state and at
 * most one action for the shell to carry out (quit, or a command for the control socket).
 */
import type { ControlCommand } from '../../src/control/protocol.ts';
import type { Snapshot } from '../../src/control/snapshot.ts';
import { availableViews, type PaneName, type ViewName } from './layout.ts';
import { sortPeers } from './peers.ts';
import { sortSwarms } from './tracker.ts';

export interface UiState {
  view: ViewName;
  focus: PaneName;
  /** Selected row per pane (scroll position for the text panes). */
  sel: Partial<Record<PaneName, number>>;
  detail: boolean;
  help: boolean;
}

export type UiAction = { type: 'quit' } | { type: 'command'; cmd: ControlCommand } | undefined;

export const FOCUSABLE: Record<ViewName, PaneName[]> = {
  torrents: ['torrents', 'peers'],
  tracker: ['tracker'],
  ring: ['ring'],
  lab: ['lab'],
};

export function initialState(s?: Snapshot): UiState {
  const view = availableViews(s)[0] ?? 'torrents';
  return { view, focus: FOCUSABLE[view][0] as PaneName, sel: {}, detail: false, help: false };
}

/** Rows the focused pane can select among. */
function rowCount(pane: PaneName, s: Snapshot | undefined, st: UiState): number {
  if (!s) return 0;
  switch (pane) {
    case 'torrents':
      return s.torrents?.length ?? 0;
    case 'peers':
      return selectedTorrent(s, st)?.peerList?.length ?? 0;
    case 'tracker':
      return s.tracker?.swarms.length ?? 0;
    case 'ring':
      return (s.ring?.successors.length ?? 0) + (s.ring?.fingers.length ?? 0) + 6;
    case 'lab':
      return s.lab?.peers.length ?? 0;
    default:
      return 0;
  }
}

export function selectedIndex(st: UiState, pane: PaneName, count: number): number {
  return Math.max(0, Math.min(count - 1, st.sel[pane] ?? 0));
}

export function selectedTorrent(s: Snapshot | undefined, st: UiState) {
  const ts = s?.torrents ?? [];
  return ts[selectedIndex(st, 'torrents', ts.length)];
}

export function selectedPeer(s: Snapshot | undefined, st: UiState) {
  const ps = sortPeers(selectedTorrent(s, st)?.peerList ?? []);
  return ps[selectedIndex(st, 'peers', ps.length)];
}

export function selectedSwarm(s: Snapshot | undefined, st: UiState) {
  const sw = sortSwarms(s?.tracker?.swarms ?? []);
  return sw[selectedIndex(st, 'tracker', sw.length)];
}

function move(st: UiState, s: Snapshot | undefined, delta: number): UiState {
  const n = rowCount(st.focus, s, st);
  const cur = selectedIndex(st, st.focus, n);
  const next = Math.max(0, Math.min(Math.max(0, n - 1), cur + delta));
  const sel = { ...st.sel, [st.focus]: next };
  // A different torrent has different peers: start its peer list at the top.
  if (st.focus === 'torrents' && next !== cur) sel.peers = 0;
  return { ...st, sel };
}

function switchView(st: UiState, view: ViewName): UiState {
  return { ...st, view, focus: FOCUSABLE[view][0] as PaneName, detail: false };
}

export function reduceKey(st: UiState, key: string, s: Snapshot | undefined): { state: UiState; action: UiAction } {
  const views = availableViews(s);
  const same = (state: UiState) => ({ state, action: undefined });
  if (key === 'q' || key === 'C-c') return { state: st, action: { type: 'quit' } };
  if (st.help) return same(key === 'escape' || key === '?' || key === 'enter' ? { ...st, help: false } : st);
  if (key === '?') return same({ ...st, help: true, detail: false });
  if (st.detail && (key === 'escape' || key === 'enter')) return same({ ...st, detail: false });
  switch (key) {
    case 'up':
    case 'k':
      return same(move(st, s, -1));
    case 'down':
    case 'j':
      return same(move(st, s, 1));
    case 'pageup':
      return same(move(st, s, -10));
    case 'pagedown':
      return same(move(st, s, 10));
    case 'home':
    case 'g':
      return same(move(st, s, -Infinity));
    case 'end':
    case 'G':
      return same(move(st, s, Infinity));
    case 'tab':
    case 'S-tab': {
      const panes = FOCUSABLE[st.view];
      const i = panes.indexOf(st.focus);
      const next = panes[(i + (key === 'tab' ? 1 : panes.length - 1)) % panes.length] as PaneName;
      return same({ ...st, focus: next, detail: false });
    }
    case 'enter':
      return same({ ...st, detail: st.view === 'torrents' || st.view === 'tracker' });
    case 'escape':
      return same(st);
    case 'left':
    case 'right':
    case 'v': {
      const i = Math.max(0, views.indexOf(st.view));
      const step = key === 'left' ? views.length - 1 : 1;
      return same(switchView(st, views[(i + step) % views.length] as ViewName));
    }
    case 'p': {
      const t = st.view === 'torrents' ? selectedTorrent(s, st) : undefined;
      if (!t) return same(st);
      const op = t.state === 'paused' ? 'resume' : 'pause';
      return { state: st, action: { type: 'command', cmd: { op, infoHash: t.infoHash } } };
    }
    default: {
      const n = Number(key);
      if (Number.isInteger(n) && n >= 1 && n <= 4) {
        const view = (['torrents', 'tracker', 'ring', 'lab'] as const)[n - 1] as ViewName;
        if (views.includes(view)) return same(switchView(st, view));
      }
      return same(st);
    }
  }
}

export const HELP_LINES = [
  'Keys',
  '  ↑ ↓ / j k     move the selection (PgUp PgDn, g G for ends)',
  '  tab           next pane (torrents ↔ peers)',
  '  enter         details of the selected torrent, peer or swarm',
  '  ← → / v, 1-4  switch view: 1 torrents  2 tracker  3 ring  4 lab',
  '  p             pause / resume the selected torrent',
  '  ?             this help (esc closes)',
  '  q             quit the TUI (the process keeps running)',
];
