import { describe, it, expect } from 'vitest';
import { AbortedError, EndpointError, ResolveError } from '../../../src/errors.ts';
import { Resolver } from '../../../src/naming/resolver.ts';
import { ManualClock } from '../../helpers/manual-clock.ts';

/** A lookup the test answers by hand, recording every call. */
function fakeDns(table: Record<string, string[]> = {}) {
  const calls: string[] = [];
  const waiting: Array<{ host: string; answer: (a: string[]) => void; fail: (e: unknown) => void }> = [];
  let manual = false;
  const lookup = (host: string): Promise<string[]> => {
    calls.push(host);
    if (manual) return new Promise((answer, fail) => waiting.push({ host, answer, fail }));
    const a = table[host];
    if (a) return Promise.resolve(a);
    return Promise.reject(Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' }));
  };
  return { calls, waiting, lookup, table, hold: () => (manual = true) };
}

describe('Resolver with an injected lookup and clock', () => {
  it('returns IP literals without a lookup', async () => {
    const dns = fakeDns();
    const r = new Resolver({ lookup: dns.lookup });
    expect(await r.resolve('10.0.0.1')).toEqual(['10.0.0.1']);
    expect(await r.resolve('0:0::1')).toEqual(['::1']);
    expect(await r.resolveEndpoint({ host: '::1', port: 5 })).toEqual({ host: '::1', port: 5 });
    expect(dns.calls).toEqual([]);
  });

  it('caches answers for ttlMs, then looks up again', async () => {
    const clock = new ManualClock(1000);
    const dns = fakeDns({ 'tracker.lab': ['10.0.0.7', '10.0.0.8'] });
    const r = new Resolver({ lookup: dns.lookup, now: clock.now, ttlMs: 5000 });
    expect(await r.resolve('tracker.lab')).toEqual(['10.0.0.7', '10.0.0.8']);
    clock.advance(4999);
    expect(await r.resolve('TRACKER.lab')).toEqual(['10.0.0.7', '10.0.0.8']);
    expect(dns.calls).toEqual(['tracker.lab']);
    clock.advance(1);
    dns.table['tracker.lab'] = ['10.0.0.9'];
    expect(await r.resolve('tracker.lab')).toEqual(['10.0.0.9']);
    expect(dns.calls.length).toBe(2);
    expect(await r.resolveEndpoint({ host: 'tracker.lab', port: 6969 })).toEqual({ host: '10.0.0.9', port: 6969 });
    expect(dns.calls.length).toBe(2);
  });

  it('caches failures for negativeTtlMs as ResolveError', async () => {
    const clock = new ManualClock();
    const dns = fakeDns();
    const r = new Resolver({ lookup: dns.lookup, now: clock.now, negativeTtlMs: 2000 });
    const first = await r.resolve('nowhere.lab').catch((e: unknown) => e);
    expect(first).toBeInstanceOf(ResolveError);
    expect((first as ResolveError).code).toBe('RESOLVE');
    expect((first as ResolveError).host).toBe('nowhere.lab');
    expect((first as ResolveError).message).toContain('ENOTFOUND');
    clock.advance(1999);
    await expect(r.resolve('nowhere.lab')).rejects.toBeInstanceOf(ResolveError);
    expect(dns.calls.length).toBe(1);
    clock.advance(1);
    dns.table['nowhere.lab'] = ['10.1.1.1'];
    expect(await r.resolve('nowhere.lab')).toEqual(['10.1.1.1']);
    expect(dns.calls.length).toBe(2);
  });

  it('treats an empty or junk answer as a failure and filters junk addresses', async () => {
    const dns = fakeDns({ empty: [], junk: ['not an ip', '10.0.0.1', '::FFFF:1.2.3.4'] });
    const r = new Resolver({ lookup: dns.lookup });
    await expect(r.resolve('empty')).rejects.toBeInstanceOf(ResolveError);
    expect(await r.resolve('junk')).toEqual(['10.0.0.1', '::ffff:1.2.3.4']);
  });

  it('shares one lookup among 10 concurrent resolves', async () => {
    const dns = fakeDns();
    dns.hold();
    const r = new Resolver({ lookup: dns.lookup });
    const all = Promise.all(Array.from({ length: 10 }, () => r.resolve('seed.lab')));
    await Promise.resolve();
    expect(dns.calls).toEqual(['seed.lab']);
    dns.waiting[0]!.answer(['10.0.0.2']);
    expect(await all).toEqual(Array.from({ length: 10 }, () => ['10.0.0.2']));
    // Callers get copies: mutating one answer cannot poison the cache.
    (await r.resolve('seed.lab')).push('6.6.6.6');
    expect(await r.resolve('seed.lab')).toEqual(['10.0.0.2']);
    expect(dns.calls.length).toBe(1);
  });

  it('shares a failing lookup too, and every caller sees ResolveError', async () => {
    const dns = fakeDns();
    dns.hold();
    const r = new Resolver({ lookup: dns.lookup });
    const all = Array.from({ length: 5 }, () => r.resolve('bad.lab').catch((e: unknown) => e));
    await Promise.resolve();
    dns.waiting[0]!.fail(new Error('boom'));
    for (const e of await Promise.all(all)) expect(e).toBeInstanceOf(ResolveError);
    expect(dns.calls.length).toBe(1);
  });

  it('consults the hosts map first, case-insensitively, and setHost overrides the cache', async () => {
    const dns = fakeDns({ 'peer-a.lab': ['10.9.9.9'] });
    const r = new Resolver({ lookup: dns.lookup, hosts: { 'Peer-A.lab': '10.0.0.1', 'peer-b.lab': ['10.0.0.2', '::1'] } });
    expect(await r.resolve('peer-a.lab')).toEqual(['10.0.0.1']);
    expect(await r.resolve('peer-b.lab')).toEqual(['10.0.0.2', '::1']);
    expect(dns.calls).toEqual([]);
    dns.table['peer-c.lab'] = ['10.0.0.3'];
    expect(await r.resolve('peer-c.lab')).toEqual(['10.0.0.3']);
    r.setHost('peer-c.lab', '10.0.0.30');
    expect(await r.resolve('peer-c.lab')).toEqual(['10.0.0.30']);
    r.clear();
    expect(await r.resolve('peer-c.lab')).toEqual(['10.0.0.30']);
    expect(() => r.setHost('x', [])).toThrow(EndpointError);
    expect(() => r.setHost('x', 'not-an-ip')).toThrow(EndpointError);
  });

  it('clear() forgets answers, and a lookup in flight across clear() does not refill the cache', async () => {
    const dns = fakeDns();
    dns.hold();
    const r = new Resolver({ lookup: dns.lookup });
    const before = r.resolve('x.lab');
    await Promise.resolve();
    r.clear();
    const after = r.resolve('x.lab');
    await Promise.resolve();
    expect(dns.calls.length).toBe(2);
    dns.waiting[1]!.answer(['10.0.0.2']);
    dns.waiting[0]!.answer(['10.0.0.1']);
    expect(await before).toEqual(['10.0.0.1']);
    expect(await after).toEqual(['10.0.0.2']);
    expect(await r.resolve('x.lab')).toEqual(['10.0.0.2']);
    expect(dns.calls.length).toBe(2);
  });

  it('aborts one caller without cancelling the shared lookup', async () => {
    const dns = fakeDns();
    dns.hold();
    const r = new Resolver({ lookup: dns.lookup });
    const ac = new AbortController();
    const aborted = r.resolve('slow.lab', { signal: ac.signal });
    const patient = r.resolve('slow.lab');
    await Promise.resolve();
    ac.abort();
    await expect(aborted).rejects.toBeInstanceOf(AbortedError);
    dns.waiting[0]!.answer(['10.0.0.5']);
    expect(await patient).toEqual(['10.0.0.5']);
    expect(dns.calls.length).toBe(1);
  });

  it('rejects at once with an already-aborted signal', async () => {
    const dns = fakeDns({ 'a.lab': ['10.0.0.1'] });
    const r = new Resolver({ lookup: dns.lookup });
    const signal = AbortSignal.abort();
    await expect(r.resolve('a.lab', { signal })).rejects.toBeInstanceOf(AbortedError);
    await expect(r.resolve('10.0.0.1', { signal })).rejects.toBeInstanceOf(AbortedError);
    expect(dns.calls).toEqual([]);
  });

  it('keeps at most maxEntries cached names', async () => {
    const dns = fakeDns({ a: ['10.0.0.1'], b: ['10.0.0.2'], c: ['10.0.0.3'] });
    const r = new Resolver({ lookup: dns.lookup, maxEntries: 2 });
    for (const h of ['a', 'b', 'c']) await r.resolve(h);
    await r.resolve('c');
    await r.resolve('b');
    expect(dns.calls).toEqual(['a', 'b', 'c']);
    await r.resolve('a');
    expect(dns.calls).toEqual(['a', 'b', 'c', 'a']);
  });
});

describe('Resolver with the system resolver', () => {
  it('resolves localhost to a loopback address', async () => {
    const addrs = await new Resolver().resolve('localhost');
    expect(addrs.length).toBeGreaterThan(0);
    for (const a of addrs) expect(a === '::1' || a.startsWith('127.')).toBe(true);
  });
});
