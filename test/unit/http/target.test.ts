import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { parseTarget } from '../../../src/http/target.ts';
import { HttpError } from '../../../src/http/http-error.ts';

function status(t: string): number | readonly string[] {
  try {
    return parseTarget(t).segments;
  } catch (e) {
    if (e instanceof HttpError) return e.status;
    throw e;
  }
}

describe('parseTarget', () => {
  it('decodes segments and drops ".", empty segments and the query', () => {
    expect(status('/a/./b%20c//d.bin?x=../..')).toEqual(['a', 'b c', 'd.bin']);
    expect(parseTarget('/dir/').trailingSlash).toBe(true);
    expect(parseTarget('/').segments).toEqual([]);
  });
  it.each([
    ['/../etc/passwd', 403],
    ['/a/../../etc/passwd', 403],
    ['/%2e%2e/etc/passwd', 403],
    ['/%2E%2E/etc/passwd', 403],
    ['/.%2e/x', 403],
    ['/a%2f..%2f..%2fetc', 403],
    ['/a%5c..', 403],
    ['/a%00b', 400],
    ['/a%0ab', 400],
    ['/%zz', 400],
    ['/%e0%80', 400],
    ['relative', 400],
    ['http://evil/x', 400],
  ])('%s → %i', (t, code) => {
    expect(status(t)).toBe(code);
  });
  it('fuzz: never yields a "..", "/" or NUL segment; only HttpErrors', () => {
    const piece = fc.oneof(fc.constantFrom('/', '..', '.', '%2e', '%2f', '%00', '%5c', '%', 'a'), fc.string({ maxLength: 5 }));
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 20 }), (parts) => {
        const r = status(`/${parts.join('')}`);
        if (typeof r === 'number') expect([400, 403]).toContain(r);
        else for (const s of r) {
          expect(s).not.toBe('..');
          expect(s).not.toBe('.');
          expect(s).not.toMatch(/[/\\\0]/);
          expect(s.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
