import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { TrackerServer } from '../../../../tracker/server.ts';
import { seededRandom } from '../../../../src/random.ts';
import { client, makeFixture, sameFiles } from './swarm-fixture.ts';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('peers found through a tracker', () => {
  it('a leecher finds the seeder via the tracker, completes, and both say stopped on stop', async () => {
    const server = new TrackerServer({ random: seededRandom(5) }, { host: '127.0.0.1', port: 0, interval: 60 });
    await server.start();
    cleanups.push(() => server.stop());
    const f = await makeFixture(undefined, undefined, [server.announceUrls.http]);
    cleanups.push(f.cleanup);
    const seeder = client();
    cleanups.push(() => seeder.stop());
    await seeder.add(f.metainfo, { downloadDir: f.seedDir, seed: true });
    const ih = f.metainfo.infoHashHex;
    await waitFor(() => server.table.scrape(ih).complete === 1);
    const leecher = client();
    cleanups.push(() => leecher.stop());
    const t = await leecher.add(f.metainfo, { downloadDir: join(f.root, 'leech') });
    await t.whenDone(AbortSignal.timeout(10_000));
    expect(await sameFiles(f, join(f.root, 'leech'))).toBe(true);
    await waitFor(() => server.table.scrape(ih).downloaded === 1);
    await leecher.stop();
    await seeder.stop();
    expect(server.table.scrape(ih)).toMatchObject({ complete: 0, incomplete: 0, downloaded: 1 });
  });
});

async function waitFor(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}
