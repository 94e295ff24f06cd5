/**
 * Trackerless peer discovery for `seed` and `get`: one Chord DHT node per process (UDP, on the
 * client's port number unless --dht-port says otherwise) and, per torrent, a DhtSource and a BEP 14
 * LsdSource. The DHT joins a ring through --bootstrap nodes and the nodes it knew last time
 * (kept in <db>/dht-nodes.json); with none reachable it runs alone, quietly, and is found by
 * whoever bootstraps from it.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Option, type Command } from 'commander';
import { formatEndpoint, parseEndpoint, sameEndpoint, type Endpoint } from '../naming/endpoint.ts';
import type { PeerSource } from '../peer-source.ts';
import { DhtNode } from '../../dht/node.ts';
import { DhtPeerSource } from '../../dht/peer-source.ts';
import { DhtSource } from '../../peer/discovery/dht-source.ts';
import { LSD_GROUP, LsdSource } from '../../peer/discovery/lsd.ts';
import { collect, portFlag } from './shared.ts';

export interface DiscoveryCliOptions {
  dht?: boolean;
  dhtPort?: string;
  bootstrap?: string[];
  lsd?: boolean;
  /** Hidden: an injected LSD group (tests use a loopback broadcast group). */
  lsdGroup?: string;
  pex?: boolean;
}

export interface DiscoveryContext {
  /** The client's listen address: the DHT binds the same one. */
  host: string;
  /** The client's actual TCP port (known once it listens). */
  port: number;
  /** Resume db directory: the DHT's known nodes are kept beside the resume data. */
  dbDir: string;
}

/** The discovery flags of `seed` and `get`. */
export function discoveryOptions(cmd: Command): Command {
  return cmd
    .option('--no-dht', 'do not use the DHT')
    .option('--dht-port <port>', 'UDP port of the DHT node (default: the same number as --port)')
    .option('--bootstrap <host:port>', 'a DHT node to join the ring through; repeatable', collect)
    .option('--no-lsd', 'no local peer discovery (BEP 14 multicast on the LAN)')
    .option('--no-pex', 'no peer exchange (BEP 11)')
    .addOption(new Option('--lsd-group <host:port>', 'LSD group (tests: a loopback broadcast group)').hideHelp());
}

const KNOWN_NODES_FILE = 'dht-nodes.json';
const MAX_KNOWN = 32;
/** Joining waits this long at most before the download starts; it goes on in the background. */
const JOIN_WAIT_MS = 5000;

/** Known nodes from the saved file; garbage (a truncated write, a hand edit) gives none. */
export function parseKnownNodes(text: string): Endpoint[] {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return [];
  }
  if (!Array.isArray(v)) return [];
  const out: Endpoint[] = [];
  for (const s of v.slice(0, MAX_KNOWN)) {
    if (typeof s !== 'string') continue;
    try {
      const e = parseEndpoint(s);
      if (e.port > 0 && !out.some((o) => sameEndpoint(o, e))) out.push(e);
    } catch {
      // skip the bad entry, keep the rest
    }
  }
  return out;
}

export function formatKnownNodes(nodes: readonly Endpoint[]): string {
  return JSON.stringify(nodes.slice(0, MAX_KNOWN).map(formatEndpoint));
}

/** A wildcard address tells nobody where we are: not worth remembering. */
const usable = (e: Endpoint): boolean => e.port > 0 && e.host !== '0.0.0.0' && e.host !== '::';

const isLoopbackHost = (h: string): boolean => h.startsWith('127.') || h === '::1' || h === 'localhost';

export class Discovery {
  readonly node: DhtNode | undefined;
  /** Settles when joining is over (joined a ring, or every candidate failed). */
  readonly joined: Promise<boolean>;
  private readonly lsdGroup: Endpoint | undefined;

  private constructor(
    private readonly ctx: DiscoveryContext,
    node: DhtNode | undefined,
    joined: Promise<boolean>,
    lsdGroup: Endpoint | undefined,
  ) {
    this.node = node;
    this.joined = joined;
    this.lsdGroup = lsdGroup;
  }

