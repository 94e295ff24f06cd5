import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { parseRequestHead, parseResponseHead, contentLength, formatHead, type HeadLimits } from '../../../src/http/parse.ts';
import { HttpError } from '../../../src/http/http-error.ts';

const enc = (s: string) => new TextEncoder().encode(s);

function status(fn: () => unknown): number | 'ok' {
  try {
    fn();
    return 'ok';
  } catch (e) {
    if (e instanceof HttpError) return e.status;
    throw e;
  }
}

describe('parseRequestHead', () => {
  it('parses a GET with headers and reports consumed bytes', () => {
    const raw = 'GET /a/b.bin?x=1 HTTP/1.1\r\nHost: h\r\nRange: bytes=0-9\r\nX-A: 1\r\nx-a: 2\r\n\r\nNEXT';
    const r = parseRequestHead(enc(raw));
    expect(r.kind).toBe('head');
    if (r.kind !== 'head') return;
    expect(r.head.method).toBe('GET');
    expect(r.head.target).toBe('/a/b.bin?x=1');
    expect(r.head.version).toBe('1.1');
    expect(r.head.headers.get('range')).toBe('bytes=0-9');
    expect(r.head.headers.get('x-a')).toBe('1, 2');
    expect(r.head.keepAlive).toBe(true);
    expect(r.consumed).toBe(raw.length - 4);
  });

  it('is incremental: every prefix is incomplete until the blank line', () => {
    const raw = 'GET / HTTP/1.1\r\nHost: h\r\n\r\n';
    for (let i = 0; i < raw.length; i++) expect(parseRequestHead(enc(raw.slice(0, i))).kind).toBe('incomplete');
    expect(parseRequestHead(enc(raw)).kind).toBe('head');
  });

  it('keep-alive follows version and Connection', () => {
    const ka = (s: string) => {
      const r = parseRequestHead(enc(s));
      return r.kind === 'head' && r.head.keepAlive;
    };
    expect(ka('GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n')).toBe(false);
    expect(ka('GET / HTTP/1.0\r\n\r\n')).toBe(false);
    expect(ka('GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n')).toBe(true);
  });

  it('skips leading empty lines', () => {
    expect(parseRequestHead(enc('\r\n\r\nGET / HTTP/1.0\r\n\r\n')).kind).toBe('head');
  });

  it.each([
    ['GET  / HTTP/1.1\r\nHost: h\r\n\r\n', 400],
    ['GET /\r\n\r\n', 400],
    ['G(T / HTTP/1.1\r\nHost: h\r\n\r\n', 400],
    ['GET / HTTP/1.1\r\n\r\n', 400], // no Host
    ['GET / HTTP/2.0\r\nHost: h\r\n\r\n', 505],
    ['GET / HTTX/1.1\r\nHost: h\r\n\r\n', 400],
    ['GET / HTTP/1.1\r\nHost: h\r\n folded\r\n\r\n', 400],
    ['GET / HTTP/1.1\r\nHost : h\r\n\r\n', 400],
    ['GET / HTTP/1.1\r\nHost: h\r\nnocolon\r\n\r\n', 400],
    ['GET / HTTP/1.1\r\nHost: h\x01\r\n\r\n', 400],
    ['GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n', 400],
    ['GET /a\x00b HTTP/1.1\r\nHost: h\r\n\r\n', 400],
    [`GET /${'a'.repeat(5000)} HTTP/1.1\r\nHost: h\r\n\r\n`, 414],
    [`GET / HTTP/1.1\r\nHost: h\r\n${'X: y\r\n'.repeat(100)}\r\n`, 431],
  ])('rejects %j with %i', (raw, code) => {
    expect(status(() => parseRequestHead(enc(raw)))).toBe(code);
  });

  it('rejects an unterminated head once it passes the limit (431), not before', () => {
    const limits: HeadLimits = { maxHeadBytes: 100, maxHeaders: 10, maxTargetBytes: 50 };
    expect(parseRequestHead(enc(`GET / HTTP/1.1\r\nX: ${'a'.repeat(60)}`), limits).kind).toBe('incomplete');
    expect(status(() => parseRequestHead(enc(`GET / HTTP/1.1\r\nX: ${'a'.repeat(100)}`), limits))).toBe(431);
  });
});

describe('contentLength', () => {
  it('reads digits only', () => {
    expect(contentLength(new Map([['content-length', '42']]))).toBe(42);
    expect(contentLength(new Map())).toBeUndefined();
    expect(status(() => contentLength(new Map([['content-length', '-1']])))).toBe(400);
    expect(status(() => contentLength(new Map([['content-length', '1e3']])))).toBe(400);
  });
});

describe('parseResponseHead / formatHead round trip', () => {
  it('parses what formatHead writes', () => {
    const text = formatHead('HTTP/1.1 206 Partial Content', [
      ['Content-Length', 10],
      ['Content-Range', 'bytes 0-9/100'],
    ]);
    const r = parseResponseHead(enc(text));
    expect(r.kind === 'head' && r.head.status).toBe(206);
    expect(r.kind === 'head' && r.head.reason).toBe('Partial Content');
    expect(r.kind === 'head' && r.head.headers.get('content-range')).toBe('bytes 0-9/100');
    expect(r.kind === 'head' && r.consumed).toBe(text.length);
  });
  it('refuses to write header injection', () => {
    expect(() => formatHead('HTTP/1.1 200 OK', [['X', 'a\r\nSet-Cookie: x']])).toThrow(HttpError);
  });
});

describe('fuzz: garbage only ever yields incomplete, a head, or a 4xx/5xx HttpError', () => {
  const httpish = fc
    .array(
      fc.oneof(
        fc.constantFrom('GET', 'HEAD', ' ', '/', '\r\n', '\r\n\r\n', 'HTTP/1.1', 'HTTP/1.0', 'Host: h', ':', '%2e', '\x00', '..', 'Range: bytes=0-1'),
        fc.string({ maxLength: 20 }),
      ),
      { maxLength: 30 },
    )
    .map((parts) => parts.join(''));
  const bytes = fc.oneof(fc.uint8Array({ maxLength: 400 }), httpish.map(enc));
  const limits: HeadLimits = { maxHeadBytes: 256, maxHeaders: 8, maxTargetBytes: 64 };

  it('request heads', () => {
    fc.assert(
      fc.property(bytes, (buf) => {
        try {
          const r = parseRequestHead(buf, limits);
          if (r.kind === 'head') {
            expect(r.consumed).toBeLessThanOrEqual(buf.length);
            expect(r.head.headers.size).toBeLessThanOrEqual(8);
          }
        } catch (e) {
          expect(e).toBeInstanceOf(HttpError);
          expect((e as HttpError).code).toBe('PROTOCOL');
          expect((e as HttpError).status).toBeGreaterThanOrEqual(400);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('response heads', () => {
    fc.assert(
      fc.property(bytes, (buf) => {
        try {
          parseResponseHead(buf, limits);
        } catch (e) {
          expect(e).toBeInstanceOf(HttpError);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('valid requests always parse, whatever the split point', () => {
    const path = fc.stringMatching(/^\/[a-z0-9._~-]{0,20}$/);
    fc.assert(
      fc.property(path, fc.nat(80), (p, cut) => {
        const raw = enc(`GET ${p} HTTP/1.1\r\nHost: x\r\n\r\n`);
        const at = Math.min(cut, raw.length - 1);
        expect(parseRequestHead(raw.subarray(0, at)).kind).toBe('incomplete');
        const r = parseRequestHead(raw);
        expect(r.kind === 'head' && r.head.target).toBe(p);
      }),
    );
  });
});
