/** Ring view: where this Chord node sits and who it routes through, as text lines. */
import type { RingNodeRef, RingView } from '../../src/control/snapshot.ts';
import { shortHex } from './format.ts';

const ref = (n: RingNodeRef | null, idLen: number) => (n ? `${shortHex(n.id, idLen)}  ${n.endpoint}` : '(none)');

/** Header lines, then successors, then fingers; `width` picks how much of each id is shown. */
export function ringLines(r: RingView, width: number): string[] {
  const idLen = width >= 100 ? 40 : width >= 60 ? 16 : 8;
  const hops = r.meanHops === null ? '-' : r.meanHops.toFixed(2);
  const lines = [
    `Node        ${shortHex(r.id, idLen)}  ${r.endpoint}`,
    `Records     ${r.records}    lookups/s ${r.lookupsPerSec.toFixed(1)}    mean hops ${hops}`,
    `Predecessor ${ref(r.predecessor, idLen)}`,
    `Successors (${r.successors.length})`,
  ];
  r.successors.forEach((s, i) => lines.push(`  ${String(i + 1).padStart(2)}. ${ref(s, idLen)}`));
  if (r.successors.length === 0) lines.push('  (none: this node is alone on the ring)');
  lines.push(`Fingers (${r.fingers.length} distinct)`);
  for (const f of r.fingers) {
    const range = f.from === f.to ? `${f.from}` : `${f.from}-${f.to}`;
    lines.push(`  ${range.padStart(7)} → ${ref(f.node, idLen)}`);
  }
  return lines;
}
