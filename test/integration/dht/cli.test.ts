/** `ringswarm dht …` against real nodes on 127.0.0.1. */
import { afterEach, describe, expect, it } from 'vitest';
import { Command } from 'commander';
import { registerDht, startDhtNode, parseKey } from '../../../src/cli/commands/dht.ts';
import type { DhtNode } from '../../../dht/node.ts';
import { idToHex, sha1Id } from '../../../src/naming/id160.ts';
import { connectControl } from '../../../src/control/client.ts';
import { tempDir } from '../../helpers/tmp.ts';
import { join } from 'node:path';

const nodes: DhtNode[] = [];
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.stop()));
});

async function cli(args: string[]): Promise<string> {
  let out = '';
  const program = new Command('ringswarm').exitOverride();
  registerDht(program, { out: (s) => void (out += s) });
  await program.parseAsync(['node', 'ringswarm', ...args]);
  return out;
}

describe('ringswarm dht', () => {
  it('parses keys: 40 hex digits as they stand, anything else hashed', () => {
    expect(parseKey('ab'.repeat(20))).toBe(BigInt('0x' + 'ab'.repeat(20)));
    expect(parseKey('hello')).toBe(sha1Id('hello'));
  });

  it('start, put, get, lookup and ring', async () => {
    const quiet = { out: () => undefined };
    const first = await startDhtNode({}, quiet);
    nodes.push(first);
    const boot = `127.0.0.1:${first.self.port}`;
    for (let i = 0; i < 2; i++) nodes.push(await startDhtNode({ bootstrap: boot }, quiet));
    await new Promise((r) => setTimeout(r, 2500)); // default 1 s stabilize
    expect(await cli(['dht', 'put', 'greeting', 'hello ring', '--bootstrap', boot])).toMatch(/^stored on [0-9a-f]{40} 127\.0\.0\.1:\d+/);
    expect(await cli(['dht', 'get', 'greeting', '--bootstrap', boot])).toBe('hello ring\n');
    const lookup = await cli(['dht', 'lookup', idToHex(nodes[1]!.self.id), '--bootstrap', boot]);
    expect(lookup).toContain(`owner ${idToHex(nodes[1]!.self.id)}`);
    const ring = await cli(['dht', 'ring', '--bootstrap', boot]);
    expect(ring).toContain(`node        ${idToHex(first.self.id)}`);
    expect(ring).toMatch(/successor 2 /);
    // Fingers of a 3-node ring: runs over [0, 160) pointing at the two other nodes.
    const fingers = [...ring.matchAll(/^finger (\d+)(?:-(\d+))? ([0-9a-f]{40}) /gm)];
    expect(fingers.length).toBeGreaterThanOrEqual(1);
    const others = nodes.slice(1).map((n) => idToHex(n.self.id));
    for (const f of fingers) expect(others).toContain(f[3]);
    expect(ring).toMatch(/^finger 0(-\d+)? /m); // finger 0 is the successor
  });

  it('dht start --control: the TUI gets a ring view (neighbours, fingers, records, lookups) and quit stops the node', async () => {
    const dir = await tempDir('dht-ctl-');
    try {
      const quiet = { out: () => undefined };
      const first = await startDhtNode({}, quiet);
      nodes.push(first);
      const boot = `127.0.0.1:${first.self.port}`;
      nodes.push(await startDhtNode({ bootstrap: boot }, quiet));
      const path = join(dir.path, 'dht.sock');
      let out = '';
      const program = new Command('ringswarm').exitOverride();
      registerDht(program, { out: (s) => void (out += s) });
      const running = program.parseAsync(['node', 'ringswarm', 'dht', 'start', '--bootstrap', boot, '--control', path]);
      const t0 = Date.now();
      while (!out.includes('control ')) {
        if (Date.now() - t0 > 5000) throw new Error('no control line');
        await new Promise((r) => setTimeout(r, 20));
      }
      const client = await connectControl(path);
      let snap = await client.get();
      for (let i = 0; i < 80 && ((snap.ring?.fingers.length ?? 0) === 0 || !snap.ring?.predecessor); i++) {
        await new Promise((r) => setTimeout(r, 100));
        snap = await client.get();
      }
      expect(snap.process.kind).toBe('dht');
      const ring = snap.ring!;
      expect(ring.id).toMatch(/^[0-9a-f]{40}$/);
      expect(ring.predecessor).not.toBeNull();
      expect(ring.successors.length).toBeGreaterThanOrEqual(1);
      expect(ring.fingers.length).toBeGreaterThanOrEqual(1);
      for (const f of ring.fingers) expect(f.from).toBeLessThanOrEqual(f.to);
      expect(ring.meanHops).not.toBeNull(); // the join and finger lookups count
      await client.command({ op: 'quit' });
      client.close();
      await running;
    } finally {
      await dir.cleanup();
    }
  });
});
