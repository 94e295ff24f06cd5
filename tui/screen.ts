/**
 * The blessed shell: paints the Frame the view model computes, forwards keys to the reducer,
 * and re-lays out on resize. All decisions live in ./view-model; this file only draws.
 *
 * Redraws are coalesced (at most one per REDRAW_MS) so a fast snapshot stream or key repeat
 * does not spend the process's CPU on terminal output.
 */
import blessed from 'blessed';
import type { Widgets } from 'blessed';
import type { Readable, Writable } from 'node:stream';
import type { ControlEvent } from '../src/control/protocol.ts';
import type { Snapshot } from '../src/control/snapshot.ts';
import type { PaneName } from './view-model/layout.ts';
import type { PieceCell } from './view-model/pieces.ts';
import { renderFrame, type Frame, type PaneFrame } from './view-model/render.ts';
import { initialState, reduceKey, type UiState } from './view-model/state.ts';
import type { SnapshotSource } from './source.ts';

const REDRAW_MS = 50;

export interface OpenTuiOptions {
  input?: Readable;
  output?: Writable;
  /** Called when the user quits; default: nothing (the caller decides about the process). */
  onQuit?: () => void;
}

/** Escape blessed tags in text we did not write (torrent names, client names). */
const esc = (s: string) => s.replace(/[{}]/g, (c) => (c === '{' ? '{open}' : '{close}'));

function pieceColor(c: PieceCell): string | undefined {
  switch (c.kind) {
    case 'have':
      return 'green';
    case 'downloading':
      return 'yellow';
    case 'partial':
      return 'cyan';
    default:
      return c.availability === 0 ? 'red' : c.availability === 1 ? 'magenta' : undefined;
  }
}

function paneContent(p: PaneFrame): string {
  if (p.cells) {
    const rows = p.cells.map((row) =>
      row.map((c) => {
        const color = pieceColor(c);
        return color ? `{${color}-fg}${esc(c.glyph)}{/${color}-fg}` : esc(c.glyph);
      }).join(''),
    );
    return [...rows, ...p.lines.slice(rows.length).map(esc)].join('\n');
  }
  return p.lines.map((l, i) => (i === p.selected ? `{${p.focused ? 'inverse' : 'underline'}}${esc(l)}{/${p.focused ? 'inverse' : 'underline'}}` : esc(l))).join('\n');
}

/**
 * Open the TUI on a snapshot source; resolves when the user quits (q or Ctrl-C). The terminal
 * is restored before it resolves.
 */
