/**
 * Runs the client-server half of a scenario for real: one HTTP file server whose host uploads
 * at u_s, and N clients, each its own emulated host (d_i down, u_i up — unused here, since in
 * client-server peers never upload), fetching the file over loopback from their join times.
 * Produces a RunResult to compare with max{N·F/u_s, F/d_min}.
 *
 * Everything runs in this process: on loopback the cost is the throttles' pacing, not the
 * CPU, and one process makes Ctrl-C (an AbortSignal) stop everything and keep what finished.
 */
import { setMaxListeners } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AbortedError, ConfigError } from '../errors.ts';
import { HttpClient } from '../http/client.ts';
import { HttpFileServer } from '../http/server.ts';
import { hostThrottle } from '../net/throttle.ts';
import type { Plan } from './plan.ts';
import { RunRecorder, type RunResult } from './results.ts';

export interface ClientServerRunOptions {
  readonly signal?: AbortSignal;
  /** Utilisation sampling period; default 250 ms. */
  readonly sampleMs?: number;
  /** Called as each client completes (for progress lines). */
  readonly onComplete?: (index: number, atMs: number) => void;
  readonly repeat?: number;
  /**
   * Each host's own loopback address (server, then client i), for kernel shaping: the kernel's
   * tc classes tell the hosts apart by address, and the in-process throttles are left off.
   */
  readonly kernelShaped?: { readonly server: string; client(index: number): string };
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new AbortedError());
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(t);
      reject(new AbortedError());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export async function runClientServer(plan: Plan, o: ClientServerRunOptions = {}): Promise<RunResult> {
  const s = plan.scenario;
  if (s.mode !== 'client-server') throw new ConfigError(`runClientServer needs a client-server scenario, got ${s.mode}`);
  if (s.churn !== null) throw new ConfigError('churn is not modelled in client-server runs');
  const rec = new RunRecorder(plan, o.repeat ?? 0);
  const dir = await mkdtemp(join(tmpdir(), 'ringswarm-cs-'));
  const shaped = o.kernelShaped;
  const serverHost = hostThrottle(shaped ? {} : { up: s.serverUp });
  const server = new HttpFileServer({ root: dir, throttle: serverHost, idleMs: 600_000, ...(shaped ? { host: shaped.server } : {}) });
  const clients: HttpClient[] = [];
  const stop = new AbortController();
  const signal = o.signal ? AbortSignal.any([o.signal, stop.signal]) : stop.signal;
  // Every client's reads and writes listen on this one signal: 128 peers is not a leak.
  setMaxListeners(0, signal);
  let sampler: ReturnType<typeof setInterval> | undefined;
  try {
    await writeFile(join(dir, 'file.bin'), new Uint8Array(s.fileBytes));
    const port = await server.start();
    const t0 = performance.now();
    let lastGranted = 0;
    let lastAt = 0;
    const sampleMs = o.sampleMs ?? 250;
    sampler = setInterval(() => {
      const at = performance.now() - t0;
      const g = serverHost.up.granted;
      rec.utilisation(at, ((g - lastGranted) * 1000) / Math.max(1, at - lastAt), s.serverUp);
      lastGranted = g;
      lastAt = at;
    }, sampleMs);
    const fetches = plan.peers.map(async (p) => {
      await sleep(p.joinAtMs, signal);
      // u_i is not used in client-server (a free rider's 0 must not block its request line).
      const link = shaped ? { throttle: hostThrottle(), localAddress: shaped.client(p.index) } : { throttle: hostThrottle({ up: p.up || Infinity, down: p.down }) };
      const client = new HttpClient({ endpoint: { host: shaped?.server ?? '127.0.0.1', port }, ...link, idleTimeoutMs: 600_000 });
      clients.push(client);
      let got = 0;
      const res = await client.get('/file.bin', { signal, onBody: (c) => void (got += c.length) });
      client.close();
      rec.bytes(p.index, 0, got);
      if (res.status !== 200 || got !== s.fileBytes) throw new Error(`client ${p.index}: HTTP ${res.status}, ${got} of ${s.fileBytes} bytes`);
      const at = performance.now() - t0;
      rec.completed(p.index, at);
      o.onComplete?.(p.index, at);
    });
    const outcomes = await Promise.allSettled(fetches);
    const failed = outcomes.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed && !signal.aborted) throw failed.reason;
    return rec.finish(signal.aborted);
  } finally {
    clearInterval(sampler);
    stop.abort();
    for (const c of clients) c.close();
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
