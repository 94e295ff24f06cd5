/** The helpers every command shares: integer flags, repeatable flags, waiting for a signal. */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { collect, intFlag, portFlag, untilSignal } from '../../../src/cli/shared.ts';
import { formatKnownNodes, parseKnownNodes } from '../../../src/cli/discovery.ts';

describe('intFlag', () => {
  it('accepts exactly the decimal integers in range and rejects everything else with a CONFIG error', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 8 }), (s) => {
        const ok = /^\d+$/.test(s) && Number(s) >= 10 && Number(s) <= 5000;
        if (ok) expect(intFlag(s, '--x', 1, 10, 5000)).toBe(Number(s));
        else expect(() => intFlag(s, '--x', 1, 10, 5000)).toThrow(expect.objectContaining({ code: 'CONFIG' }));
      }),
    );
    expect(intFlag(undefined, '--x', 42, 0, 1)).toBe(42);
    expect(() => portFlag('65536', '--port', 0)).toThrow(/--port must be 0–65535, got "65536"/);
    expect(portFlag('0', '--port', 6881)).toBe(0);
  });
});

describe('collect', () => {
  it('appends repeated values in order', () => {
    expect(collect('b', collect('a'))).toEqual(['a', 'b']);
  });
});

describe('untilSignal', () => {
  it('resolves on SIGTERM and unhooks its listeners', async () => {
    const before = process.listenerCount('SIGTERM');
    const beforeInt = process.listenerCount('SIGINT');
    const p = untilSignal();
    expect(process.listenerCount('SIGTERM')).toBe(before + 1);
    process.emit('SIGTERM', 'SIGTERM');
    await p;
    expect(process.listenerCount('SIGTERM')).toBe(before);
    expect(process.listenerCount('SIGINT')).toBe(beforeInt);
  });

  it('resolves when the given signal aborts, and at once when it already has', async () => {
    const before = process.listenerCount('SIGINT');
    const ac = new AbortController();
    const p = untilSignal(ac.signal);
    ac.abort();
    await p;
    expect(process.listenerCount('SIGINT')).toBe(before);
    await untilSignal(AbortSignal.abort());
  });
});

const entries = fc.array(fc.oneof(fc.string(), fc.integer(), fc.constantFrom('127.0.0.1:1', '127.0.0.1:0', '[::1]:9', 'x:y', '10.0.0.1:65535')), { maxLength: 40 });

describe('known DHT nodes file', () => {
  it('never throws on garbage and keeps only distinct valid endpoints (at most 32)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json(), entries.map((v) => JSON.stringify(v))), (text) => {
        const nodes = parseKnownNodes(text);
        expect(nodes.length).toBeLessThanOrEqual(32);
        expect(nodes.every((n) => n.port > 0)).toBe(true);
        expect(new Set(nodes.map((n) => `${n.host}:${n.port}`)).size).toBe(nodes.length);
      }),
    );
  });

  it('round-trips what it formats', () => {
    const nodes = [
      { host: '127.0.0.1', port: 6881 },
      { host: '::1', port: 7000 },
    ];
    expect(parseKnownNodes(formatKnownNodes(nodes))).toEqual(nodes);
    expect(parseKnownNodes('["127.0.0.1:5", "127.0.0.1:5", "nonsense", 3]')).toEqual([{ host: '127.0.0.1', port: 5 }]);
  });
});
