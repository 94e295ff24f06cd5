import { describe, expect, it } from 'vitest';
import type { DhtPeerSourceLike } from '../../../../dht/peer-source.ts';
import type { Endpoint } from '../../../../src/naming/endpoint.ts';
import { DhtSource } from '../../../../peer/discovery/dht-source.ts';

class FakeDht implements DhtPeerSourceLike {
  readonly name = 'dht';
  calls: { port: number }[] = [];
  constructor(private readonly answers: (Endpoint[] | Error)[]) {}
  async getPeers(_h: Uint8Array, port: number): Promise<Endpoint[]> {
    this.calls.push({ port });
    const a = this.answers[Math.min(this.calls.length - 1, this.answers.length - 1)]!;
    if (a instanceof Error) throw a;
    return a;
  }
}

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('DhtSource', () => {
  it('announces our port, emits others (not us), retries quickly while nobody is found, then slows down', async () => {
    const dht = new FakeDht([[], new Error('lookup timed out'), [{ host: '127.0.0.1', port: 7000 }, { host: '127.0.0.1', port: 9000 }]]);
    const s = new DhtSource(dht, { infoHash: new Uint8Array(20), port: () => 7000, quickRetryMs: 20, intervalMs: 60_000 });
    const got: Endpoint[][] = [];
    const warnings: Error[] = [];
    s.on('peers', (p) => got.push(p));
    s.on('warning', (e) => warnings.push(e));
    s.start();
    s.start(); // idempotent
    await wait(150);
    expect(dht.calls.length).toBe(3); // [] → quick retry, error → quick retry, found → long interval
    expect(dht.calls.every((c) => c.port === 7000)).toBe(true);
    expect(warnings.map((e) => e.message)).toEqual(['lookup timed out']);
    expect(got).toEqual([[{ host: '127.0.0.1', port: 9000 }]]);
    await s.stop();
  });

  it('stops scheduling rounds after stop()', async () => {
    const dht = new FakeDht([[]]);
    const s = new DhtSource(dht, { infoHash: new Uint8Array(20), port: () => 1, quickRetryMs: 10 });
    s.start();
    await wait(35);
    await s.stop();
    const n = dht.calls.length;
    await wait(50);
    expect(dht.calls.length).toBe(n);
  });
});
