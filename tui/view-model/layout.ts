/**
 * Where each pane goes for a view and a terminal size. 80×24 is the design size; wider
 * terminals put the piece map and graphs beside the peers, taller ones give lists more rows.
 * Below MIN_WIDTH × MIN_HEIGHT the screen shows a notice instead of a broken layout.
 */
import type { Snapshot } from '../../src/control/snapshot.ts';

export type ViewName = 'torrents' | 'tracker' | 'ring' | 'lab';
export type PaneName = 'torrents' | 'pieces' | 'peers' | 'graphs' | 'tracker' | 'ring' | 'lab';

export interface Rect {
  left: number;
  top: number;
  width: number;
  height: number;
}

export interface Layout {
  header: Rect;
  footer: Rect;
  panes: { name: PaneName; rect: Rect }[];
}

export const MIN_WIDTH = 60;
export const MIN_HEIGHT = 16;
/** Width from which the torrents view uses two columns. */
export const WIDE = 120;

export const VIEW_ORDER: readonly ViewName[] = ['torrents', 'tracker', 'ring', 'lab'];

/** The views a snapshot has data for (torrents also for a client with none yet). */
export function availableViews(s: Snapshot | undefined): ViewName[] {
  if (!s) return ['torrents'];
  const out: ViewName[] = [];
  if (s.torrents || s.process.kind === 'client') out.push('torrents');
  if (s.tracker) out.push('tracker');
  if (s.ring) out.push('ring');
  if (s.lab) out.push('lab');
  return out.length > 0 ? out : ['torrents'];
}

export function tooSmallNotice(width: number, height: number): string | undefined {
  if (width >= MIN_WIDTH && height >= MIN_HEIGHT) return undefined;
  return `Terminal too small (${width}×${height}); ringswarm tui needs at least ${MIN_WIDTH}×${MIN_HEIGHT}. Enlarge the window or press q to quit.`;
}

export function layout(view: ViewName, width: number, height: number, torrentCount = 1): Layout {
  const header = { left: 0, top: 0, width, height: 1 };
  const footer = { left: 0, top: height - 1, width, height: 1 };
  const top = 1;
  const bodyH = height - 2;
  if (view !== 'torrents') return { header, footer, panes: [{ name: view, rect: { left: 0, top, width, height: bodyH } }] };

  // Torrents list: its rows plus border and header, at most ~30% of the body.
  const torrentsH = Math.max(4, Math.min(torrentCount + 3, Math.floor(bodyH * 0.3)));
  const restTop = top + torrentsH;
  const restH = bodyH - torrentsH;
  const panes: Layout['panes'] = [{ name: 'torrents', rect: { left: 0, top, width, height: torrentsH } }];
  if (width >= WIDE) {
    const leftW = Math.floor(width * 0.45);
    const graphsH = Math.min(6, Math.max(4, Math.floor(restH * 0.3)));
    panes.push(
      { name: 'pieces', rect: { left: 0, top: restTop, width: leftW, height: restH - graphsH } },
      { name: 'graphs', rect: { left: 0, top: restTop + restH - graphsH, width: leftW, height: graphsH } },
      { name: 'peers', rect: { left: leftW, top: restTop, width: width - leftW, height: restH } },
    );
  } else {
    const graphsH = 4;
    const piecesH = Math.max(4, Math.floor((restH - graphsH) * 0.4));
    const peersH = restH - graphsH - piecesH;
    panes.push(
      { name: 'pieces', rect: { left: 0, top: restTop, width, height: piecesH } },
      { name: 'peers', rect: { left: 0, top: restTop + piecesH, width, height: peersH } },
      { name: 'graphs', rect: { left: 0, top: restTop + piecesH + peersH, width, height: graphsH } },
    );
  }
  return { header, footer, panes };
}
