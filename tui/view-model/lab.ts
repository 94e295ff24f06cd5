/** Lab view: every peer of a running experiment as a progress bar, and elapsed vs the bound. */
import type { LabPeerView, LabView } from '../../src/control/snapshot.ts';
import { fit, formatDuration, formatPercent, progressBar } from './format.ts';

export function labHeader(l: LabView, width: number): string {
  const done = l.peers.filter((p) => p.doneMs !== null).length;
  const bound = l.boundMs === null ? 'no bound' : `bound ${formatDuration(l.boundMs)} (${(l.elapsedMs / l.boundMs).toFixed(2)}×)`;
  return fit(`${l.scenario}  elapsed ${formatDuration(l.elapsedMs)}  ${bound}  ${done}/${l.peers.length} done`, width);
}

/** One line per peer: name, bar, percent, done time. The bar takes the spare width. */
export function labRows(peers: readonly LabPeerView[], width: number): string[] {
  const nameW = Math.min(16, Math.max(6, ...peers.map((p) => Array.from(p.name).length)));
  const barW = Math.max(4, width - nameW - 6 - 10 - 3);
  return peers.map((p) =>
    fit(`${fit(p.name, nameW)} ${progressBar(p.progress, barW)} ${fit(formatPercent(p.progress), 6, 'right')} ${fit(p.doneMs === null ? '' : formatDuration(p.doneMs), 10, 'right')}`, width),
  );
}
