/**
 * A node on the ring: its id plus where to reach it. Flat on purpose: it is structurally an
 * `Endpoint` (host, port) with an id, so it can be handed to the socket layer as it stands and
 * encodes compactly in RPC messages.
 */
import type { Id160 } from '../../src/naming/id160.ts';
import { shortId } from '../../src/naming/id160.ts';

export interface NodeRef {
  readonly id: Id160;
  readonly host: string;
  readonly port: number;
}

/** Nodes are identified by id: two refs with the same id are the same ring member. */
export function sameNode(a: NodeRef | null | undefined, b: NodeRef | null | undefined): boolean {
  return a != null && b != null && a.id === b.id;
}

export function formatNode(n: NodeRef): string {
  return `${shortId(n.id)}@${n.host}:${n.port}`;
}
