/**
 * Host name resolution with a TTL cache, a negative cache and in-flight de-duplication, so a
 * swarm of announces or dials to one tracker name costs one DNS lookup. The lab names its
 * hosts through the static hosts map. No timers: expiry is checked against `now()` on use.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { AbortedError, EndpointError, ResolveError, throwIfAborted } from '../errors.ts';
import { canonicalHost, ipFamily, type Endpoint } from './endpoint.ts';

export interface ResolverOptions {
  /** Positive cache TTL (default 60 s). */
  ttlMs?: number;
  /** Cache of failures (default 10 s). */
  negativeTtlMs?: number;
  /** Static hosts map, consulted first; names are case-insensitive. */
  hosts?: Record<string, string | string[]>;
  /** Injected for tests; the default uses node:dns/promises lookup with all: true. */
  lookup?: (host: string) => Promise<string[]>;
  now?: () => number;
  /** Cache entries kept before the oldest are dropped (default 1024). */
  maxEntries?: number;
}

type CacheEntry = { expires: number; addrs: string[] } | { expires: number; error: ResolveError };

async function systemLookup(host: string): Promise<string[]> {
  const found = await dnsLookup(host, { all: true });
  return found.map((a) => a.address);
}

function toList(addrs: string | string[]): string[] {
  return (Array.isArray(addrs) ? addrs : [addrs]).slice();
}

export class Resolver {
  readonly #ttlMs: number;
  readonly #negativeTtlMs: number;
  readonly #lookup: (host: string) => Promise<string[]>;
  readonly #now: () => number;
  readonly #maxEntries: number;
  readonly #hosts = new Map<string, string[]>();
  readonly #cache = new Map<string, CacheEntry>();
  readonly #inflight = new Map<string, Promise<string[]>>();
  /** Bumped by clear(): a lookup started before a clear must not refill the cache. */
  #generation = 0;

  constructor(options: ResolverOptions = {}) {
    this.#ttlMs = options.ttlMs ?? 60_000;
    this.#negativeTtlMs = options.negativeTtlMs ?? 10_000;
    this.#lookup = options.lookup ?? systemLookup;
    this.#now = options.now ?? Date.now;
    this.#maxEntries = Math.max(1, options.maxEntries ?? 1024);
    for (const [name, addrs] of Object.entries(options.hosts ?? {})) this.setHost(name, addrs);
  }

  /** Adds or replaces a static entry (IP literals only); it wins over DNS and never expires. */
  setHost(name: string, addrs: string | string[]): void {
    const given = toList(addrs);
    const list = given.map(literalOf).filter((a): a is string => a !== null);
    if (list.length === 0 || list.length !== given.length) {
      throw new EndpointError(`hosts entry ${name} needs IP addresses, got ${JSON.stringify(addrs)}`);
    }
    const key = name.toLowerCase();
    this.#hosts.set(key, list);
    this.#cache.delete(key);
  }

  /** Forgets every cached answer (static hosts stay). */
  clear(): void {
    this.#cache.clear();
    this.#inflight.clear();
    this.#generation++;
  }

  /**
   * Addresses for a host. IP literals come back as they are (IPv6 canonicalised). Concurrent
   * calls for one name share one lookup; aborting one caller does not cancel it for the others.
   * ResolveError on failure (cached for negativeTtlMs), AbortedError on abort.
   */
  async resolve(host: string, options: { signal?: AbortSignal } = {}): Promise<string[]> {
    const { signal } = options;
    throwIfAborted(signal);
    const literal = literalOf(host);
    if (literal) return [literal];
    const key = host.toLowerCase();
    const fixed = this.#hosts.get(key);
    if (fixed) return fixed.slice();

    const now = this.#now();
    const cached = this.#cache.get(key);
    if (cached) {
      if (now < cached.expires) {
        if ('error' in cached) throw cached.error;
        return cached.addrs.slice();
      }
      this.#cache.delete(key);
    }

    let pending = this.#inflight.get(key);
    if (!pending) {
      pending = this.#startLookup(key);
      this.#inflight.set(key, pending);
    }
    const addrs = await abortable(pending, signal);
    return addrs.slice();
  }

  /** The endpoint with its host replaced by the first resolved address. */
  async resolveEndpoint(e: Endpoint, options: { signal?: AbortSignal } = {}): Promise<Endpoint> {
    const addrs = await this.resolve(e.host, options);
    return { host: addrs[0] as string, port: e.port };
  }

  async #startLookup(key: string): Promise<string[]> {
    const generation = this.#generation;
    const settle = (entry: CacheEntry): void => {
      if (generation !== this.#generation) return;
      this.#inflight.delete(key);
      this.#store(key, entry);
    };
    let addrs: string[];
    try {
      // Validate what the lookup returns: an injected or system lookup handing back junk
      // must not leak non-addresses into dials.
      const raw = await this.#lookup(key);
      addrs = (Array.isArray(raw) ? raw : []).map(literalOf).filter((a): a is string => a !== null);
    } catch (cause) {
      const error =
        cause instanceof ResolveError ? cause : new ResolveError(key, `cannot resolve ${key}: ${describe(cause)}`, { cause });
      settle({ expires: this.#now() + this.#negativeTtlMs, error });
      throw error;
    }
    if (addrs.length === 0) {
      const error = new ResolveError(key, `no addresses for ${key}`);
      settle({ expires: this.#now() + this.#negativeTtlMs, error });
      throw error;
    }
    settle({ expires: this.#now() + this.#ttlMs, addrs });
    return addrs;
  }

  #store(key: string, entry: CacheEntry): void {
    this.#cache.delete(key);
    while (this.#cache.size >= this.#maxEntries) {
      const oldest = this.#cache.keys().next().value as string;
      this.#cache.delete(oldest);
    }
    this.#cache.set(key, entry);
  }
}

/** Canonical text when the host is an IP literal, else null. */
function literalOf(host: unknown): string | null {
  if (typeof host !== 'string') return null;
  return ipFamily(host) === 0 ? null : canonicalHost(host);
}

function describe(e: unknown): string {
  if (e && typeof e === 'object' && 'code' in e && typeof e.code === 'string') return e.code;
  return e instanceof Error ? e.message : String(e);
}

/** Waits for a shared promise, giving up (for this caller only) when the signal aborts. */
function abortable<T>(p: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return p;
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new AbortedError('resolve aborted', { cause: signal.reason }));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
