/**
 * The demo's in-process snapshot: the lab's per-peer progress, the seeder and a few leechers
 * as torrents (piece maps, peers), the tracker's swarm and the first DHT node's ring — every
 * view of the TUI has something to show while the swarm runs.
 */
import type { DhtNode } from '../../dht/node.ts';
import { ringViewSource } from '../../dht/ring-view.ts';
import type { TrackerServer } from '../../tracker/server.ts';
import { trackerViewSource } from '../../tracker/view.ts';
import type { RingView, SnapshotBody, TrackerView } from '../control/snapshot.ts';
import type { LiveSwarm } from './run-p2p.ts';

// Rate views measure between calls, so each tracker/node keeps one source across snapshots.
const trackerSources = new WeakMap<TrackerServer, () => TrackerView>();
const ringSources = new WeakMap<DhtNode, () => RingView>();

function cached<K extends object, V>(map: WeakMap<K, () => V>, key: K, make: (k: K) => () => V): V {
  let source = map.get(key);
  if (!source) map.set(key, (source = make(key)));
  return source();
}

export function liveSnapshot(live: LiveSwarm, started: number, maxTorrents = 8): SnapshotBody {
  const torrents = [...live.seeder.torrents, ...live.leecherTorrents().slice(0, maxTorrents - 1)].map((t) => t.view());
  const body: SnapshotBody = { process: { kind: 'demo', pid: process.pid, started, label: 'ringswarm demo (loopback)' }, lab: live.labView(), torrents };
  if (live.tracker) body.tracker = cached(trackerSources, live.tracker, (t) => trackerViewSource(t));
  const node = live.ring[0];
  if (node?.isRunning) body.ring = cached(ringSources, node, ringViewSource);
  return body;
}
