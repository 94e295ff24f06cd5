/**
 * Where the TUI gets its snapshots: a control-socket client (`ringswarm tui`) or the process
 * itself (`get --tui`, `demo`), behind one small interface so the screen does not care.
 */
import type { ControlClient } from '../src/control/client.ts';
import type { ControlCommand, ControlEvent } from '../src/control/protocol.ts';
import { SNAPSHOT_VERSION, type Snapshot, type SnapshotBody } from '../src/control/snapshot.ts';

export interface SnapshotListener {
  snapshot: (s: Snapshot) => void;
  event?: (e: ControlEvent) => void;
  /** The source went away (the process exited); err says why when known. */
  closed?: (err: Error | undefined) => void;
}

export interface SnapshotSource {
  /** For the header: where the snapshots come from. */
  readonly description: string;
  /** Start delivering; returns the function that stops. */
  subscribe(l: SnapshotListener): () => void;
  /** Carry out a command (pause, resume…); absent when the source accepts none. */
  command?(cmd: ControlCommand): Promise<void>;
}

/** Snapshots from a connected control client, at the server's tick (or slower). */
export function controlSource(client: ControlClient, intervalMs?: number): SnapshotSource {
  return {
    description: `${client.process.kind} pid ${client.process.pid} via ${client.path}`,
    subscribe(l) {
      const onSnap = (s: Snapshot) => l.snapshot(s);
      const onEvent = (e: ControlEvent) => l.event?.(e);
      const onClose = (err: Error | undefined) => l.closed?.(err);
      client.on('snapshot', onSnap);
      client.on('event', onEvent);
      client.on('close', onClose);
      client.subscribe(intervalMs);
      return () => {
        client.off('snapshot', onSnap);
        client.off('event', onEvent);
        client.off('close', onClose);
        if (!client.isClosed) client.unsubscribe();
      };
    },
    command: (cmd) => client.command(cmd),
  };
}

export interface LocalSourceOptions {
  intervalMs?: number;
  handle?: (cmd: ControlCommand) => void | Promise<void>;
  now?: () => number;
}

/** Snapshots taken in-process on a timer: no socket, no encoding. */
export function localSource(take: () => SnapshotBody, o: LocalSourceOptions = {}): SnapshotSource {
  const now = o.now ?? Date.now;
  let seq = 0;
  const snap = (): Snapshot => ({ v: SNAPSHOT_VERSION, seq: ++seq, at: now(), ...take() });
  const src: SnapshotSource = {
    description: 'in-process',
    subscribe(l) {
      l.snapshot(snap());
      const timer = setInterval(() => l.snapshot(snap()), o.intervalMs ?? 250);
      return () => clearInterval(timer);
    },
  };
  if (o.handle) {
    const handle = o.handle;
    src.command = async (cmd) => handle(cmd);
  }
  return src;
}
