/**
 * Where control sockets live and how to find the running ones.
 *
 * Default: $XDG_RUNTIME_DIR/ringswarm/<kind>-<pid>.sock (a per-user tmpfs the session manager
 * already keeps private), else <tmpdir>/ringswarm-<uid>/… . The directory is created 0700 and
 * refused if someone else owns it or it is open to others: that directory, not the socket's own
 * mode, is what keeps other users out on every platform.
 */
import { lstat, mkdir, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../errors.ts';
import { PROCESS_KINDS, type ProcessKind } from './snapshot.ts';

export function controlDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_RUNTIME_DIR;
  if (xdg && xdg.startsWith('/')) return join(xdg, 'ringswarm');
  const uid = typeof process.getuid === 'function' ? process.getuid() : 0;
  return join(tmpdir(), `ringswarm-${uid}`);
}

export function defaultSocketPath(kind: ProcessKind, pid: number = process.pid, dir: string = controlDir()): string {
  return join(dir, `${kind}-${pid}.sock`);
}

/** Create the directory 0700 if missing; refuse one that is not ours or not private. */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const st = await lstat(dir);
  if (!st.isDirectory()) throw new ConfigError(`control directory ${dir} is not a directory`);
  const uid = typeof process.getuid === 'function' ? process.getuid() : st.uid;
  if (st.uid !== uid) throw new ConfigError(`control directory ${dir} belongs to another user`);
  if ((st.mode & 0o077) !== 0) throw new ConfigError(`control directory ${dir} is accessible to other users (mode ${(st.mode & 0o777).toString(8)}); chmod 700 it`);
}

export interface ControlSocketEntry {
  path: string;
  kind: ProcessKind;
  pid: number;
}

/** True when a process with this pid exists (EPERM means it exists but is not ours). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const NAME = /^([a-z]+)-(\d+)\.sock$/;

/** The control sockets in `dir` whose process is still alive, oldest pid first. */
export async function listControlSockets(dir: string = controlDir()): Promise<ControlSocketEntry[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const out: ControlSocketEntry[] = [];
  for (const name of names) {
    const m = NAME.exec(name);
    if (!m) continue;
    const kind = m[1] as ProcessKind;
    const pid = Number(m[2]);
    if (!PROCESS_KINDS.includes(kind) || !pidAlive(pid)) continue;
    const path = join(dir, name);
    try {
      if (!(await lstat(path)).isSocket()) continue;
    } catch {
      continue;
    }
    out.push({ path, kind, pid });
  }
  return out.sort((a, b) => a.pid - b.pid);
}
