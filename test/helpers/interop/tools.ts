/**
 * Which third-party interop tools are installed. A test file calls `missingTools(...)` at load:
 * outside CI a missing tool skips the file with a clear warning; in CI it is a failure, because
 * CI installs them and a silent skip would hide a broken image.
 */
import { spawnSync } from 'node:child_process';

export const PYTHON = '/usr/bin/python3';

const probes: Record<string, () => boolean> = {
  'python3-libtorrent': () => spawnSync(PYTHON, ['-c', 'import libtorrent'], { stdio: 'ignore' }).status === 0,
  aria2c: () => spawnSync('aria2c', ['--version'], { stdio: 'ignore' }).status === 0,
  mktorrent: () => !spawnSync('mktorrent', ['-h'], { stdio: 'ignore' }).error,
};

export type Tool = 'python3-libtorrent' | 'aria2c' | 'mktorrent';

/** The tools of `tools` that are missing; throws in CI, warns otherwise. */
export function missingTools(label: string, ...tools: Tool[]): Tool[] {
  const missing = tools.filter((t) => !probes[t]!());
  if (missing.length > 0) {
    if (process.env.CI) throw new Error(`${label}: interop tools missing in CI: ${missing.join(', ')}`);
    console.warn(`skipping ${label}: missing ${missing.join(', ')}`);
  }
  return missing;
}
