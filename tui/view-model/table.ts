/**
 * Fixed-width tables: columns have a minimum width and an optional flex weight; spare width
 * goes to flexible columns, and when the terminal is narrow, columns marked `drop` disappear
 * (lowest priority first) before anything is squeezed below its minimum.
 */
import { fit } from './format.ts';

export interface Column<R> {
  title: string;
  width: number;
  align?: 'left' | 'right';
  /** Share of spare width (0 = fixed). */
  flex?: number;
  /** Higher drops first when the table does not fit; undefined never drops. */
  drop?: number;
  cell: (row: R) => string;
}

export interface Table {
  header: string;
  rows: string[];
}

/** The columns that fit in `width` (one space between columns) with their final widths. */
export function fitColumns<R>(cols: readonly Column<R>[], width: number): { col: Column<R>; w: number }[] {
  let kept = cols.slice();
  const need = (cs: readonly Column<R>[]) => cs.reduce((a, c) => a + c.width, 0) + Math.max(0, cs.length - 1);
  while (need(kept) > width) {
    const droppable = kept.filter((c) => c.drop !== undefined);
    if (droppable.length === 0) break;
    const worst = droppable.reduce((a, b) => ((b.drop as number) > (a.drop as number) ? b : a));
    kept = kept.filter((c) => c !== worst);
  }
  const spare = Math.max(0, width - need(kept));
  const weight = kept.reduce((a, c) => a + (c.flex ?? 0), 0);
  let given = 0;
  const out = kept.map((col) => {
    const extra = weight > 0 ? Math.floor((spare * (col.flex ?? 0)) / weight) : 0;
    given += extra;
    return { col, w: col.width + extra };
  });
  // Rounding leftovers go to the first flexible column so rows fill the width exactly.
  const firstFlex = out.find((c) => (c.col.flex ?? 0) > 0);
  if (firstFlex) firstFlex.w += spare - given;
  return out;
}

export function renderTable<R>(cols: readonly Column<R>[], rows: readonly R[], width: number): Table {
  const fitted = fitColumns(cols, width);
  const line = (cells: string[]) => fit(cells.join(' '), width);
  return {
    header: line(fitted.map(({ col, w }) => fit(col.title, w, col.align))),
    rows: rows.map((r) => line(fitted.map(({ col, w }) => fit(col.cell(r), w, col.align)))),
  };
}
