/**
 * A control socket for a long-running process that only shows state (tracker, DHT node): the
 * snapshot is one view, and the one command it obeys is `quit` (the TUI's q on the process).
 * Keeps each command file to a few lines; seed/get have their own richer handler.
 */
import { ConfigError } from '../errors.ts';
import type { ControlCommand } from './protocol.ts';
import { ControlServer } from './server.ts';
import type { ProcessKind, SnapshotBody } from './snapshot.ts';

export interface ServedControl {
  readonly path: string;
  /** Aborted by a `quit` command. */
  readonly quitSignal: AbortSignal;
  stop(): Promise<void>;
}

export async function serveControl(kind: ProcessKind, path: string | undefined, view: () => Omit<SnapshotBody, 'process'>, intervalMs?: number): Promise<ServedControl> {
  const quit = new AbortController();
  const handle = (cmd: ControlCommand): void => {
    if (cmd.op === 'quit') return quit.abort();
    throw new ConfigError(`a ${kind} process does not take '${cmd.op}'`);
  };
  const server: ControlServer = new ControlServer(
    { snapshot: () => ({ process: server.processInfo, ...view() }), handle },
    { kind, ...(path !== undefined ? { path } : {}), ...(intervalMs !== undefined ? { intervalMs } : {}) },
  );
  await server.start();
  return { path: server.path, quitSignal: quit.signal, stop: () => server.stop() };
}
