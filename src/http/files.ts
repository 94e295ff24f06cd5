/**
 * Maps decoded target segments to a regular file inside the served folder. The segments are
 * already free of "..", separators and NUL (target.ts); this layer adds the check only the
 * file system can make: the *real* path (after symlinks) must still be inside the real root.
 */
import { realpath, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { ConfigError } from '../errors.ts';
import { HttpError } from './http-error.ts';

export interface ServedFile {
  readonly path: string;
  readonly size: number;
  readonly mtimeMs: number;
}

function isMissing(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'ENAMETOOLONG' || code === 'ELOOP';
}

/** root must be a real path (see realRoot). Throws HttpError 403/404. */
export async function resolveFile(root: string, segments: readonly string[]): Promise<ServedFile> {
  const candidate = join(root, ...segments);
  let real: string;
  try {
    real = await realpath(candidate);
  } catch (e) {
    if (isMissing(e)) throw new HttpError(404, 'no such file');
    if ((e as NodeJS.ErrnoException).code === 'EACCES') throw new HttpError(403, 'permission denied');
    throw e;
  }
  if (real !== root && !real.startsWith(root.endsWith(sep) ? root : root + sep)) throw new HttpError(403, 'path leaves the served folder');
  const st = await stat(real).catch((e: unknown) => {
    throw isMissing(e) ? new HttpError(404, 'no such file') : e;
  });
  // Directories are not listed: the baseline serves files, and listings leak names.
  if (!st.isFile()) throw new HttpError(st.isDirectory() ? 403 : 404, st.isDirectory() ? 'directory listing is not served' : 'not a regular file');
  return { path: real, size: st.size, mtimeMs: st.mtimeMs };
}

/** The served folder's real path; a ConfigError (a user mistake, not a request's) if unusable. */
export async function realRoot(dir: string): Promise<string> {
  const real = await realpath(dir).catch(() => {
    throw new ConfigError(`cannot serve ${dir}: no such folder`);
  });
  if (!(await stat(real)).isDirectory()) throw new ConfigError(`cannot serve ${dir}: not a folder`);
  return real;
}
