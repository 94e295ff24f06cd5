/** The iterative lookup state machine against bogus and dead next hops. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { IterativeLookup } from '../../../dht/core/lookup.ts';
import type { NodeRef } from '../../../dht/core/node-ref.ts';

const n = (id: number): NodeRef => ({ id: BigInt(id) << 150n, host: '127.0.0.1', port: 1000 + id });
const key = 500n << 150n;

describe('IterativeLookup', () => {
  it('found at the origin costs no hop', () => {
    const l = new IterativeLookup(key, { found: n(600), backups: [n(700)] });
    expect(l.next()).toMatchObject({ type: 'done', owner: n(600), backups: [n(700)], hops: 0 });
  });

  it('follows forwards and counts hops', () => {
    const l = new IterativeLookup(key, { forward: [n(300)] });
    expect(l.next()).toEqual({ type: 'query', to: n(300) });
    l.onAnswer(n(300), { forward: [n(450)] });
    expect(l.next()).toEqual({ type: 'query', to: n(450) });
    l.onAnswer(n(450), { found: n(510), backups: [] });
    expect(l.next()).toMatchObject({ type: 'done', owner: n(510), hops: 2, path: [n(300), n(450)] });
  });

  it('routes around a dead hop through the next-best candidate', () => {
    const l = new IterativeLookup(key, { forward: [n(400), n(200)] });
    expect(l.next()).toEqual({ type: 'query', to: n(400) });
    l.onUnreachable(n(400));
    expect(l.next()).toEqual({ type: 'query', to: n(200) });
    l.onAnswer(n(200), { forward: [n(400), n(480)] }); // 400 already failed: not retried
    expect(l.next()).toEqual({ type: 'query', to: n(480) });
  });

  it('ignores bogus hops that do not get closer to the key', () => {
    const l = new IterativeLookup(key, { forward: [n(300)] });
    l.next();
    l.onAnswer(n(300), { forward: [n(100), n(600), n(300), n(299)] });
    expect(l.next()).toMatchObject({ type: 'failed', reason: 'no_candidates' });
  });

  it('ignores answers from nodes it did not ask', () => {
    const l = new IterativeLookup(key, { forward: [n(300)] });
    l.next();
    l.onAnswer(n(301), { found: n(1), backups: [] });
    expect(l.next()).toEqual({ type: 'query', to: n(300) });
  });

  it('property: any answers terminate within the query budget, never revisiting a node', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.integer({ min: 0, max: 1023 }), { maxLength: 6 }), { maxLength: 80 }),
        fc.array(fc.boolean(), { maxLength: 80 }),
        (answers, dead) => {
          const l = new IterativeLookup(key, { forward: [n(1)] }, 20);
          const seen = new Set<bigint>();
          for (let i = 0; i < 100; i++) {
            const s = l.next();
            if (s.type !== 'query') return;
            expect(seen.has(s.to.id)).toBe(false);
            seen.add(s.to.id);
            if (dead[i]) l.onUnreachable(s.to);
            else l.onAnswer(s.to, { forward: (answers[i] ?? []).map(n) });
          }
          throw new Error('did not terminate');
        },
      ),
    );
  });
});
