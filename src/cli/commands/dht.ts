/**
 * `ringswarm dht …`: run a Chord DHT node, or talk to a ring through any of its nodes.
 *   dht start [--port P] [--host H] [--bootstrap host:port] [--db DIR] [--id HEX] [--control PATH]
 *   dht put <key> <value> --bootstrap host:port [--ttl SECONDS]
 *   dht get <key> --bootstrap host:port
 *   dht lookup <key> --bootstrap host:port
 *   dht ring --bootstrap host:port         (that node's predecessor, successors and fingers)
 * A key is 40 hex digits as it stands, anything else is hashed with SHA-1.
 */
import type { Command } from 'commander';
import { ConfigError } from '../../errors.ts';
import { parseEndpoint, type Endpoint } from '../../naming/endpoint.ts';
import type { Id160 } from '../../naming/id160.ts';
import { idFromHex, idToHex, sha1Id } from '../../naming/id160.ts';
import { DhtNode } from '../../../dht/node.ts';
import type { NodeRef } from '../../../dht/core/node-ref.ts';
import { formatNode } from '../../../dht/core/node-ref.ts';
import { serveControl } from '../../control/serve.ts';
import { ringViewSource } from '../../../dht/ring-view.ts';
import { portFlag, stdoutIO, untilSignal, type CommandIO } from '../shared.ts';

export function parseKey(s: string): Id160 {
  return /^[0-9a-fA-F]{40}$/.test(s) ? idFromHex(s) : sha1Id(s);
}

function bootstrapOf(v: string | undefined): Endpoint {
  if (!v) throw new ConfigError('--bootstrap host:port is required');
  return parseEndpoint(v);
}

const fmt = (n: NodeRef | null): string => (n ? `${idToHex(n.id)} ${n.host}:${n.port}` : '(none)');

/** Runs a client-mode node against the ring for one command. */
async function withClient<T>(bootstrap: string | undefined, f: (n: DhtNode) => Promise<T>): Promise<T> {
  const node = new DhtNode({ client: true, rpcTimeoutMs: 1000, rpcAttempts: 3 });
  try {
    await node.start(bootstrapOf(bootstrap));
    return await f(node);
  } finally {
    await node.stop();
  }
}

export interface DhtStartOptions {
  port?: string;
  host?: string;
  bootstrap?: string;
  db?: string;
  id?: string;
}

/** Starts a ring member; split from the command so tests can run it and stop it. */
export async function startDhtNode(opts: DhtStartOptions, io: CommandIO = stdoutIO): Promise<DhtNode> {
  const node = new DhtNode({
    host: opts.host ?? '127.0.0.1',
    port: portFlag(opts.port, '--port', 0),
    db: opts.db,
    id: opts.id === undefined ? undefined : parseKey(opts.id),
  });
  await node.start(opts.bootstrap ? parseEndpoint(opts.bootstrap) : undefined);
  io.out(`dht node ${formatNode(node.self)} ${opts.bootstrap ? `joined via ${opts.bootstrap}` : 'started a new ring'}\n`);
  return node;
}

export function registerDht(program: Command, io: CommandIO = stdoutIO): Command {
  const dht = program.command('dht').description('Chord DHT: run a node, store and find records');
  dht
    .command('start')
    .description('run a DHT node until Ctrl-C (leaves the ring gracefully)')
    .option('--port <port>', 'UDP port (0 = any free port)', '0')
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--bootstrap <host:port>', 'any node of an existing ring (omit to start a new ring)')
    .option('--db <dir>', 'keep records in this level directory')
    .option('--id <hex|name>', 'node id (40 hex digits, or a name to hash); random by default')
    .option('--control <path>', 'control socket path for `ringswarm tui`')
    .action(async (opts: DhtStartOptions & { control?: string }) => {
      const quit = new AbortController();
      const stopped = untilSignal(quit.signal); // installed before anything is printed
      const node = await startDhtNode(opts, io);
      const ring = ringViewSource(node);
      const control = await serveControl('dht', opts.control, () => ({ ring: ring() }));
      control.quitSignal.addEventListener('abort', () => quit.abort(), { once: true });
      io.out(`control ${control.path}\n`);
      await stopped;
      await control.stop();
      await node.leave();
    });
  dht
    .command('put')
    .argument('<key>')
    .argument('<value>')
    .requiredOption('--bootstrap <host:port>', 'any node of the ring')
    .option('--ttl <seconds>', 'lifetime of the record', '3600')
    .action(async (key: string, value: string, opts: { bootstrap: string; ttl: string }) => {
      const ttl = Number(opts.ttl);
      if (!Number.isInteger(ttl) || ttl < 1) throw new ConfigError(`--ttl must be a positive integer, got "${opts.ttl}"`);
      const owner = await withClient(opts.bootstrap, (n) => n.put(parseKey(key), new TextEncoder().encode(value), ttl * 1000));
      io.out(`stored on ${fmt(owner)}\n`);
    });
  dht
    .command('get')
    .argument('<key>')
    .requiredOption('--bootstrap <host:port>', 'any node of the ring')
    .action(async (key: string, opts: { bootstrap: string }) => {
      const values = await withClient(opts.bootstrap, (n) => n.get(parseKey(key)));
      for (const v of values) io.out(`${new TextDecoder().decode(v)}\n`);
      if (values.length === 0) process.exitCode = 1;
    });
  dht
    .command('lookup')
    .argument('<key>')
    .requiredOption('--bootstrap <host:port>', 'any node of the ring')
    .action(async (key: string, opts: { bootstrap: string }) => {
      const id = parseKey(key);
      const r = await withClient(opts.bootstrap, (n) => n.lookup(id));
      io.out(`key ${idToHex(id)}\nowner ${fmt(r.owner)}\nhops ${r.hops}\n`);
    });
  dht
    .command('ring')
    .requiredOption('--bootstrap <host:port>', 'the node to describe')
    .action(async (opts: { bootstrap: string }) => {
      const at = bootstrapOf(opts.bootstrap);
      const [self, nb, fingers] = await withClient(opts.bootstrap, async (n) => [await n.identify(at), await n.neighborsOf(at), await n.fingersOf(at)] as const);
      io.out(`node        ${fmt(self)}\npredecessor ${fmt(nb.predecessor)}\n`);
      nb.successors.forEach((s, i) => io.out(`successor ${i + 1} ${fmt(s)}\n`));
      // Finger i = successor(node + 2^i); a run of equal entries is one line.
      for (const f of fingers) io.out(`finger ${f.from === f.to ? `${f.from}` : `${f.from}-${f.to}`} ${fmt(f.node)}\n`);
    });
  return dht;
}
