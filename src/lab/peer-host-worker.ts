/**
 * A worker process hosting some of a lab run's peers (a LocalPeerHost), driven over IPC by a
 * RemotePeerHost in runP2P. Messages are structured clones (fork's 'advanced' serialization,
 * so Infinity rates and Uint8Arrays survive). Verified pieces are batched per event-loop turn;
 * counters (and this process's CPU time) are pushed every 100 ms.
 */
import { parseTorrent } from '../codec/metainfo.ts';
import { LocalPeerHost } from './peer-host.ts';
import type { ToWorker, FromWorker } from './peer-host-protocol.ts';

const send = (m: FromWorker): void => {
  if (process.connected) process.send?.(m);
};
let host: LocalPeerHost | undefined;
let indexes: number[] = [];
let queue: Array<[kind: 'verified' | 'done', index: number, piece: number]> = [];
let flushing = false;
const enqueue = (e: [kind: 'verified' | 'done', index: number, piece: number]): void => {
  queue.push(e);
  if (flushing) return;
  flushing = true;
  setImmediate(() => {
    flushing = false;
    const events = queue;
    queue = [];
    send({ t: 'events', events });
  });
};
const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const pushCounters = (): void => {
  if (host) send({ t: 'counters', cpuMs: cpuMs(), list: indexes.map((i) => [i, (host as LocalPeerHost).counters(i)]) });
};
const report = setInterval(pushCounters, 100);

process.on('message', (m: ToWorker) => {
  const ack = (id: number, p: Promise<void>): void =>
    void p.then(
      () => send({ t: 'ack', id }),
      (e: unknown) => send({ t: 'ack', id, error: e instanceof Error ? e.message : String(e) }),
    );
  switch (m.t) {
    case 'init':
      indexes = m.peers.map((p) => p.plan.index);
      host = new LocalPeerHost(
        { metainfo: parseTorrent(m.torrent), common: m.common, useTracker: m.useTracker, seed: m.seed, peers: m.peers },
        { verified: (i, piece) => enqueue(['verified', i, piece]), done: (i) => enqueue(['done', i, 0]) },
      );
      return send({ t: 'ready' });
    case 'online':
      return ack(m.id, host ? host.online(m.index) : Promise.reject(new Error('not initialised')));
    case 'offline':
      return ack(m.id, host ? host.offline(m.index) : Promise.resolve());
    case 'report':
      pushCounters(); // before the ack: the channel keeps order
      return send({ t: 'ack', id: m.id });
    case 'stop':
      clearInterval(report);
      return void (host?.stop() ?? Promise.resolve()).finally(() => {
        send({ t: 'ack', id: m.id });
        if (process.connected) process.disconnect();
      });
  }
});
// The parent is gone (killed, or Ctrl-C): nothing left to serve.
process.on('disconnect', () => {
  clearInterval(report);
  void (host?.stop() ?? Promise.resolve()).finally(() => process.exit(0));
});
