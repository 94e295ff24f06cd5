/**
 * The .torrent kept for a magnet download: it must carry the info dict byte for byte (the
 * infohash is their SHA-1) plus trackers and web seeds, and parse back to the same metainfo.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { writeFile } from 'node:fs/promises';
import { createTorrent, parseTorrent } from '../../../src/codec/metainfo.ts';
import { bencode } from '../../../src/codec/bencode.ts';
import { encodeTorrentFile, loadSavedTorrent, saveTorrent, savedTorrentPath } from '../../../src/cli/saved-torrents.ts';
import { tempDir } from '../../helpers/tmp.ts';

const url = fc.webUrl({ validSchemes: ['http', 'https', 'udp'] });

describe('encodeTorrentFile', () => {
  it('round-trips any info dict, tracker tiers and web seeds through parseTorrent', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 20 }).filter((s) => !/[\\/\0]/.test(s) && s !== '.' && s !== '..' && !/^[A-Za-z]:/.test(s)), // what safe-path refuses
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.array(fc.array(url, { minLength: 1, maxLength: 3 }), { maxLength: 3 }),
        fc.array(url, { maxLength: 2 }),
        (name, length, tiers, seeds) => {
          const pieceLength = 16384;
          const pieces = new Uint8Array(20 * Math.ceil(length / pieceLength));
          const info = bencode({ length, name, 'piece length': pieceLength, pieces });
          const m = parseTorrent(Buffer.concat([Buffer.from('d4:info'), info, Buffer.from('e')]));
          const file = encodeTorrentFile({ infoBytes: m.infoBytes, announceList: tiers, urlList: seeds });
          const back = parseTorrent(file);
          expect(back.infoHashHex).toBe(m.infoHashHex);
          expect(Buffer.from(back.infoBytes).equals(Buffer.from(info))).toBe(true);
          expect(back.announceList).toEqual(tiers);
          expect(back.urlList).toEqual(seeds);
          expect(back.announce).toBe(tiers[0]?.[0]);
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('saveTorrent / loadSavedTorrent', () => {
  it('saves under <db>/torrents/<infohash>.torrent and loads it back; garbage or a wrong infohash gives undefined', async () => {
    const d = await tempDir('ringswarm-saved-');
    try {
      await writeFile(`${d.path}/f.bin`, Buffer.alloc(40_000, 7));
      const { metainfo } = await createTorrent(`${d.path}/f.bin`, { trackers: [['http://127.0.0.1:1/announce']] });
      const db = `${d.path}/db`;
      const path = await saveTorrent(db, metainfo);
      expect(path).toBe(savedTorrentPath(db, metainfo.infoHashHex));
      const back = await loadSavedTorrent(db, metainfo.infoHashHex.toUpperCase());
      expect(back?.infoHashHex).toBe(metainfo.infoHashHex);
      expect(back?.announceList).toEqual([['http://127.0.0.1:1/announce']]);
      expect(await loadSavedTorrent(db, '0'.repeat(40))).toBeUndefined();
      await writeFile(path, 'not bencode');
      expect(await loadSavedTorrent(db, metainfo.infoHashHex)).toBeUndefined();
    } finally {
      await d.cleanup();
    }
  });
});
