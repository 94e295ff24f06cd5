/**
 * Range requests (RFC 9110 §14) and conditional GET (§13.1.3), pure. We serve one byte range;
 * a multi-range or syntactically invalid Range is ignored (the whole file is sent, which the
 * RFC allows), while a well-formed range wholly outside the file is 416.
 */

export type RangeDecision =
  | { readonly kind: 'full' }
  /** Inclusive byte positions, as in Content-Range. */
  | { readonly kind: 'partial'; readonly start: number; readonly end: number }
  | { readonly kind: 'unsatisfiable' };

const FULL: RangeDecision = { kind: 'full' };

export function decideRange(header: string | undefined, size: number): RangeDecision {
  if (header === undefined) return FULL;
  const m = /^bytes=[ \t]*(\d{0,15})-(\d{0,15})[ \t]*$/i.exec(header);
  if (m === null) return FULL; // multi-range, other units, garbage
  const [, a = '', b = ''] = m;
  if (a === '' && b === '') return FULL;
  if (a === '') {
    // Suffix range: the last b bytes.
    const n = Number(b);
    if (n === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'partial', start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(a);
  if (b !== '' && Number(b) < start) return FULL; // invalid range-spec → ignore the header
  if (start >= size) return { kind: 'unsatisfiable' };
  const end = b === '' ? size - 1 : Math.min(Number(b), size - 1);
  return { kind: 'partial', start, end };
}

export function contentRange(d: RangeDecision, size: number): string | undefined {
  if (d.kind === 'partial') return `bytes ${d.start}-${d.end}/${size}`;
  if (d.kind === 'unsatisfiable') return `bytes */${size}`;
  return undefined;
}

/** IMF-fixdate, e.g. "Sun, 06 Nov 1994 08:49:37 GMT". */
export function formatHttpDate(ms: number): string {
  return new Date(ms).toUTCString();
}

/**
 * Parses an HTTP-date (IMF-fixdate, or the obsolete RFC 850 and asctime forms) to ms, or
 * undefined when invalid — an invalid If-Modified-Since is ignored, per RFC 9110 §13.1.3.
 */
export function parseHttpDate(text: string): number | undefined {
  const imf = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/;
  const rfc850 = /^[A-Z][a-z]+day, \d{2}-[A-Z][a-z]{2}-\d{2} \d{2}:\d{2}:\d{2} GMT$/;
  const asctime = /^[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2} \d{4}$/;
  let candidate: string;
  if (imf.test(text) || rfc850.test(text)) candidate = text;
  else if (asctime.test(text)) candidate = `${text} GMT`;
  else return undefined;
  const ms = Date.parse(candidate);
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * True when a GET may be answered 304: the resource was not modified after the given date.
 * HTTP dates have one-second resolution, so the file's mtime is truncated to the second.
 */
export function notModifiedSince(ifModifiedSince: string | undefined, mtimeMs: number, nowMs: number): boolean {
  if (ifModifiedSince === undefined) return false;
  const since = parseHttpDate(ifModifiedSince);
  if (since === undefined || since > nowMs) return false; // a date in the future is invalid
  return Math.floor(mtimeMs / 1000) * 1000 <= since;
}
