/**
 * What both front ends share: the swarm table, the clock and write-through persistence.
 * An announce resolves only after its state changes are in the store (see store.ts).
 */
import type { AnnounceRequest, AnnounceResult, ScrapeEntry, SwarmTable } from './swarm.ts';
import type { TrackerStore } from './store.ts';

export class TrackerCore {
  /** Announces served, in total and per infohash (hex): the TUI's announces/s. */
  readonly announces = { total: 0, byInfoHash: new Map<string, number>() };

  constructor(
    readonly table: SwarmTable,
    private readonly store: TrackerStore | undefined,
    readonly now: () => number = Date.now,
  ) {}

  async announce(req: AnnounceRequest): Promise<AnnounceResult> {
    const { result, written } = this.announceNow(req);
    await written;
    return result;
  }

  /**
   * The hot path: the answer at once, plus the pending write when this announce changed state
   * (undefined for plain re-announces and for in-memory trackers). Answer only after `written`.
   */
  announceNow(req: AnnounceRequest): { result: AnnounceResult; written: Promise<void> | undefined } {
    const result = this.table.announce(req, this.now());
    this.announces.total++;
    this.announces.byInfoHash.set(req.infoHash, (this.announces.byInfoHash.get(req.infoHash) ?? 0) + 1);
    const changes = this.table.drainChanges();
    const written = this.store && changes.length > 0 ? this.store.apply(changes) : undefined;
    return { result, written };
  }

  scrape(infoHashHex: string): ScrapeEntry {
    return this.table.scrape(infoHashHex);
  }

  /** Expire silent peers and persist the removals. */
  async prune(): Promise<number> {
    const n = this.table.prune(this.now());
    await this.persist();
    return n;
  }

  private async persist(): Promise<void> {
    const changes = this.table.drainChanges();
    if (this.store && changes.length > 0) await this.store.apply(changes);
  }
}
