import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { TrackerServer } from '../../../../tracker/server.ts';
import { seededRandom } from '../../../../src/random.ts';
import { client, makeFixture, sameFiles } from './swarm-fixture.ts';
import { cleanupAfterEach } from '../../../helpers/cleanup.ts';

const defer = cleanupAfterEach();

describe('peers found through a tracker', () => {
  it('a leecher finds the seeder via the tracker, completes, and both say stopped on stop', async () => {
    const server = new TrackerServer({ random: seededRandom(5) }, { host: '127.0.0.1', port: 0, interval: 60 });
    await server.start();
    defer(() => server.stop());
    const f = await makeFixture(undefined, undefined, [server.announceUrls.http]);
    defer(f.cleanup);
    const seeder = client();
    defer(() => seeder.stop());
    await seeder.add(f.metainfo, { downloadDir: f.seedDir, seed: true });
    const ih = f.metainfo.infoHashHex;
    await waitFor(() => server.table.scrape(ih).complete === 1);
    const leecher = client();
    defer(() => leecher.stop());
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