export function openTui(source: SnapshotSource, o: OpenTuiOptions = {}): Promise<void> {
  // In a UTF-8 locale, draw boxes with Unicode rather than the terminal's line-drawing
  // charset, which tmux and screen garble (lqqk borders, '·' shown as '~').
  const locale = `${process.env.LC_ALL ?? ''}:${process.env.LC_CTYPE ?? ''}:${process.env.LANG ?? ''}`;
  if (process.env.NCURSES_NO_UTF8_ACS === undefined && /utf-?8/i.test(locale)) process.env.NCURSES_NO_UTF8_ACS = '1';
  const screen = blessed.screen({
    smartCSR: true,
    fullUnicode: true,
    title: 'ringswarm',
    autoPadding: false,
    // @types/blessed swaps the two stream types of the screen options; blessed itself reads
    // keys from input and writes to output.
    ...(o.input ? { input: o.input as unknown as Writable } : {}),
    ...(o.output ? { output: o.output as unknown as Readable } : {}),
  });
  let snapshot: Snapshot | undefined;
  let state: UiState = initialState();
  let status: string | undefined;
  let timer: NodeJS.Timeout | undefined;
  let sawFirst = false;

  const header = blessed.box({ parent: screen, top: 0, left: 0, height: 1, width: '100%', style: { fg: 'black', bg: 'cyan' } });
  const footer = blessed.box({ parent: screen, bottom: 0, left: 0, height: 1, width: '100%', style: { fg: 'white', bg: 'blue' } });
  const notice = blessed.box({ parent: screen, top: 0, left: 0, width: '100%', height: '100%', hidden: true, valign: 'middle', align: 'center' });
  const overlay = blessed.box({ parent: screen, top: 'center', left: 'center', width: '80%', height: '70%', hidden: true, border: { type: 'line' }, tags: false, style: { border: { fg: 'yellow' } } });
  const panes = new Map<PaneName, Widgets.BoxElement>();

  const pane = (name: PaneName): Widgets.BoxElement => {
    let b = panes.get(name);
    if (!b) {
      b = blessed.box({ parent: screen, border: { type: 'line' }, tags: true, wrap: false, style: { border: { fg: 'gray' }, label: { fg: 'white' } } });
      panes.set(name, b);
      overlay.setFront();
    }
    return b;
  };

  const paint = (f: Frame) => {
    if (f.tooSmall) {
      for (const b of panes.values()) b.hide();
      header.hide();
      footer.hide();
      overlay.hide();
      notice.setContent(f.tooSmall);
      notice.show();
      return;
    }
    notice.hide();
    header.show();
    footer.show();
    header.setContent(f.header);
    footer.setContent(f.footer);
    const shown = new Set<PaneName>();
    for (const p of f.panes) {
      const b = pane(p.name);
      shown.add(p.name);
      b.left = p.rect.left;
      b.top = p.rect.top;
      b.width = p.rect.width;
      b.height = p.rect.height;
      b.setLabel(p.label);
      b.style.border.fg = p.focused ? 'cyan' : 'gray';
      b.setContent(paneContent(p));
      b.show();
    }
    for (const [name, b] of panes) if (!shown.has(name)) b.hide();
    if (f.overlay) {
      overlay.setLabel(` ${f.overlay.title} `);
      overlay.setContent(f.overlay.lines.join('\n'));
      overlay.show();
      overlay.setFront();
    } else overlay.hide();
  };

  const draw = () => {
    timer = undefined;
    paint(renderFrame({ snapshot, state, width: screen.width as number, height: screen.height as number, source: source.description, status }));
    screen.render();
  };
  const schedule = () => {
    timer ??= setTimeout(draw, REDRAW_MS);
  };

  return new Promise<void>((resolve) => {
    let done = false;
    const stop = source.subscribe({
      snapshot: (s) => {
        snapshot = s;
        if (!sawFirst) {
          sawFirst = true;
          state = initialState(s);
        }
        schedule();
      },
      event: (e: ControlEvent) => {
        status = `${e.level === 'info' ? '' : `${e.level}: `}${e.text}`;
        schedule();
      },
      closed: (err) => {
        status = `disconnected${err ? `: ${err.message}` : ''} — press q to quit`;
        schedule();
      },
    });
    const quit = () => {
      if (done) return;
      done = true;
      stop();
      if (timer) clearTimeout(timer);
      screen.destroy();
      o.onQuit?.();
      resolve();
    };
    screen.on('keypress', (ch: string | undefined, key: Widgets.Events.IKeyEventArg | undefined) => {
      // blessed reports Enter twice: 'return' for the \r, then a copy renamed 'enter'.
      if (key?.name === 'return') return;
      const k = key?.name === 'enter' ? 'enter' : key?.full || ch || '';
      const { state: next, action } = reduceKey(state, k, snapshot);
      state = next;
      if (action?.type === 'quit') return quit();
      if (action?.type === 'command') {
        if (!source.command) status = 'this source accepts no commands';
        else {
          status = `${action.cmd.op}…`;
          source.command(action.cmd).then(
            () => {
              status = `${action.cmd.op}: ok`;
              schedule();
            },
            (e: unknown) => {
              status = `${action.cmd.op} failed: ${e instanceof Error ? e.message : String(e)}`;
              schedule();
            },
          );
        }
      }
      schedule();
    });
    screen.on('resize', () => schedule());
    draw();
  });
}
