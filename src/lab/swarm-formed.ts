/**
 * Waits until the leechers present at a run's start have found each other: each holds at least
 * `want` open connections, or `limitMs` passed (then the run starts with the mesh it has — a
 * big swarm's tracker answers hold 50 peers, so not everyone meets everyone).
 */
import type { Torrent } from '../../peer/session/torrent.ts';

export async function swarmFormed(torrents: readonly (Torrent | undefined)[], want: number, signal: AbortSignal, limitMs = 3000): Promise<void> {
  const until = performance.now() + limitMs;
  const formed = (): boolean => torrents.every((t) => t === undefined || t.stats().peers >= want);
  while (!formed() && !signal.aborted && performance.now() < until) await new Promise((r) => setTimeout(r, 20));
}
