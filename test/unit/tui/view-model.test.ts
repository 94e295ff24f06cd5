import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { fit, formatBytes, formatEta, formatRate, progressBar } from '../../../tui/view-model/format.ts';
import { renderTable } from '../../../tui/view-model/table.ts';
import { pieceCells, pieceMapText } from '../../../tui/view-model/pieces.ts';
import { sparkline } from '../../../tui/view-model/sparkline.ts';
import { peerTable } from '../../../tui/view-model/peers.ts';
import { torrentTable } from '../../../tui/view-model/torrents.ts';
import { ringLines } from '../../../tui/view-model/ring.ts';
import { labRows, labHeader } from '../../../tui/view-model/lab.ts';
import { swarmTable } from '../../../tui/view-model/tracker.ts';
import { compactFingers } from '../../../src/control/snapshot.ts';
import { peer, pieceMap, torrent } from './fixtures.ts';

describe('format', () => {
  it('sizes, rates, ETAs', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1536)).toBe('1.50 KiB');
    expect(formatBytes(6 * 1024 ** 3)).toBe('6.00 GiB');
    expect(formatBytes(700 * 1024 ** 2)).toBe('700 MiB');
    expect(formatRate(0)).toBe('-');
    expect(formatRate(2.5 * 1024 ** 2)).toBe('2.50 MiB/s');
    expect(formatEta(null)).toBe('∞');
    expect(formatEta(45)).toBe('45s');
    expect(formatEta(185)).toBe('3m05s');
    expect(formatEta(7620)).toBe('2h07m');
    expect(formatEta(3 * 86400 + 4 * 3600)).toBe('3d04h');
  });

  it('progress bars are exactly width cells', () => {
    expect(progressBar(0, 4)).toBe('····');
    expect(progressBar(0.5, 4)).toBe('██··');
    expect(progressBar(1, 4)).toBe('████');
    expect(progressBar(0.6, 4)).toBe('██▍·');
    fc.assert(fc.property(fc.double({ noNaN: false }), fc.integer({ min: 0, max: 200 }), (p, w) => {
      expect(Array.from(progressBar(p, w)).length).toBe(w);
    }));
  });

  it('fit pads, truncates and strips control characters', () => {
    expect(fit('abc', 5)).toBe('abc  ');
    expect(fit('abc', 5, 'right')).toBe('  abc');
    expect(fit('abcdef', 4)).toBe('abc…');
    expect(fit('a\x1b[31mb', 8)).toBe('a?[31mb ');
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), fc.integer({ min: 0, max: 100 }), (s, w) => {
      expect(Array.from(fit(s, w)).length).toBe(w);
    }));
  });
});

describe('tables', () => {
  it('every row is exactly the width, dropping optional columns when narrow', () => {
    const t = torrent();
    for (const w of [40, 78, 118, 200]) {
      const table = torrentTable([t], w);
      expect(Array.from(table.header).length).toBe(w);
      expect(Array.from(table.rows[0] as string).length).toBe(w);
    }
    // 80 columns (78 inside the border) keep ETA, peers and seeds; the bar and size go first.
    expect(torrentTable([t], 78).header).toMatch(/^Name +Done State +Down +Up Peers Seeds +ETA$/);
    expect(torrentTable([t], 118).header).toMatch(/Size Progress +Done.*Ratio Peers Seeds +ETA$/);
    expect(torrentTable([t], 118).rows[0]).toContain('ubuntu-24.04-desktop-amd64.iso');
  });

  it('renderTable gives spare width to flexible columns', () => {
    const t = renderTable([{ title: 'A', width: 2, flex: 1, cell: (r: string) => r }, { title: 'B', width: 3, align: 'right', cell: () => 'x' }], ['hi'], 10);
    expect(t.header).toBe('A        B');
    expect(t.header.length).toBe(10);
    expect(t.rows[0]).toBe('hi       x');
  });
});

