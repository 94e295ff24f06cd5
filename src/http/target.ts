/**
 * Request target → path segments inside the served folder, pure. Decoding happens once, here,
 * and the decoded segments are checked *after* decoding, so `%2e%2e`, `%2f` and NUL tricks are
 * caught the same as a literal `..`. The file server joins the segments under its root and
 * still checks the resolved real path (symlinks) before opening anything.
 */
import { HttpError } from './http-error.ts';

export interface Target {
  /** Decoded, non-empty, safe segments; [] is the root. */
  readonly segments: readonly string[];
  /** The target ended with '/' (a directory was asked for). */
  readonly trailingSlash: boolean;
}

function decodeSegment(raw: string): string {
  let s: string;
  try {
    s = decodeURIComponent(raw);
  } catch {
    throw new HttpError(400, 'malformed percent-encoding');
  }
  if (s.includes('\0')) throw new HttpError(400, 'NUL in path');
  if (/[\x01-\x1f\x7f]/.test(s)) throw new HttpError(400, 'control character in path');
  // An encoded separator would let one segment name a parent folder: refuse it outright.
  if (s.includes('/') || s.includes('\\')) throw new HttpError(403, 'encoded path separator');
  return s;
}

export function parseTarget(target: string): Target {
  if (!target.startsWith('/')) throw new HttpError(400, 'request target must be an absolute path');
  const q = target.search(/[?#]/);
  const path = q < 0 ? target : target.slice(0, q);
  const segments: string[] = [];
  for (const raw of path.split('/')) {
    if (raw === '') continue;
    const seg = decodeSegment(raw);
    if (seg === '.') continue;
    // Any '..' is refused rather than normalised: a well-behaved client never sends one, and
    // resolving it would only hide an attempt to leave the folder.
    if (seg === '..') throw new HttpError(403, 'path escapes the served folder');
    segments.push(seg);
  }
  return { segments, trailingSlash: path.endsWith('/') };
}
