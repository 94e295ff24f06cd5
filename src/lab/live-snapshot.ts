/**
 * The demo's in-process snapshot: the lab's per-peer progress, the seeder and a few leechers
 * as torrents (piece maps, peers), the tracker's swarm and the first DHT node's ring — every
 * view of the TUI has something to show while the swarm runs.
 */
import type { DhtNode } from '../../dht/node.ts';
import type { TrackerServer } from '../../tracker/server.ts';
import type { RingNodeRef, RingView, SnapshotBody, TrackerView } from '../control/snapshot.ts';
import { idToHex } from '../naming/id160.ts';
import type { NodeRef } from '../../dht/core/node-ref.ts';
import type { LiveSwarm } from './run-p2p.ts';

const ref = (n: NodeRef): RingNodeRef => ({ id: idToHex(n.id), endpoint: `${n.host}:${n.port}` });

export function ringView(node: DhtNode): RingView {
  const s = node.snapshot();
  return {
    id: idToHex(s.self.id),
    endpoint: `${s.self.host}:${s.self.port}`,
    predecessor: s.predecessor ? ref(s.predecessor) : null,
    successors: s.successors.map(ref),
    fingers: s.fingers.map(([from, n], i) => ({ from, to: (s.fingers[i + 1]?.[0] ?? 160) - 1, node: ref(n) })),
    records: 0,
    lookupsPerSec: 0,
    meanHops: null,
  };
}

export function trackerView(t: TrackerServer): TrackerView {
  const swarms = t.table.infoHashes().map((infoHash) => {
    const sc = t.table.scrape(infoHash);
    return { infoHash, seeds: sc.complete, leechers: sc.incomplete, completed: sc.downloaded, announcesPerSec: 0 };
  });
  return { endpoint: `${t.announceUrls.http} ${t.announceUrls.udp}`, swarms, announcesPerSec: 0 };
}

export function liveSnapshot(live: LiveSwarm, started: number, maxTorrents = 8): SnapshotBody {
  const torrents = [...live.seeder.torrents, ...live.leecherTorrents().slice(0, maxTorrents - 1)].map((t) => t.view());
  const body: SnapshotBody = { process: { kind: 'demo', pid: process.pid, started, label: 'ringswarm demo (loopback)' }, lab: live.labView(), torrents };
  if (live.tracker) body.tracker = trackerView(live.tracker);
  const node = live.ring[0];
  if (node?.isRunning) body.ring = ringView(node);
  return body;
}