describe('piece map', () => {
  it('one cell per piece: have, downloading, availability digits', () => {
    // '#' have, '>' downloading, ' ' missing; digits = peers with the piece.
    const m = pieceMap('##>  #>   ', '0012345678');
    expect(pieceMapText(m, 10, 20, 1)).toEqual(['██▓23█▓678']);
    expect(pieceMapText(m, 10, 4, 3)).toEqual(['██▓2', '3█▓6', '78']);
  });

  it('shows no-peer pieces as dots and ten or more as +', () => {
    expect(pieceMapText(pieceMap('   ', '0' + '9' + '9'), 3, 3, 1)).toEqual(['·99']);
    const m = pieceMap('  ', '00');
    m.availability = Uint8Array.from([0, 200]);
    expect(pieceMapText(m, 2, 2, 1)).toEqual(['·+']);
  });

  it('groups pieces when there are more than cells', () => {
    // 8 pieces in 4 cells: [##][#>][ #][  ] → have, downloading, part, missing(min avail)
    const m = pieceMap('###> #  ', '00000153');
    const cells = pieceCells(m, 8, 4);
    expect(cells.map((c) => c.kind)).toEqual(['have', 'downloading', 'partial', 'missing']);
    expect(cells.map((c) => c.glyph).join('')).toBe('█▓▄3');
  });

  it('never draws more cells than asked for', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 1, max: 300 }), (n, cells) => {
      const m = { have: new Uint8Array(Math.ceil(n / 8)), downloading: new Uint8Array(Math.ceil(n / 8)), availability: new Uint8Array(n) };
      const out = pieceCells(m, n, cells);
      expect(out.length).toBeLessThanOrEqual(cells);
      if (n > 0) expect(out.length).toBeGreaterThan(0);
    }));
  });
});

describe('sparkline', () => {
  it('scales to the maximum with blanks for zero', () => {
    expect(sparkline([0, 1, 2, 4, 8], 5)).toBe(' ▁▂▄█');
    expect(sparkline([8, 8], 4)).toBe('  ██');
    expect(sparkline([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 3)).toBe('▇██');
    expect(sparkline([5], 2, 10)).toBe(' ▄');
    expect(sparkline([], 3)).toBe('   ');
  });
});

describe('peers', () => {
  it('shows flags and sorts fastest first', () => {
    const peers = [
      peer('127.0.0.1:1', { client: 'aria2' }),
      peer('127.0.0.1:2', { peerChoking: false, downRate: 5000, incoming: true }),
      peer('127.0.0.1:3', { peerInterested: true, amChoking: false, optimistic: true }),
    ];
    const t = peerTable(peers, 80);
    expect(t.header).toMatch(/Address.*Client.*Flags.*Done.*Down.*Up/);
    expect(t.rows[0]).toMatch(/127\.0\.0\.1:2 .* DI /);
    expect(t.rows[1]).toMatch(/127\.0\.0\.1:1 .*aria2 .* d /);
    expect(t.rows[2]).toMatch(/127\.0\.0\.1:3 .* dUO /);
  });
});

describe('tracker, ring, lab', () => {
  it('tracker rows busiest first', () => {
    const t = swarmTable([
      { infoHash: '11'.repeat(20), seeds: 1, leechers: 0, completed: 0, announcesPerSec: 0 },
      { infoHash: '22'.repeat(20), seeds: 3, leechers: 7, completed: 2, announcesPerSec: 1.5 },
    ], 80);
    expect(t.rows[0]).toMatch(/^2222.* 3 +7 +2 +1\.50$/);
  });

  it('ring view lists successors and compacted fingers', () => {
    const a = { id: 'a'.repeat(40), endpoint: '127.0.0.1:4001' };
    const b = { id: 'b'.repeat(40), endpoint: '127.0.0.1:4002' };
    const lines = ringLines({
      id: '9'.repeat(40), endpoint: '127.0.0.1:4000', predecessor: null, successors: [a, b],
      fingers: compactFingers([...Array(158).fill(a), b, b]), records: 12, lookupsPerSec: 3, meanHops: 2.5,
    }, 80);
    expect(lines).toContain('Predecessor (none)');
    expect(lines).toContain('   1. aaaaaaaaaaaaaaaa  127.0.0.1:4001');
    expect(lines).toContain('    0-157 → aaaaaaaaaaaaaaaa  127.0.0.1:4001');
    expect(lines).toContain('  158-159 → bbbbbbbbbbbbbbbb  127.0.0.1:4002');
    expect(lines[1]).toBe('Records     12    lookups/s 3.0    mean hops 2.50');
  });

  it('lab rows are bars with done times', () => {
    const rows = labRows([{ name: 'p1', progress: 1, doneMs: 4200 }, { name: 'p2', progress: 0.5, doneMs: null }], 60);
    expect(rows.every((r) => Array.from(r).length === 60)).toBe(true);
    expect(rows[0]).toMatch(/^p1 +█+ +100% +4\.20 s$/);
    expect(rows[1]).toMatch(/^p2 +█+▌·+ +50\.0% +$/);
    expect(labHeader({ scenario: 'n=10', elapsedMs: 6000, boundMs: 4000, peers: [] }, 80)).toMatch(/elapsed 6\.00 s  bound 4\.00 s \(1\.50×\)/);
  });
});
