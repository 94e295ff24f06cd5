/**
 * The control socket's tracker view (`ringswarm tracker --control`, the demo): swarms with
 * seeds, leechers, completed, and announce rates measured between two calls — so keep one
 * source per subscriber loop, like dht/ring-view.ts.
 */
import type { SwarmView, TrackerView } from '../src/control/snapshot.ts';
import type { TrackerServer } from './server.ts';

export function trackerViewSource(t: TrackerServer, now: () => number = Date.now): () => TrackerView {
  let last = { at: now(), total: t.announces.total, by: new Map(t.announces.byInfoHash) };
  let rates = { total: 0, by: new Map<string, number>() };
  return () => {
    const at = now();
    const counts = t.announces;
    if (at - last.at >= 250) {
      const secs = (at - last.at) / 1000;
      const by = new Map<string, number>();
      for (const [ih, n] of counts.byInfoHash) by.set(ih, (n - (last.by.get(ih) ?? 0)) / secs);
      rates = { total: (counts.total - last.total) / secs, by };
      last = { at, total: counts.total, by: new Map(counts.byInfoHash) };
    }
    const swarms: SwarmView[] = t.table.infoHashes().map((infoHash) => {
      const sc = t.table.scrape(infoHash);
      return { infoHash, seeds: sc.complete, leechers: sc.incomplete, completed: sc.downloaded, announcesPerSec: rates.by.get(infoHash) ?? 0 };
    });
    return { endpoint: `${t.announceUrls.http} ${t.announceUrls.udp}`, swarms, announcesPerSec: rates.total };
  };
}
