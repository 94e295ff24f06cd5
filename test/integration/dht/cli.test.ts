/** `ringswarm dht …` against real nodes on 127.0.0.1. */
import { afterEach, describe, expect, it } from 'vitest';
import { Command } from 'commander';
import { registerDht, startDhtNode, parseKey } from '../../../src/cli/commands/dht.ts';
import type { DhtNode } from '../../../dht/node.ts';
import { idToHex, sha1Id } from '../../../src/naming/id160.ts';

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
  });
});
