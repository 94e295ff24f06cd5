import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { clientServerBound, p2pBound, uniformPeers, boundFor } from '../../../src/lab/bounds.ts';

// The textbook figure: all peers upload at u, F/u = 1 hour, u_s = 10u, d_min ≥ u_s.
const HOUR = 3600;
const u = 1000; // bytes/s; any value works, only ratios matter
const F = u * HOUR;
const textbook = (n: number) => ({ fileBytes: F, serverUp: 10 * u, ...uniformPeers(n, u, 10 * u) });

describe('textbook figure (F/u = 1 h, u_s = 10u, d_min = u_s)', () => {
  it('client-server grows linearly: N/10 hours, 3 h at N = 30', () => {
    expect(clientServerBound(textbook(30)).seconds / HOUR).toBeCloseTo(3, 10);
    expect(clientServerBound(textbook(1)).seconds / HOUR).toBeCloseTo(0.1, 10);
    expect(clientServerBound(textbook(35)).seconds / HOUR).toBeCloseTo(3.5, 10);
    expect(clientServerBound(textbook(30)).term).toBe('server');
  });

  it('P2P flattens below 1 h: N/(10+N) hours, 0.75 h at N = 30', () => {
    const b30 = p2pBound(textbook(30));
    expect(b30.seconds / HOUR).toBeCloseTo(0.75, 10);
    expect(b30.seconds).toBeLessThan(HOUR);
    expect(b30.term).toBe('aggregate-upload');
    for (const n of [1, 2, 5, 10, 20, 35, 1000]) {
      expect(p2pBound(textbook(n)).seconds / HOUR).toBeCloseTo(Math.max(0.1, n / (10 + n)), 10);
      expect(p2pBound(textbook(n)).seconds).toBeLessThan(HOUR);
    }
  });

  it('at N = 1 both are F/u_s (the server must send one copy)', () => {
    expect(clientServerBound(textbook(1)).seconds).toBeCloseTo(F / (10 * u), 10);
    expect(p2pBound(textbook(1)).seconds).toBeCloseTo(F / (10 * u), 10);
  });
});

describe('binding terms', () => {
  it('a slow downloader binds both', () => {
    const input = { fileBytes: 100, serverUp: 1000, peerUp: [10, 10], peerDown: [1000, 1] };
    expect(clientServerBound(input)).toEqual({ term: 'slowest-download', seconds: 100 });
    expect(p2pBound(input)).toEqual({ term: 'slowest-download', seconds: 100 });
  });
  it('free riders (u_i = 0) make P2P fall back to N·F/u_s', () => {
    const input = { fileBytes: 100, serverUp: 10, ...uniformPeers(4, 0, 1e9) };
    expect(p2pBound(input).seconds).toBe(40);
    expect(boundFor('client-server', input).seconds).toBe(40);
  });
});

describe('validation', () => {
  it('rejects N = 0, negative and zero rates, mismatched lengths', () => {
    expect(() => p2pBound({ fileBytes: 1, serverUp: 1, peerUp: [], peerDown: [] })).toThrow(/N must be at least 1/);
    expect(() => p2pBound({ fileBytes: 1, serverUp: -1, peerUp: [1], peerDown: [1] })).toThrow(/server upload/);
    expect(() => p2pBound({ fileBytes: 1, serverUp: 1, peerUp: [-1], peerDown: [1] })).toThrow(/upload rates/);
    expect(() => clientServerBound({ fileBytes: 1, serverUp: 1, peerUp: [1], peerDown: [0] })).toThrow(/download rates/);
    expect(() => clientServerBound({ fileBytes: 0, serverUp: 1, peerUp: [1], peerDown: [1] })).toThrow(/file size/);
    expect(() => clientServerBound({ fileBytes: 1, serverUp: 1, peerUp: [1], peerDown: [1, 2] })).toThrow(/peerDown/);
    expect(() => uniformPeers(0, 1, 1)).toThrow(/N must be/);
  });
});

describe('properties', () => {
  const rate = fc.double({ min: 1, max: 1e9, noNaN: true });
  it('P2P bound never exceeds the client-server bound and both are ≥ F/d_min', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200 }), fc.double({ min: 1, max: 1e10, noNaN: true }), rate, rate, rate, (n, f, us, up, down) => {
        const input = { fileBytes: f, serverUp: us, ...uniformPeers(n, up, down) };
        const cs = clientServerBound(input).seconds;
        const p2p = p2pBound(input).seconds;
        expect(p2p).toBeLessThanOrEqual(cs * (1 + 1e-12));
        expect(p2p).toBeGreaterThanOrEqual((f / down) * (1 - 1e-12));
      }),
    );
  });
});
