import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { Layout } from '../../../../peer/core/layout.ts';
import { PieceVerifier } from '../../../../peer/session/piece-verifier.ts';
import { MemoryStorage } from '../../../../src/store/piece-storage.ts';

const BS = 16;

async function setup(pieceLength: number, blocksInPiece: number) {
  const layout = new Layout({ pieceLength, length: pieceLength, files: [{ path: ['t', 'f'], length: pieceLength }] }, BS);
  const good = Uint8Array.from({ length: pieceLength }, (_, i) => (i * 7 + 1) & 0xff);
  const hash = new Uint8Array(createHash('sha1').update(good).digest());
  const storage = new MemoryStorage(layout);
  await storage.open();
  const log = { verified: [] as number[], failed: [] as string[][], culprits: [] as string[], errors: [] as Error[] };
  const v = new PieceVerifier(
    { storage, layout, hashes: { pieceCount: 1, pieceHash: () => hash } },
    {
      verified: (p) => log.verified.push(p),
      failed: (_p, peers) => log.failed.push(peers),
      culprit: (peer) => log.culprits.push(peer),
      error: (e) => log.errors.push(e),
    },
  );
  expect(layout.blockCount(0)).toBe(blocksInPiece);
  const block = (b: number, bad: boolean) => {
    const d = good.slice(b * BS, (b + 1) * BS);
    if (bad) d[0] = (d[0] as number) ^ 0xff;
    return d;
  };
  return { v, log, storage, block };
}

describe('PieceVerifier', () => {
  it('a good piece verifies; a bad piece from one sender strikes it at once', async () => {
    const { v, log, block } = await setup(40, 3);
    v.write('a', 0, 0, block(0, false));
    v.write('a', 0, 16, block(1, true));
    v.write('a', 0, 32, block(2, false).subarray(0, 8));
    await v.complete(0);
    expect(log.failed).toEqual([['a']]);
    expect(log.culprits).toEqual(['a']);
    for (let b = 0; b < 3; b++) v.write('b', 0, b * BS, block(b, false).subarray(0, b === 2 ? 8 : BS));
    await v.complete(0);
    expect(log.verified).toEqual([0]);
    expect(log.culprits).toEqual(['a']);
  });

  it('property: with several senders, exactly the peers that sent bad blocks are blamed (smart ban)', async () => {
    const peers = ['a', 'b', 'c'];
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ peer: fc.constantFrom(...peers), bad: fc.boolean() }), { minLength: 4, maxLength: 4 }).filter((bs) => bs.some((b) => b.bad)),
        async (blocks) => {
          const { v, log, block } = await setup(64, 4);
          blocks.forEach((x, b) => v.write(x.peer, 0, b * BS, block(b, x.bad)));
          await v.complete(0);
          expect(log.verified).toEqual([]);
          // The good copy comes from someone else.
          for (let b = 0; b < 4; b++) v.write('z', 0, b * BS, block(b, false));
          await v.complete(0);
          expect(log.verified).toEqual([0]);
          const liars = new Set(blocks.filter((x) => x.bad).map((x) => x.peer));
          expect(new Set(log.culprits)).toEqual(liars);
          expect(log.culprits.length).toBe(liars.size);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('a storage failure is reported as an error, not thrown', async () => {
    const { v, log, storage, block } = await setup(32, 2);
    await storage.close();
    v.write('a', 0, 0, block(0, false));
    v.write('a', 0, 16, block(1, false));
    await v.complete(0);
    expect(log.errors.length).toBeGreaterThan(0);
    expect(log.verified).toEqual([]);
  });
});
