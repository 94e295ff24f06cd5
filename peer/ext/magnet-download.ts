/**
 * Magnet links (BEP 9): find peers (x.pe hints, trackers, DHT/LSD sources), fetch the info dict
 * from them over ut_metadata on short-lived connections of our own, then hand a full Metainfo to
 * the Client, which downloads the data as for a .torrent file.
 *
 *   const torrent = await addMagnet(client, 'magnet:?xt=urn:btih:…', { downloadDir });
 */
import { parseMagnet } from '../../src/codec/magnet.ts';
import { parseInfoDict, type Metainfo } from '../../src/codec/metainfo.ts';
import { AbortedError, TimeoutError } from '../../src/errors.ts';
import { formatEndpoint, type Endpoint } from '../../src/naming/endpoint.ts';
import { dial } from '../../src/net/transport.ts';
import type { PeerSource } from '../../src/peer-source.ts';
import { cryptoRandom } from '../../src/random.ts';
import { TrackerClient } from '../../tracker/client.ts';
import type { AddOptions, Client } from '../session/client.ts';
import type { Torrent } from '../session/torrent.ts';
import { ExtensionRegistry } from '../wire/extension.ts';
import { Wire } from '../wire/wire.ts';
import { attachWire } from './attach.ts';
import { MetadataExtension } from './metadata-extension.ts';
import { addTorrent, type ExtensionOptions } from './torrent-extensions.ts';

export interface FetchMetadataOptions {
  infoHash: Uint8Array;
  peerId: Uint8Array;
  peers?: readonly Endpoint[];
  /** Started if not already; their listeners are removed when done, they are not stopped. */
  sources?: readonly PeerSource[];
  /** Our listen port, sent as `p` so the peers can dial us later. */
  listenPort?: number;
  /** Connections open at once (default 20). */
  maxConnections?: number;
  /** Give up after this long (default 5 min). */
  timeoutMs?: number;
  signal?: AbortSignal;
  isSelf?: (e: Endpoint) => boolean;
}

/** The verified info dict, plus every peer endpoint learned on the way. */
export async function fetchMetadata(o: FetchMetadataOptions): Promise<{ info: Uint8Array; peers: Endpoint[] }> {
  const registry = new ExtensionRegistry(['ut_metadata']);
  const ext = new MetadataExtension({ infoHash: o.infoHash });
  const known = new Map<string, Endpoint>();
  const queue: Endpoint[] = [];
  const wires = new Set<Wire>();
  const max = o.maxConnections ?? 20;
  let finished = false;

  return await new Promise((resolve, reject) => {
    const dialNext = (): void => {
      while (!finished && wires.size < max && queue.length > 0) {
        const to = queue.shift()!;
        void open(to);
      }
    };
    const open = async (to: Endpoint): Promise<void> => {
      let conn;
      try {
        conn = await dial(to, { timeoutMs: 5000, ...(o.signal ? { signal: o.signal } : {}) });
      } catch {
        return; // unreachable peers are normal
      }
      if (finished) return void conn.close();
      const wire = new Wire(conn, {
        peerId: o.peerId,
        infoHash: o.infoHash,
        extensions: registry,
        ...(o.listenPort ? { extensionHandshake: { p: o.listenPort } } : {}),
        handshakeTimeoutMs: 10_000,
      });
      wires.add(wire);
      wire.once('handshake', (info) => {
        if (!info.capabilities.extensionProtocol) wire.close(); // it cannot give us metadata
      });
      wire.once('close', () => {
        wires.delete(wire);
        dialNext();
      });
      attachWire(wire, to, [ext]);
      wire.start();
    };
    const addPeers = (peers: readonly Endpoint[]): void => {
      for (const p of peers) {
        const k = formatEndpoint(p);
        if (known.has(k) || p.port === 0 || o.isSelf?.(p)) continue;
        known.set(k, p);
        queue.push(p);
      }
      dialNext();
    };
    const onWarning = (): void => undefined; // a source's trouble is not ours to report
    const done = (err: Error | undefined, info?: Uint8Array): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', onAbort);
      ext.stop();
      for (const s of o.sources ?? []) {
        s.off('peers', addPeers);
        s.off('warning', onWarning);
      }
      for (const w of wires) w.close();
      if (err) reject(err);
      else resolve({ info: info!, peers: [...known.values()] });
    };
    const onAbort = (): void => done(new AbortedError('metadata fetch aborted', { cause: o.signal?.reason }));
    const limit = o.timeoutMs ?? 5 * 60_000;
    const timer = setTimeout(() => done(new TimeoutError(`no metadata from ${known.size} peers within ${limit} ms`)), limit);
    if (o.signal?.aborted) return onAbort();
    o.signal?.addEventListener('abort', onAbort, { once: true });
    ext.on('metadata', (info) => done(undefined, info));
    ext.start();
    for (const s of o.sources ?? []) {
      s.on('peers', addPeers);
      s.on('warning', onWarning);
      s.start();
    }
    addPeers(o.peers ?? []);
  });
}

export interface AddMagnetOptions extends AddOptions, ExtensionOptions {
  /** Metadata phase limit (default 5 min). */
  metadataTimeoutMs?: number;
  signal?: AbortSignal;
}

/** Resolve a magnet link's metadata from peers, then add it to the client (extensions attached). */
export async function addMagnet(client: Client, magnetUri: string, options: AddMagnetOptions): Promise<Torrent> {
  const magnet = parseMagnet(magnetUri);
  const existing = client.get(magnet.infoHashHex);
  if (existing !== undefined) return existing;
  await client.start();
  const { metadataTimeoutMs, signal, ...addOptions } = options;
  const useTrackers = options.trackers !== false && magnet.trackers.length > 0;
  const sources: PeerSource[] = [...(options.sources ?? [])];
  let tracker: TrackerClient | undefined;
  if (useTrackers) {
    // Announce with left=1 while the size is unknown: trackers only need it to be non-zero.
    tracker = new TrackerClient({ stats: () => ({ uploaded: 0n, downloaded: 0n, left: 1n }), random: cryptoRandom }, { infoHash: magnet.infoHash, peerId: client.peerId, port: client.port, announceList: magnet.trackers.map((t) => [t]) });
    sources.push(tracker);
  }
  const fo: FetchMetadataOptions = { infoHash: magnet.infoHash, peerId: client.peerId, peers: [...magnet.peers, ...(options.peers ?? [])], sources, listenPort: client.port };
  if (metadataTimeoutMs !== undefined) fo.timeoutMs = metadataTimeoutMs;
  if (signal !== undefined) fo.signal = signal;
  let got;
  try {
    got = await fetchMetadata(fo);
  } finally {
    await tracker?.stop();
  }
  const metainfo: Metainfo = { ...parseInfoDict(got.info), announceList: magnet.trackers.map((t) => [t]), urlList: magnet.webSeeds };
  if (magnet.trackers[0] !== undefined) metainfo.announce = magnet.trackers[0];
  const { torrent } = await addTorrent(client, metainfo, { ...addOptions, peers: got.peers, sources: options.sources ?? [] });
  return torrent;
}
