/** The TUI's entry points for composition roots (`ringswarm tui`, `get --tui`, `demo`). */
export { openTui, type OpenTuiOptions } from './screen.ts';
export { controlSource, localSource, type LocalSourceOptions, type SnapshotListener, type SnapshotSource } from './source.ts';
