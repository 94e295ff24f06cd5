/**
 * Throttle accuracy over real loopback TCP: 8 MiB through a 2 MiB/s ThrottleGroup should take
 * 4 s. Prints elapsed and error for an up-throttled sender, a down-throttled receiver, both,
 * and 4 parallel sockets sharing one up group. Figures only; never pass/fail.
 *
 *   npx tsx bench/throttle.ts
 */
import { dial, listen, type Connection } from '../src/net/transport.ts';
import { hostThrottle, type HostThrottle } from '../src/net/throttle.ts';

const MiB = 1024 * 1024;
const TOTAL = 8 * MiB;
const RATE = 2 * MiB;
const IDEAL_S = TOTAL / RATE;

async function run(name: string, sender: HostThrottle | undefined, receiver: HostThrottle | undefined, sockets: number): Promise<void> {
  let received = 0;
  let doneCount = 0;
  let finish!: () => void;
  const allDone = new Promise<void>((r) => (finish = r));
  const l = await listen({
    ...(receiver ? { throttle: receiver } : {}),
    onConnection: (c: Connection) => {
      c.on('data', (d) => (received += d.length));
      c.once('close', () => {
        if (++doneCount === sockets) finish();
      });
    },
  });
  const conns = await Promise.all(
    Array.from({ length: sockets }, () => dial({ host: '127.0.0.1', port: l.port }, sender ? { throttle: sender } : {})),
  );
  const per = TOTAL / sockets;
  const chunk = new Uint8Array(64 * 1024).fill(0x5a);
  const t0 = performance.now();
  const sentAt = await Promise.all(
    conns.map(async (c) => {
      for (let off = 0; off < per; off += chunk.length) await c.write(chunk.subarray(0, Math.min(chunk.length, per - off)));
      await c.end();
      return (performance.now() - t0) / 1000;
    }),
  );
  await allDone;
  const secs = (performance.now() - t0) / 1000;
  await l.close();
  const err = ((secs - IDEAL_S) / IDEAL_S) * 100;
  console.log(
    `${name.padEnd(34)} ${(received / MiB).toFixed(2)} MiB in ${secs.toFixed(3)} s  ` +
      `(${(received / MiB / secs).toFixed(3)} MiB/s, error ${err >= 0 ? '+' : ''}${err.toFixed(2)} %)`,
  );
  // Fairness: with a shared group every socket should finish its share at about the same time.
  if (sockets > 1) console.log(`${''.padEnd(34)} per-socket send finished at ${sentAt.map((t) => t.toFixed(3)).join(', ')} s`);
}

console.log(`8 MiB over loopback TCP at 2 MiB/s, ideal ${IDEAL_S.toFixed(3)} s`);
await run('up-throttled sender', hostThrottle({ up: RATE }), undefined, 1);
await run('down-throttled receiver', undefined, hostThrottle({ down: RATE }), 1);
await run('both (up and down 2 MiB/s)', hostThrottle({ up: RATE }), hostThrottle({ down: RATE }), 1);
await run('4 sockets sharing one up group', hostThrottle({ up: RATE }), undefined, 4);
await run('unlimited (reference)', undefined, undefined, 1);
