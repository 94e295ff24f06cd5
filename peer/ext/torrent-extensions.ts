/**
 * Adds a torrent to a Client with ut_metadata (serving our info dict to magnet downloaders) and
 * ut_pex (a peer source) attached, using only the session's public surface: the client's shared
 * ExtensionRegistry and the torrent's 'wire' event. Peers and sources are handed to the torrent
 * only after the extensions are attached, so no early connection misses them.
 */
import type { Metainfo } from '../../src/codec/metainfo.ts';
import type { Client, AddOptions } from '../session/client.ts';
import type { Torrent } from '../session/torrent.ts';
import type { ExtensionRegistry } from '../wire/extension.ts';
import { attachExtensions } from './attach.ts';
import { MetadataExtension } from './metadata-extension.ts';
import { PexExtension } from './pex-extension.ts';

export interface ExtensionOptions {
  /** Peer exchange (default true; BEP 27 private torrents never use it). */
  pex?: boolean;
  /** Minimum time between PEX messages to one peer (default 60 s; tests shorten it). */
  pexIntervalMs?: number;
}

export interface AttachedExtensions {
  metadata: MetadataExtension;
  pex: PexExtension | undefined;
}

/** Register our extension names (idempotent): connections advertise them from then on. */
export function enableExtensions(client: { readonly extensions: ExtensionRegistry }): void {
  client.extensions.register('ut_metadata');
  client.extensions.register('ut_pex');
}

/** Attach ut_metadata (serving) and ut_pex to a torrent's future connections. */
export function attachTorrentExtensions(torrent: Torrent, options: ExtensionOptions = {}): AttachedExtensions {
  const m = torrent.metainfo;
  const metadata = new MetadataExtension({ infoHash: m.infoHash, info: m.infoBytes });
  const usePex = (options.pex ?? true) && !m.private;
  const pex = usePex ? new PexExtension(options.pexIntervalMs === undefined ? {} : { intervalMs: options.pexIntervalMs }) : undefined;
  attachExtensions(torrent, pex ? [metadata, pex] : [metadata]);
  if (pex) torrent.addSource(pex);
  return { metadata, pex };
}

/** client.add with extensions attached; `peers` and `sources` are given after attaching. */
export async function addTorrent(client: Client, metainfo: Metainfo, options: AddOptions & ExtensionOptions): Promise<{ torrent: Torrent; extensions: AttachedExtensions }> {
  enableExtensions(client);
  const { peers, sources, pex, pexIntervalMs, ...rest } = options;
  const torrent = await client.add(metainfo, rest);
  const ext: ExtensionOptions = {};
  if (pex !== undefined) ext.pex = pex;
  if (pexIntervalMs !== undefined) ext.pexIntervalMs = pexIntervalMs;
  const extensions = attachTorrentExtensions(torrent, ext);
  for (const s of sources ?? []) torrent.addSource(s);
  if (peers !== undefined && peers.length > 0) torrent.addPeers(peers);
  return { torrent, extensions };
}
