/** Sparklines from rate samples with the eight block characters. */
const BLOCKS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/**
 * The last `width` samples (padded on the left with blanks), scaled to `max` (default the
 * largest shown). Zero is a blank so idle stretches read as gaps, not as a floor.
 */
export function sparkline(samples: readonly number[], width: number, max?: number): string {
  if (width <= 0) return '';
  const shown = samples.slice(Math.max(0, samples.length - width));
  const top = max ?? shown.reduce((a, b) => (Number.isFinite(b) && b > a ? b : a), 0);
  let out = ' '.repeat(width - shown.length);
  for (const v of shown) {
    if (!Number.isFinite(v) || v <= 0 || top <= 0) out += ' ';
    else out += BLOCKS[Math.min(7, Math.max(0, Math.ceil((v / top) * 8) - 1))];
  }
  return out;
}
