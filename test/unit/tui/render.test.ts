import { describe, it, expect } from 'vitest';
import { renderFrame } from '../../../tui/view-model/render.ts';
import { initialState, reduceKey, type UiState } from '../../../tui/view-model/state.ts';
import { sortPeers } from '../../../tui/view-model/peers.ts';
import { layout, availableViews } from '../../../tui/view-model/layout.ts';
import type { Snapshot } from '../../../src/control/snapshot.ts';
import { clientSnapshot, peer, torrent } from './fixtures.ts';

const width = (s: string) => Array.from(s).length;

function keys(st: UiState, s: Snapshot, ...ks: string[]): UiState {
  for (const k of ks) st = reduceKey(st, k, s).state;
  return st;
}

describe('layout', () => {
  it('fills 80×24 without overlap and uses two columns when wide', () => {
    for (const [w, h] of [[80, 24], [100, 30], [160, 50]] as const) {
      const l = layout('torrents', w, h, 2);
      const area = l.panes.reduce((a, p) => a + p.rect.width * p.rect.height, 0);
      expect(area).toBe(w * (h - 2));
      for (const p of l.panes) {
        expect(p.rect.height).toBeGreaterThanOrEqual(4);
        expect(p.rect.left + p.rect.width).toBeLessThanOrEqual(w);
        expect(p.rect.top + p.rect.height).toBeLessThanOrEqual(h - 1);
      }
    }
    const wide = layout('torrents', 160, 50, 2);
    const peers = wide.panes.find((p) => p.name === 'peers');
    expect(peers?.rect.left).toBeGreaterThan(0);
  });

  it('offers the views the snapshot has data for', () => {
    expect(availableViews(clientSnapshot())).toEqual(['torrents']);
    const demo = clientSnapshot({
      process: { kind: 'demo', pid: 1, started: 0 },
      tracker: { endpoint: 'x', swarms: [], announcesPerSec: 0 },
      ring: { id: '0'.repeat(40), endpoint: 'x', predecessor: null, successors: [], fingers: [], records: 0, lookupsPerSec: 0, meanHops: null },
    });
    expect(availableViews(demo)).toEqual(['torrents', 'tracker', 'ring']);
  });
});

describe('renderFrame', () => {
  it('80×24: every line fits its pane and the selected torrent drives pieces and peers', () => {
    const s = clientSnapshot();
    const f = renderFrame({ snapshot: s, state: initialState(s), width: 80, height: 24 });
    expect(f.tooSmall).toBeUndefined();
    expect(width(f.header)).toBe(80);
    expect(width(f.footer)).toBe(80);
    expect(f.header).toContain('client pid 4242');
    expect(f.header).toContain('up 1m30s');
    for (const p of f.panes) {
      expect(p.lines.length, p.name).toBeLessThanOrEqual(p.rect.height - 2);
      for (const l of p.lines) expect(width(l), `${p.name}: ${l}`).toBeLessThanOrEqual(p.rect.width - 2);
    }
    const pane = (n: string) => f.panes.find((p) => p.name === n);
    expect(pane('torrents')?.lines[1]).toContain('ubuntu-24.04');
    expect(pane('torrents')?.selected).toBe(1);
    expect(pane('pieces')?.lines[0]).toBe('██▓23█▓678');
    expect(pane('peers')?.lines.join('\n')).toMatch(/127\.0\.0\.1:6881 .* D /);
    expect(pane('graphs')?.lines[0]).toMatch(/^↓ 800 B\/s +.* ▁▂▄█$/);
  });

  it('40×10 shows the too-small notice instead of panes', () => {
    const f = renderFrame({ snapshot: clientSnapshot(), state: initialState(), width: 40, height: 10 });
    expect(f.tooSmall).toMatch(/too small \(40×10\)/);
    expect(f.panes).toEqual([]);
  });

  it('without a snapshot yet, says it is waiting', () => {
    const f = renderFrame({ snapshot: undefined, state: initialState(), width: 80, height: 24, source: 'control /x.sock' });
    expect(f.header).toContain('waiting for the first snapshot');
  });

  it('keeps the selection visible when the list is longer than the pane', () => {
    const many = Array.from({ length: 30 }, (_, i) => peer(`10.0.0.${i + 1}:6881`));
    const s = clientSnapshot({ torrents: [torrent({ peerList: many })] });
    const st = keys(initialState(s), s, 'tab', ...Array(25).fill('j'));
    const f = renderFrame({ snapshot: s, state: st, width: 80, height: 24 });
    const peers = f.panes.find((p) => p.name === 'peers');
    expect(peers?.focused).toBe(true);
    const sel = peers?.lines[peers.selected ?? -1] ?? '';
    expect(sel).toMatch(/^10\.0\.0\.\d+:6881/);
    // All rates are zero, so rows are in address order; the 26th row is selected.
    const expected = sortPeers(many)[25]?.address as string;
    expect(sel.startsWith(expected + ' ')).toBe(true);
    expect(peers?.lines.filter((l) => l.startsWith('10.0.0.')).length).toBe((peers?.rect.height ?? 0) - 3);
  });
});

