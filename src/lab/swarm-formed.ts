/**
 * Waits until the leechers present at a run's start have found each other: each holds at least
 * `want` open connections, or `limitMs` passed (then the run starts with the mesh it has — a
 * big swarm's tracker answers hold 50 peers, so not everyone meets everyone). At least `minMs`:
 * a full leecher makes room for the seed only by dropping a peer idle for 500 ms.
 */
/** `connections()`: each starting leecher's open connections now. */
export async function swarmFormed(connections: () => readonly number[], want: number, signal: AbortSignal, limitMs = 3000, minMs = 600): Promise<void> {
  const start = performance.now();
  const until = start + limitMs;
  const formed = (): boolean => connections().every((n) => n >= want);
  while ((!formed() || performance.now() - start < minMs) && !signal.aborted && performance.now() < until) await new Promise((r) => setTimeout(r, 20));
}
