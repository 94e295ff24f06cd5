/**
 * The piece map: one cell per piece, or per run of pieces when there are more pieces than
 * cells. Missing pieces show how many peers have them (1–9, '+' for ten or more, '·' for none),
 * so rarest-first is visible: the low digits should turn into blocks first.
 */
import { bitAt, type PieceMap } from '../../src/control/snapshot.ts';

export type PieceCellKind = 'have' | 'downloading' | 'partial' | 'missing';

export interface PieceCell {
  kind: PieceCellKind;
  /** Lowest availability among the cell's missing pieces (0 when it has none missing). */
  availability: number;
  glyph: string;
}

export const PIECE_LEGEND = '█ have  ▓ downloading  ▄ part  1-9 peers with it  · none';

export function availabilityGlyph(a: number): string {
  return a <= 0 ? '·' : a >= 10 ? '+' : String(a);
}

/** Cells for a map drawn in at most `cells` cells. */
export function pieceCells(map: PieceMap, pieceCount: number, cells: number): PieceCell[] {
  if (pieceCount <= 0 || cells <= 0) return [];
  const group = Math.ceil(pieceCount / cells);
  const out: PieceCell[] = [];
  for (let start = 0; start < pieceCount; start += group) {
    const end = Math.min(pieceCount, start + group);
    let have = 0;
    let downloading = false;
    let minAvail = Infinity;
    for (let i = start; i < end; i++) {
      if (bitAt(map.have, i)) have++;
      else {
        if (bitAt(map.downloading, i)) downloading = true;
        minAvail = Math.min(minAvail, map.availability[i] ?? 0);
      }
    }
    if (have === end - start) out.push({ kind: 'have', availability: 0, glyph: '█' });
    else if (downloading) out.push({ kind: 'downloading', availability: minAvail, glyph: '▓' });
    else if (have > 0) out.push({ kind: 'partial', availability: minAvail, glyph: '▄' });
    else out.push({ kind: 'missing', availability: minAvail, glyph: availabilityGlyph(minAvail) });
  }
  return out;
}

/** Rows of cells for a pane `width` wide and `height` tall. */
export function pieceMapRows(map: PieceMap | undefined, pieceCount: number, width: number, height: number): PieceCell[][] {
  if (!map || width <= 0 || height <= 0) return [];
  const cells = pieceCells(map, pieceCount, width * height);
  const rows: PieceCell[][] = [];
  for (let i = 0; i < cells.length; i += width) rows.push(cells.slice(i, i + width));
  return rows;
}

/** Plain text form (tests, logs): one string per row. */
export function pieceMapText(map: PieceMap | undefined, pieceCount: number, width: number, height: number): string[] {
  return pieceMapRows(map, pieceCount, width, height).map((r) => r.map((c) => c.glyph).join(''));
}

/** Pieces per cell, for the pane title ("1 cell = 4 pieces"). */
export function piecesPerCell(pieceCount: number, width: number, height: number): number {
  return Math.max(1, Math.ceil(pieceCount / Math.max(1, width * height)));
}
