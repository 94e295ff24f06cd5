/**
 * A node listening on a wildcard address (0.0.0.0 or ::, the CLI default) knows itself only by
 * that address, so its answers name itself as 0.0.0.0:port — useless to anyone else. The
 * asker knows better: it just heard from that node at a real address. So every node ref in an
 * answer whose host is a wildcard is rewritten to the address the answer came from (other
 * nodes' refs are learned from datagram sources and are never wildcards).
 */
import type { NodeRef } from '../core/node-ref.ts';
import type { DhtResponse } from './messages.ts';

const WILDCARDS = new Set(['0.0.0.0', '::', '0:0:0:0:0:0:0:0']);

export function isWildcardHost(host: string): boolean {
  return WILDCARDS.has(host);
}

export function fixWildcardRefs(res: DhtResponse, responder: string): DhtResponse {
  const fix = (n: NodeRef): NodeRef => (isWildcardHost(n.host) ? { ...n, host: responder } : n);
  switch (res.t) {
    case 'route':
      return 'found' in res ? { t: 'route', found: fix(res.found), backups: res.backups.map(fix) } : { t: 'route', forward: res.forward.map(fix) };
    case 'neighbors':
      return { t: 'neighbors', predecessor: res.predecessor && fix(res.predecessor), successors: res.successors.map(fix) };
    case 'fingers':
      return { t: 'fingers', fingers: res.fingers.map((r) => ({ ...r, node: fix(r.node) })) };
    default:
      return res;
  }
}
