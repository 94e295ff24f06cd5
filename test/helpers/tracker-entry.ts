/**
 * Child-process entry for tracker restart tests: `node --import tsx test/helpers/tracker-entry.ts
 * --port 0 --db DIR`. Runs the real `tracker` command (src/cli/commands/tracker.ts) without
 * depending on main.ts wiring.
 */
import { Command } from 'commander';
import { registerTracker } from '../../src/cli/commands/tracker.ts';

const program = new Command('ringswarm');
registerTracker(program);
await program.parseAsync(['node', 'ringswarm', 'tracker', ...process.argv.slice(2)]);
