/**
 * Pure, incremental HTTP/1.1 message-head parsing (RFC 9112) for the client-server baseline.
 * Feed it the bytes received so far; it answers "incomplete" or a parsed head plus how many
 * bytes it used. Anything malformed or oversized becomes an HttpError with a 4xx status, never
 * another exception, so the server can answer it and carry on. No node:* imports.
 */
import { HttpError } from './http-error.ts';

export interface HeadLimits {
  /** Whole head (request line + headers + blank line); over it → 431. */
  readonly maxHeadBytes: number;
  /** Header field count; over it → 431. */
  readonly maxHeaders: number;
  /** Request target length; over it → 414. */
  readonly maxTargetBytes: number;
}

export const DEFAULT_LIMITS: HeadLimits = { maxHeadBytes: 16 * 1024, maxHeaders: 64, maxTargetBytes: 4096 };

export type Headers = ReadonlyMap<string, string>;

export interface RequestHead {
  readonly method: string;
  readonly target: string;
  readonly version: '1.0' | '1.1';
  /** Lower-cased names; repeated fields joined with ", " (RFC 9110 §5.3). */
  readonly headers: Headers;
  /** Whether the connection may carry another request after this one. */
  readonly keepAlive: boolean;
}

export interface ResponseHead {
  readonly version: '1.0' | '1.1';
  readonly status: number;
  readonly reason: string;
  readonly headers: Headers;
  readonly keepAlive: boolean;
}

export type Parsed<T> = { readonly kind: 'incomplete' } | { readonly kind: 'head'; readonly head: T; readonly consumed: number };

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const CRLFCRLF = [13, 10, 13, 10] as const;

/** Index just past the blank line ending the head, or -1. */
function headEnd(buf: Uint8Array, limit: number): number {
  const stop = Math.min(buf.length, limit) - 3;
  for (let i = 0; i < stop; i++) {
    if (buf[i] === 13 && buf[i + 1] === 10 && buf[i + 2] === 13 && buf[i + 3] === 10) return i + CRLFCRLF.length;
  }
  return -1;
}

function latin1(buf: Uint8Array, end: number): string {
  let s = '';
  for (let i = 0; i < end; i += 4096) s += String.fromCharCode(...buf.subarray(i, Math.min(end, i + 4096)));
  return s;
}

function splitHead(buf: Uint8Array, limits: HeadLimits): { lines: string[]; consumed: number } | null {
  // Tolerate (skip) empty lines before a request line, as RFC 9112 §2.2 asks.
  let start = 0;
  while (buf[start] === 13 && buf[start + 1] === 10) start += 2;
  const end = headEnd(buf.subarray(start), limits.maxHeadBytes);
  if (end < 0) {
    if (buf.length - start >= limits.maxHeadBytes) throw new HttpError(431, `message head exceeds ${limits.maxHeadBytes} bytes`);
    return null;
  }
  const text = latin1(buf.subarray(start), end - 4);
  return { lines: text.split('\r\n'), consumed: start + end };
}

function parseVersion(v: string | undefined): '1.0' | '1.1' {
  if (v === 'HTTP/1.1') return '1.1';
  if (v === 'HTTP/1.0') return '1.0';
  if (v !== undefined && /^HTTP\/\d\.\d$/.test(v)) throw new HttpError(505, `unsupported version ${v}`);
  throw new HttpError(400, 'malformed HTTP version');
}

