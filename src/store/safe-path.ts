/**
 * File paths from torrents are attacker-controlled: a component like '..' or '/etc' could write
 * outside the download folder. Every path from metainfo goes through here before touching disk.
 */
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { UnsafePathError } from '../errors.ts';

/** Throws UnsafePathError unless every component is a plain, non-empty file name. */
export function validatePathComponents(parts: readonly string[]): void {
  if (parts.length === 0) throw new UnsafePathError('empty path');
  for (const part of parts) validateComponent(part);
}

function validateComponent(part: string): void {
  const shown = JSON.stringify(part);
  if (part === '') throw new UnsafePathError('empty path component');
  if (part === '.' || part === '..') throw new UnsafePathError(`path component ${shown} is not allowed`);
  if (part.includes('\0')) throw new UnsafePathError(`path component ${shown} contains NUL`);
  if (part.includes('/') || part.includes('\\')) throw new UnsafePathError(`path component ${shown} contains a separator`);
  // 'C:' style drive letters (and 'C:foo', drive-relative on Windows) would escape the root there.
  if (/^[A-Za-z]:/.test(part)) throw new UnsafePathError(`path component ${shown} looks like a drive letter`);
  if (isAbsolute(part)) throw new UnsafePathError(`path component ${shown} is absolute`);
}

/** The absolute path of parts under root, validated and double-checked to stay inside root. */
export function resolveInside(root: string, parts: readonly string[]): string {
  validatePathComponents(parts);
  const base = resolve(root);
  const full = resolve(base, ...parts);
  const rel = relative(base, full);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel) || rel.split(sep).includes('..')) {
    throw new UnsafePathError(`path ${JSON.stringify(parts.join('/'))} escapes ${base}`);
  }
  return full;
}
