// Tests for src/store/safe-path.ts (kept beside the metainfo tests that depend on it).
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resolveInside, validatePathComponents } from '../../../src/store/safe-path.ts';
import { UnsafePathError } from '../../../src/errors.ts';

describe('validatePathComponents', () => {
  it.each([
    [[]],
    [['']],
    [['a', '']],
    [['.']],
    [['..']],
    [['a', '..', 'b']],
    [['a\0b']],
    [['a/b']],
    [['/etc']],
    [['a\\..\\b']],
    [['C:']],
    [['c:foo']],
  ])('rejects %j', (parts) => {
    expect(() => validatePathComponents(parts)).toThrow(UnsafePathError);
  });

  it('accepts ordinary names, including dots inside and unicode', () => {
    expect(() => validatePathComponents(['dir', '.hidden', 'a..b', 'naïve ✓', '...', 'C'])).not.toThrow();
  });
});

describe('resolveInside', () => {
  const root = resolve('/tmp/ringswarm-root');

  it('joins safe parts under root', () => {
    expect(resolveInside(root, ['a', 'b.txt'])).toBe(join(root, 'a', 'b.txt'));
    expect(resolveInside('/tmp/ringswarm-root/', ['x'])).toBe(join(root, 'x'));
  });

  it('property: the result is inside root or UnsafePathError is thrown', () => {
    const part = fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('..', '.', '/', '\\', 'C:', '', '\0'));
    fc.assert(
      fc.property(fc.array(part, { maxLength: 5 }), (parts) => {
        try {
          const p = resolveInside(root, parts);
          expect(p.startsWith(root + '/')).toBe(true);
        } catch (e) {
          expect(e).toBeInstanceOf(UnsafePathError);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