function parseHeaders(lines: readonly string[], limits: HeadLimits): Map<string, string> {
  if (lines.length > limits.maxHeaders) throw new HttpError(431, `more than ${limits.maxHeaders} header fields`);
  const headers = new Map<string, string>();
  for (const line of lines) {
    const colon = line.indexOf(':');
    // Obsolete line folding (leading whitespace) and whitespace before the colon are rejected:
    // both have been used to smuggle requests past proxies (RFC 9112 §5.1, §5.2).
    if (colon <= 0) throw new HttpError(400, 'malformed header line');
    const name = line.slice(0, colon);
    if (!TOKEN.test(name)) throw new HttpError(400, 'malformed header name');
    const value = line.slice(colon + 1).replace(/^[ \t]+|[ \t]+$/g, '');
    // Field values: visible chars, SP, HTAB, obs-text; no CR, LF, NUL or other controls.
    if (/[\x00-\x08\x0a-\x1f\x7f]/.test(value)) throw new HttpError(400, 'control character in header value');
    const key = name.toLowerCase();
    const prev = headers.get(key);
    if (prev !== undefined && key === 'content-length' && prev !== value) throw new HttpError(400, 'conflicting Content-Length');
    headers.set(key, prev === undefined || key === 'content-length' ? value : `${prev}, ${value}`);
  }
  return headers;
}

function connectionKeepAlive(version: '1.0' | '1.1', headers: Headers): boolean {
  const tokens = (headers.get('connection') ?? '').toLowerCase().split(',').map((t) => t.trim());
  if (tokens.includes('close')) return false;
  return version === '1.1' || tokens.includes('keep-alive');
}

/** Parses a Content-Length value: 1*DIGIT, no sign, no spaces. Returns undefined when absent. */
export function contentLength(headers: Headers): number | undefined {
  const v = headers.get('content-length');
  if (v === undefined) return undefined;
  if (!/^\d{1,15}$/.test(v)) throw new HttpError(400, 'malformed Content-Length');
  return Number(v);
}

export function parseRequestHead(buf: Uint8Array, limits: HeadLimits = DEFAULT_LIMITS): Parsed<RequestHead> {
  const split = splitHead(buf, limits);
  if (split === null) return { kind: 'incomplete' };
  const [requestLine = '', ...fieldLines] = split.lines;
  const parts = requestLine.split(' ');
  if (parts.length !== 3) throw new HttpError(400, 'malformed request line');
  const [method = '', target = '', versionText] = parts;
  if (!TOKEN.test(method)) throw new HttpError(400, 'malformed method');
  if (target.length === 0) throw new HttpError(400, 'empty request target');
  if (target.length > limits.maxTargetBytes) throw new HttpError(414, `request target over ${limits.maxTargetBytes} bytes`);
  if (/[\x00-\x20\x7f-\xff]/.test(target)) throw new HttpError(400, 'invalid character in request target');
  const version = parseVersion(versionText);
  const headers = parseHeaders(fieldLines, limits);
  if (version === '1.1' && !headers.has('host')) throw new HttpError(400, 'missing Host header');
  const head: RequestHead = { method, target, version, headers, keepAlive: connectionKeepAlive(version, headers) };
  return { kind: 'head', head, consumed: split.consumed };
}

export function parseResponseHead(buf: Uint8Array, limits: HeadLimits = DEFAULT_LIMITS): Parsed<ResponseHead> {
  const split = splitHead(buf, limits);
  if (split === null) return { kind: 'incomplete' };
  const [statusLine = '', ...fieldLines] = split.lines;
  const m = /^(HTTP\/\d\.\d) (\d{3}) ?([^\x00-\x08\x0a-\x1f\x7f]*)$/.exec(statusLine);
  if (m === null) throw new HttpError(400, 'malformed status line');
  const version = parseVersion(m[1]);
  const headers = parseHeaders(fieldLines, limits);
  const head: ResponseHead = { version, status: Number(m[2]), reason: m[3] ?? '', headers, keepAlive: connectionKeepAlive(version, headers) };
  return { kind: 'head', head, consumed: split.consumed };
}

/** Serialises a head; header values must already be safe (we only write our own). */
export function formatHead(startLine: string, headers: Iterable<readonly [string, string | number]>): string {
  let s = `${startLine}\r\n`;
  for (const [k, v] of headers) {
    const text = String(v);
    if (!TOKEN.test(k) || /[\r\n\x00]/.test(text)) throw new HttpError(400, `unsafe header ${k}`);
    s += `${k}: ${text}\r\n`;
  }
  return `${s}\r\n`;
}
