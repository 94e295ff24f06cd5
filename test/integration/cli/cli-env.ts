/**
 * For CLI child-process tests: temp dirs with XDG dirs inside (nothing lands in the real home
 * or runtime dir), children and temp dirs cleaned up after each test.
 */
import { afterEach } from 'vitest';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '../../helpers/tmp.ts';
import { CliChild } from '../../helpers/interop/cli-child.ts';

const children: CliChild[] = [];
const cleanups: (() => Promise<unknown>)[] = [];

/** Call once at the top of a test file. */
export function cleanupAfterEach(): void {
  afterEach(async () => {
    for (const c of children.splice(0)) c.kill();
    for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
  });
}

export async function dirs(prefix = 'ringswarm-cli-'): Promise<{ root: string; env: NodeJS.ProcessEnv }> {
  const d = await tempDir(prefix);
  cleanups.push(d.cleanup);
  const env = { XDG_DATA_HOME: join(d.path, 'data'), XDG_RUNTIME_DIR: join(d.path, 'run') };
  await mkdir(env.XDG_RUNTIME_DIR, { mode: 0o700 });
  return { root: d.path, env };
}

/** `ringswarm …args` as a child process, killed after the test. */
export function cli(args: string[], env: NodeJS.ProcessEnv): CliChild {
  const c = new CliChild(args, env);
  children.push(c);
  return c;
}