describe('keyboard', () => {
  const two = clientSnapshot({ torrents: [torrent({ name: 'a' }), torrent({ name: 'b', infoHash: 'cd'.repeat(20), state: 'paused' })] });

  it('moves, clamps, tabs and quits', () => {
    let st = initialState(two);
    st = keys(st, two, 'j', 'j', 'j');
    expect(st.sel.torrents).toBe(1);
    st = keys(st, two, 'k', 'up', 'up');
    expect(st.sel.torrents).toBe(0);
    st = keys(st, two, 'tab');
    expect(st.focus).toBe('peers');
    st = keys(st, two, 'tab');
    expect(st.focus).toBe('torrents');
    expect(reduceKey(st, 'q', two).action).toEqual({ type: 'quit' });
  });

  it('enter opens a detail overlay, ? opens help, escape closes', () => {
    let st = keys(initialState(two), two, 'enter');
    let f = renderFrame({ snapshot: two, state: st, width: 80, height: 24 });
    expect(f.overlay?.title).toBe('Torrent');
    expect(f.overlay?.lines[1]).toBe(`Infohash   ${'ab'.repeat(20)}`);
    st = keys(st, two, 'escape', '?');
    f = renderFrame({ snapshot: two, state: st, width: 80, height: 24 });
    expect(f.overlay?.title).toBe('Help');
    expect(f.overlay?.lines.join('\n')).toContain('O  optimistic unchoke');
    st = keys(st, two, 'escape');
    expect(renderFrame({ snapshot: two, state: st, width: 80, height: 24 }).overlay).toBeUndefined();
  });

  it('p pauses a running torrent and resumes a paused one', () => {
    let st = initialState(two);
    expect(reduceKey(st, 'p', two).action).toEqual({ type: 'command', cmd: { op: 'pause', infoHash: 'ab'.repeat(20) } });
    st = keys(st, two, 'j');
    expect(reduceKey(st, 'p', two).action).toEqual({ type: 'command', cmd: { op: 'resume', infoHash: 'cd'.repeat(20) } });
  });

  it('number keys switch only to views that exist', () => {
    const s = clientSnapshot({ lab: { scenario: 'n=4', elapsedMs: 1000, boundMs: 800, peers: [] } });
    let st = keys(initialState(s), s, '3');
    expect(st.view).toBe('torrents');
    st = keys(st, s, '4');
    expect(st.view).toBe('lab');
    expect(st.focus).toBe('lab');
    st = keys(st, s, 'right');
    expect(st.view).toBe('torrents');
  });
});

describe('header', () => {
  it('keeps the view tabs at 80 columns and shows them only when there is a choice', () => {
    const demo = clientSnapshot({
      process: { kind: 'demo', pid: 77, started: 0 },
      tracker: { endpoint: 'x', swarms: [], announcesPerSec: 0 },
      ring: { id: '0'.repeat(40), endpoint: 'x', predecessor: null, successors: [], fingers: [], records: 0, lookupsPerSec: 0, meanHops: null },
      lab: { scenario: 's', elapsedMs: 0, boundMs: null, peers: [] },
    });
    const f = renderFrame({ snapshot: demo, state: initialState(demo), width: 80, height: 24 });
    expect(f.header).toContain('[1 torrents] 2 tracker  3 ring  4 lab');
    const c = clientSnapshot();
    expect(renderFrame({ snapshot: c, state: initialState(c), width: 80, height: 24 }).header).not.toContain('torrents]');
  });
});
