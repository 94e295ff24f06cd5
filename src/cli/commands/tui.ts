/**
 * `ringswarm tui [--control PATH] [--list]`: attach the terminal UI to a running process.
 * Without a path it looks for running processes' control sockets and attaches when there is
 * exactly one; otherwise it lists them (or says that none is running).
 */
import type { Command } from 'commander';
import { connectControl } from '../../control/client.ts';
import { controlDir, listControlSockets, type ControlSocketEntry } from '../../control/paths.ts';
import { NetworkError } from '../../errors.ts';
import { controlSource } from '../../../tui/source.ts';
import { openTui } from '../../../tui/screen.ts';
import { stdoutIO, type CommandIO } from '../shared.ts';

export type TuiCommandIO = CommandIO;

function listing(entries: readonly ControlSocketEntry[]): string {
  return entries.map((e) => `  ${e.kind.padEnd(8)} pid ${String(e.pid).padEnd(8)} ${e.path}\n`).join('');
}

export async function runTui(o: { control?: string; list?: boolean; dir?: string }, io: TuiCommandIO): Promise<void> {
  let path = o.control;
  if (path === undefined || o.list) {
    const dir = o.dir ?? controlDir();
    const found = await listControlSockets(dir);
    if (o.list) {
      io.out(found.length > 0 ? listing(found) : `no running ringswarm processes (looked in ${dir})\n`);
      return;
    }
    if (found.length === 0) {
      throw new NetworkError(`no running ringswarm process found (looked in ${dir}); start one (seed, get, tracker, dht start, lab, demo) or pass --control PATH`);
    }
    if (found.length > 1) {
      io.out(`several ringswarm processes are running; pick one with --control PATH:\n${listing(found)}`);
      process.exitCode = 2;
      return;
    }
    path = (found[0] as ControlSocketEntry).path;
  }
  const client = await connectControl(path);
  try {
    await openTui(controlSource(client));
  } finally {
    client.close();
  }
}

export function registerTui(program: Command, io: TuiCommandIO = stdoutIO): void {
  program
    .command('tui')
    .description('watch a running ringswarm process live: torrents, pieces, peers, tracker, ring, lab')
    .option('--control <path>', 'control socket of the process to attach to')
    .option('--list', 'list the running processes and exit')
    .action(async (opts: { control?: string; list?: boolean }) => {
      await runTui(opts, io);
    });
}