  /** Starts the DHT node (when enabled) and begins joining; waits for the join a few seconds at most. */
  static async start(opts: DiscoveryCliOptions, ctx: DiscoveryContext): Promise<Discovery> {
    // LSD is for the LAN: a client listening on loopback only has nobody there to meet, so the
    // production multicast group is used only when the listen address can be reached from it.
    const lsdGroup = opts.lsd === false ? undefined : opts.lsdGroup !== undefined ? parseEndpoint(opts.lsdGroup) : isLoopbackHost(ctx.host) ? undefined : LSD_GROUP;
    if (opts.dht === false) return new Discovery(ctx, undefined, Promise.resolve(false), lsdGroup);
    const explicit = opts.dhtPort !== undefined;
    const port = portFlag(opts.dhtPort, '--dht-port', ctx.port);
    let node = new DhtNode({ host: ctx.host, port });
    try {
      await node.start();
    } catch (e) {
      // The same number is only a default: when UDP has it taken, any free port will do.
      if (explicit) throw e;
      await node.stop();
      node = new DhtNode({ host: ctx.host, port: 0 });
      await node.start();
    }
    const known = await readFile(join(ctx.dbDir, KNOWN_NODES_FILE), 'utf8').then(parseKnownNodes, () => []);
    const candidates: Endpoint[] = [];
    for (const e of [...(opts.bootstrap ?? []).map((b) => parseEndpoint(b)), ...known]) {
      if (!candidates.some((c) => sameEndpoint(c, e)) && !(e.port === node.self.port && isLoopbackHost(e.host))) candidates.push(e);
    }
    const d = new Discovery(ctx, node, Discovery.join(node, candidates), lsdGroup);
    void d.joined.then((ok) => (ok ? d.saveKnownNodes() : undefined));
    await Promise.race([d.joined, new Promise((r) => setTimeout(r, JOIN_WAIT_MS).unref())]);
    return d;
  }

  /** Tries the candidates in order until one lets us join; never throws. */
  private static async join(node: DhtNode, candidates: readonly Endpoint[]): Promise<boolean> {
    for (const c of candidates) {
      if (!node.isRunning) return false;
      try {
        await node.join(c);
        return true;
      } catch {
        // dead or not a ring member: try the next one
      }
    }
    return false;
  }

  get dhtPort(): number | undefined {
    return this.node?.self.port;
  }

  get lsdEnabled(): boolean {
    return this.lsdGroup !== undefined;
  }

  /** Fresh DHT and LSD sources for one torrent (the torrent starts and stops them). */
  sourcesFor(infoHash: Uint8Array): PeerSource[] {
    const out: PeerSource[] = [];
    if (this.node) out.push(new DhtSource(new DhtPeerSource(this.node), { infoHash, port: () => this.ctx.port }));
    if (this.lsdGroup) out.push(new LsdSource({ infoHash, port: this.ctx.port, group: this.lsdGroup }));
    return out;
  }

  /** The ring members we know, for the next start. Best effort. */
  async saveKnownNodes(): Promise<void> {
    const node = this.node;
    if (!node?.isRunning) return;
    const s = node.snapshot();
    const nodes: Endpoint[] = [];
    for (const n of [...s.successors, ...(s.predecessor ? [s.predecessor] : []), ...s.fingers.map(([, f]) => f)]) {
      if (n.id === s.self.id || !usable(n) || nodes.some((o) => sameEndpoint(o, n))) continue;
      nodes.push({ host: n.host, port: n.port });
    }
    if (nodes.length === 0) return; // alone: keep what we had, it may come back
    await writeFile(join(this.ctx.dbDir, KNOWN_NODES_FILE), formatKnownNodes(nodes)).catch(() => undefined);
  }

  /** Saves the known nodes and leaves the ring gracefully (its records go to our successor). */
  async stop(): Promise<void> {
    if (!this.node) return;
    await this.saveKnownNodes();
    await this.node.leave(AbortSignal.timeout(2000)).catch(() => undefined);
    await this.node.stop();
  }
}
