/**
 * The one entry point: `ringswarm <command>`. Each command lives in ./commands/<name>.ts and
 * exports a register function; this file only wires them and maps errors to exit statuses.
 */
import { Command, CommanderError } from 'commander';
import { EXIT, reportError } from './exit.ts';
import { VERSION } from '../version.ts';
import { registerCreate } from './commands/create.ts';
import { registerInfo } from './commands/info.ts';
import { registerTracker } from './commands/tracker.ts';
import { registerDht } from './commands/dht.ts';
import { registerServe } from './commands/serve.ts';
import { registerTui } from './commands/tui.ts';
import { registerSeed } from './commands/seed.ts';
import { registerGet } from './commands/get.ts';
import { registerLab } from './commands/lab.ts';
import { registerDemo } from './commands/demo.ts';

export function buildProgram(): Command {
  const program = new Command('ringswarm')
    .description('peer-to-peer file distribution: BitTorrent client and tracker, Chord DHT, swarm TUI, distribution-time lab')
    .version(VERSION)
    .showHelpAfterError()
    .exitOverride();
  // Subcommands inherit exitOverride so usage errors come back here as CommanderError.
  for (const register of [registerCreate, registerInfo, registerTracker, registerDht, registerServe, registerTui, registerSeed, registerGet, registerLab, registerDemo]) {
    register(program);
  }
  program.commands.forEach((c) => c.exitOverride());
  return program;
}

export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv as string[]);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version exit through here with code 0; usage errors were already printed.
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    return reportError(err);
  }
}

// Run when executed directly (bin/ringswarm.js or `tsx src/cli/main.ts`), not when imported by tests.
const entry = process.argv[1] ?? '';
if (entry.endsWith('main.ts') || entry.endsWith('ringswarm.js') || entry.endsWith('ringswarm')) {
  const status = await main(process.argv);
  process.exitCode = status;
}
