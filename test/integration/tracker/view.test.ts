import { describe, it, expect } from 'vitest';
import { TrackerServer } from '../../../tracker/server.ts';
import { httpAnnounce } from '../../../tracker/http-announce.ts';
import { trackerViewSource } from '../../../tracker/view.ts';

describe('tracker view for the TUI', () => {
  it('shows swarms with seeds/leechers and announce rates measured between snapshots', async () => {
    const server = new TrackerServer({}, { host: '127.0.0.1', port: 0, interval: 60 });
    await server.start();
    let now = 0;
    try {
      const view = trackerViewSource(server, () => now);
      const ih = new Uint8Array(20).fill(5);
      for (const [i, left] of [[1, 0n], [2, 10n], [3, 10n], [4, 10n]] as const) {
        await httpAnnounce(server.announceUrls.http, {
          infoHash: ih, peerId: new Uint8Array(20).fill(i), port: 7000 + i,
          uploaded: 0n, downloaded: 0n, left, event: 'started', numwant: 50, key: 0,
        });
      }
      now = 2000; // four announces over two seconds
      const v = view();
      expect(v.announcesPerSec).toBe(2);
      expect(v.swarms).toEqual([{ infoHash: '05'.repeat(20), seeds: 1, leechers: 3, completed: 0, announcesPerSec: 2 }]);
      now = 3000; // nothing since
      expect(view().announcesPerSec).toBe(0);
    } finally {
      await server.stop();
    }
  });
});
