/**
 * A tiny `ringswarm` entry for the TUI tests: the real program from src/cli/main.ts with the
 * tui command registered (if main.ts does not register it already), errors reported as the
 * CLI does. Run with `node --import tsx test/helpers/tui-entry.ts tui --control PATH`.
 */
import { CommanderError } from 'commander';
import { buildProgram } from '../../src/cli/main.ts';
import { reportError } from '../../src/cli/exit.ts';
import { registerTui } from '../../src/cli/commands/tui.ts';

const program = buildProgram();
if (!program.commands.some((c) => c.name() === 'tui')) registerTui(program);
try {
  await program.parseAsync(process.argv);
} catch (err) {
  process.exitCode = err instanceof CommanderError ? err.exitCode : reportError(err);
}
