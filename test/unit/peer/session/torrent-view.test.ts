import { describe, expect, it } from 'vitest';
import { Availability } from '../../../../peer/core/availability.ts';
import { Bitfield } from '../../../../peer/core/bitfield.ts';
import { Layout } from '../../../../peer/core/layout.ts';
import { Picker } from '../../../../peer/core/picker.ts';
import { torrentView } from '../../../../peer/session/torrent-view.ts';
import type { TorrentStats } from '../../../../peer/session/torrent-stats.ts';
import { bitAt } from '../../../../src/control/snapshot.ts';
import { seededRandom } from '../../../../src/random.ts';

const stats: TorrentStats = {
  infoHashHex: 'ab'.repeat(20), name: 'x', length: 10 * 32768, pieceCount: 10, have: 2, progress: 0.2,
  downloaded: 100, uploaded: 50, downloadRate: 10, uploadRate: 5, peers: 0, seeds: 0, state: 'downloading', eta: 3, wasted: 0,
};

describe('torrentView', () => {
  it('fills the piece map (have, downloading, availability) and the ratio', () => {
    const layout = new Layout({ pieceLength: 32768, length: 10 * 32768, files: [{ path: ['x'], length: 10 * 32768 }] });
    const availability = new Availability(10);
    for (let i = 0; i < 300; i++) availability.have(`p${i}`, 9);
    availability.setBitfield('seed', Bitfield.fromString('**********'));
    const picker = new Picker({ geometry: layout, availability, random: seededRandom(1), have: Bitfield.fromString('**        ') });
    picker.pickBlocks('seed', 1, 0);
    const v = torrentView({ stats, pieceLength: 32768, picker, availability, peers: [], history: { intervalMs: 1000, down: [1, 2], up: [3] }, now: 0 });
    expect(v.infoHash).toBe(stats.infoHashHex);
    expect(v.ratio).toBe(0.5);
    expect(bitAt(v.pieces!.have, 0) && bitAt(v.pieces!.have, 1) && !bitAt(v.pieces!.have, 2)).toBe(true);
    const downloading = [...Array(10).keys()].filter((i) => bitAt(v.pieces!.downloading, i));
    expect(downloading).toEqual(picker.partialPieces());
    expect(downloading.length).toBe(1);
    expect(v.pieces!.availability[9]).toBe(255); // capped
    expect(v.pieces!.availability[0]).toBe(1);
    expect(v.history).toEqual({ intervalMs: 1000, down: [1, 2], up: [3] });
  });
});
