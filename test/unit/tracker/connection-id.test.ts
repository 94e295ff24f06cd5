import { describe, it, expect } from 'vitest';
import { ConnectionIds } from '../../../tracker/connection-id.ts';

describe('ConnectionIds', () => {
  const ids = new ConnectionIds(new Uint8Array(32).fill(7), 60_000);
  it('verifies for the same source within ~2 minutes, not after', () => {
    const id = ids.issue('127.0.0.1', 5000, 10_000);
    expect(ids.verify(id, '127.0.0.1', 5000, 10_000)).toBe(true);
    expect(ids.verify(id, '127.0.0.1', 5000, 119_999)).toBe(true);
    expect(ids.verify(id, '127.0.0.1', 5000, 120_000)).toBe(false);
  });
  it('does not verify for another address or port (spoofed sources get nothing)', () => {
    const id = ids.issue('127.0.0.1', 5000, 0);
    expect(ids.verify(id, '127.0.0.2', 5000, 0)).toBe(false);
    expect(ids.verify(id, '127.0.0.1', 5001, 0)).toBe(false);
    expect(ids.verify(id ^ 1n, '127.0.0.1', 5000, 0)).toBe(false);
  });
  it('another secret gives other ids', () => {
    const other = new ConnectionIds(new Uint8Array(32).fill(8));
    expect(other.issue('127.0.0.1', 5000, 0)).not.toBe(ids.issue('127.0.0.1', 5000, 0));
  });
});
