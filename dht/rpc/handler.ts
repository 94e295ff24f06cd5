/**
 * Answers DHT requests for a node. The sender's address is the UDP source, never a claimed
 * one; its id (when given) lets the core learn that it is alive. Requests are validated by the
 * codec before they get here; nothing in this handler throws on bad input.
 */
import type { Endpoint } from '../../src/naming/endpoint.ts';
import { encodeCompactPeer } from '../../src/naming/endpoint.ts';
import type { Id160 } from '../../src/naming/id160.ts';
import type { NodeRef } from '../core/node-ref.ts';
import type { DhtRequest, DhtResponse, FingerRun } from './messages.ts';
import { LIMITS } from './messages.ts';
import { MAX_DATAGRAM } from './codec.ts';
import type { DhtNode } from '../node.ts';
import { decodePeerValue } from './peer-value.ts';
import { missingKeys } from '../core/anti-entropy.ts';

export async function handleRequest(node: DhtNode, req: DhtRequest, src: Endpoint): Promise<DhtResponse | undefined> {
  const core = node.core;
  const now = node.now;
  const sender = (id: Id160): NodeRef => ({ id, host: src.host, port: src.port });
  if (req.from !== null && req.from !== core.self.id) node.contact(sender(req.from));
  switch (req.t) {
    case 'ping':
      return { t: 'pong', id: core.self.id };
    case 'find': {
      const r = core.route(req.key, now);
      return 'found' in r ? { t: 'route', found: r.found, backups: r.backups } : { t: 'route', forward: r.forward };
    }
    case 'neighbors': {
      const n = core.neighbors();
      return { t: 'neighbors', predecessor: n.predecessor, successors: n.successors };
    }
    case 'fingers':
      return { t: 'fingers', fingers: fitFingers(core.fingerRuns()) };
    case 'notify':
      void node.run(core.onNotify(sender(req.from), now));
      return { t: 'ok' };
    case 'leave':
      void node.run(core.onLeave(sender(req.from), { predecessor: req.predecessor, successors: req.successors }, now));
      return { t: 'ok' };
    case 'put': {
      const ok = await node.storeLocal(req.key, req.value, now + req.ttlMs, req.replica);
      return ok ? { t: 'ok' } : { t: 'error', code: 'FULL' };
    }
    case 'get':
      return { t: 'values', values: node.records.get(req.key, now).slice(0, 64) };
    case 'announce': {
      const ok = await node.storeLocal(req.infohash, encodeCompactPeer({ host: src.host, port: req.port }), now + req.ttlMs, false);
      return ok ? { t: 'ok' } : { t: 'error', code: 'FULL' };
    }
    case 'get_peers': {
      const peers = node.records
        .get(req.infohash, now)
        .map(decodePeerValue)
        .filter((p): p is Endpoint => p !== null && p.port > 0);
      return { t: 'peers', peers: peers.slice(0, 64) };
    }
    case 'sync':
      return { t: 'missing', keys: missingKeys(req.digest, (k) => node.records.get(k, now)) };
  }
}

/**
 * As many finger runs as fit one datagram (the receiver drops larger ones): about 36 bytes of
 * msgpack per run plus the host. The nearest runs come first; they are the ones that differ.
 */
export function fitFingers(runs: readonly FingerRun[]): FingerRun[] {
  let budget = MAX_DATAGRAM - 64;
  const out: FingerRun[] = [];
  for (const r of runs) {
    budget -= 36 + r.node.host.length;
    if (budget < 0 || out.length >= LIMITS.maxFingerRuns) break;
    out.push(r);
  }
  return out;
}
