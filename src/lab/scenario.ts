/**
 * A lab scenario: who distributes what to whom, at which rates, with which algorithms. Parsed
 * from JSON (a file) or CLI flag values through one validator, which collects *every* problem
 * and reports them together before anything starts — a typo'd key or a run that would take
 * hours should cost the user one read of an error message, not an hour. Pure.
 */
import { ConfigError } from '../errors.ts';
import { boundFor, type Bound } from './bounds.ts';
import { parseDuration, parseRate, parseSize, formatSeconds } from './units.ts';

export type Mode = 'client-server' | 'p2p';
export type Discovery = 'tracker' | 'dht' | 'both';
export type PickerKind = 'rarest' | 'random';
export type ChokerKind = 'tit-for-tat' | 'unchoke-all';

/** A per-peer rate: fixed, or drawn per peer from a distribution with the scenario's seed. */
export type RateDist =
  | { readonly kind: 'fixed'; readonly value: number }
  | { readonly kind: 'uniform'; readonly min: number; readonly max: number }
  | { readonly kind: 'normal'; readonly mean: number; readonly sd: number }
  | { readonly kind: 'choice'; readonly values: readonly number[] };

export type JoinSpec =
  | { readonly kind: 'together' }
  | { readonly kind: 'staggered'; readonly everyMs: number }
  | { readonly kind: 'poisson'; readonly meanGapMs: number }
  | { readonly kind: 'list'; readonly atMs: readonly number[] };

/** Leechers alternate online sessions and offline gaps, both exponential with these means. */
export interface Churn {
  readonly meanSessionMs: number;
  readonly meanOfflineMs: number;
}

export interface Scenario {
  readonly name: string;
  readonly mode: Mode;
  readonly n: number;
  readonly fileBytes: number;
  readonly pieceBytes: number;
  readonly serverUp: number;
  readonly peerUp: RateDist;
  readonly peerDown: RateDist;
  readonly join: JoinSpec;
  /** Leave as soon as the download completes (true) or stay and seed (false). */
  readonly departAfterCompletion: boolean;
  /** Fraction of leechers in [0, 1] that upload nothing. */
  readonly freeRiders: number;
  readonly churn: Churn | null;
  readonly discovery: Discovery;
  readonly picker: PickerKind;
  readonly choker: ChokerKind;
  readonly repeats: number;
  readonly seed: number;
}

export interface ValidateOptions {
  /** Skip the run-time estimate check. */
  readonly force?: boolean;
  /** Refuse scenarios whose bound × repeats exceeds this many seconds (default 30 min). */
  readonly maxEstimatedSeconds?: number;
}

const KEYS = ['name', 'mode', 'n', 'fileBytes', 'pieceBytes', 'serverUp', 'peerUp', 'peerDown', 'join', 'departAfterCompletion', 'freeRiders', 'churn', 'discovery', 'picker', 'choker', 'repeats', 'seed'] as const;
const MAX_N = 1024;
const BLOCK = 16 * 1024;

/** Collects problems instead of stopping at the first. */
class Problems {
  readonly list: string[] = [];
  add(msg: string): void {
    this.list.push(msg);
  }
  /** Runs a parse step; a ConfigError becomes a listed problem and `fallback` is returned. */
  try<T>(fn: () => T, fallback: T): T {
    try {
      return fn();
    } catch (e) {
      if (e instanceof ConfigError) this.add(e.message);
      else throw e;
      return fallback;
    }
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function unknownKeys(obj: Record<string, unknown>, allowed: readonly string[], where: string, p: Problems): void {
  const extra = Object.keys(obj).filter((k) => !allowed.includes(k));
  if (extra.length > 0) p.add(`unknown key${extra.length > 1 ? 's' : ''} in ${where}: ${extra.join(', ')} (allowed: ${allowed.join(', ')})`);
}

function oneOf<T extends string>(v: unknown, options: readonly T[], what: string, p: Problems, dflt: T): T {
  if ((options as readonly unknown[]).includes(v)) return v as T;
  p.add(`${what} must be one of ${options.join(', ')}, got ${JSON.stringify(v)}`);
  return dflt;
}

function rateDist(v: unknown, what: string, p: Problems, allowZero: boolean): RateDist {
  const check = (x: number, label = what): number => {
    if (Number.isNaN(x) || x < 0 || (!allowZero && x === 0)) p.add(`${label} must be ${allowZero ? '≥ 0' : '> 0'}, got ${x}`);
    return x;
  };
  if (typeof v === 'number' || typeof v === 'string') return { kind: 'fixed', value: check(p.try(() => parseRate(v, what), 1)) };
  if (!isRecord(v)) {
    p.add(`${what} must be a rate or one of {"uniform":[min,max]}, {"normal":{"mean","sd"}}, {"choice":[...]}`);
    return { kind: 'fixed', value: 1 };
  }
  unknownKeys(v, ['uniform', 'normal', 'choice'], what, p);
  if (Array.isArray(v.uniform) && v.uniform.length === 2) {
    const [min, max] = v.uniform.map((x: unknown) => check(p.try(() => parseRate(x, what), 1)));
    if ((min as number) > (max as number)) p.add(`${what}.uniform: min ${min} is above max ${max}`);
    return { kind: 'uniform', min: min as number, max: max as number };
  }
  if (isRecord(v.normal)) {
    unknownKeys(v.normal, ['mean', 'sd'], `${what}.normal`, p);
    const mean = check(p.try(() => parseRate(v.normal && (v.normal as Record<string, unknown>).mean, `${what}.normal.mean`), 1));
    const sd = check(p.try(() => parseRate((v.normal as Record<string, unknown>).sd, `${what}.normal.sd`), 0), `${what}.normal.sd`);
    return { kind: 'normal', mean, sd };
  }
  if (Array.isArray(v.choice) && v.choice.length > 0) {
    return { kind: 'choice', values: v.choice.map((x: unknown) => check(p.try(() => parseRate(x, what), 1))) };
  }
  p.add(`${what} must be a rate or one of {"uniform":[min,max]}, {"normal":{"mean","sd"}}, {"choice":[...]}`);
  return { kind: 'fixed', value: 1 };
}

function joinSpec(v: unknown, n: number, p: Problems): JoinSpec {
  if (v === undefined || v === 'together') return { kind: 'together' };
  if (Array.isArray(v)) {
    const atMs = v.map((x) => p.try(() => parseDuration(x, 'join time'), 0));
    if (atMs.some((x) => x < 0)) p.add('join times must be ≥ 0');
    if (atMs.length !== n) p.add(`join lists ${atMs.length} times but n is ${n}`);
    return { kind: 'list', atMs };
  }
  if (isRecord(v)) {
    unknownKeys(v, ['every', 'poisson'], 'join', p);
    if (v.every !== undefined) return { kind: 'staggered', everyMs: p.try(() => parseDuration(v.every, 'join.every'), 0) };
    if (v.poisson !== undefined) return { kind: 'poisson', meanGapMs: p.try(() => parseDuration(v.poisson, 'join.poisson'), 0) };
  }
  p.add('join must be "together", {"every": "200ms"}, {"poisson": "500ms"} or a list of n times');
  return { kind: 'together' };
}

function churnSpec(v: unknown, p: Problems): Churn | null {
  if (v === undefined || v === null || v === false) return null;
  if (!isRecord(v)) {
    p.add('churn must be null or {"meanSession": "5s", "meanOffline": "2s"}');
    return null;
  }
  unknownKeys(v, ['meanSession', 'meanOffline'], 'churn', p);
  const meanSessionMs = p.try(() => parseDuration(v.meanSession, 'churn.meanSession'), 1);
  const meanOfflineMs = p.try(() => parseDuration(v.meanOffline, 'churn.meanOffline'), 1);
  if (!(meanSessionMs > 0) || !(meanOfflineMs > 0)) p.add('churn durations must be > 0');
  return { meanSessionMs, meanOfflineMs };
}

function intIn(v: unknown, what: string, min: number, max: number, p: Problems, dflt: number): number {
  if (typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max) return v;
  p.add(`${what} must be an integer from ${min} to ${max}, got ${JSON.stringify(v)}`);
  return dflt;
}

/** The mean of a distribution, for the run-time estimate (Infinity stays Infinity). */
export function meanRate(d: RateDist): number {
  switch (d.kind) {
    case 'fixed':
      return d.value;
    case 'uniform':
      return (d.min + d.max) / 2;
    case 'normal':
      return d.mean;
    case 'choice':
      return d.values.reduce((a, b) => a + b, 0) / d.values.length;
  }
}

/** Smallest value a distribution can yield (the d_min the bound needs before drawing). */
export function minRate(d: RateDist): number {
  switch (d.kind) {
    case 'fixed':
      return d.value;
    case 'uniform':
      return d.min;
    case 'normal':
      return Math.max(d.mean - 3 * d.sd, d.mean * 0.05);
    case 'choice':
      return Math.min(...d.values);
  }
}

/** The bound for a scenario, from mean upload rates and the slowest possible download. */
export function estimateBound(s: Scenario): Bound {
  const riders = Math.round(s.freeRiders * s.n);
  const up = meanRate(s.peerUp);
  return boundFor(s.mode, {
    fileBytes: s.fileBytes,
    serverUp: s.serverUp,
    peerUp: Array.from({ length: s.n }, (_, i) => (i < riders ? 0 : up)),
    peerDown: new Array<number>(s.n).fill(minRate(s.peerDown)),
  });
}

/** Validates a JSON value as a scenario, filling defaults from `base`. Throws one ConfigError listing every problem. */
export function parseScenario(input: unknown, base: Scenario, options: ValidateOptions = {}): Scenario {
  const p = new Problems();
  if (!isRecord(input)) throw new ConfigError('a scenario must be a JSON object');
  unknownKeys(input, KEYS, 'scenario', p);
  const get = <K extends (typeof KEYS)[number]>(k: K): unknown => (input[k] === undefined ? undefined : input[k]);
  const n = get('n') === undefined ? base.n : intIn(get('n'), 'n (number of peers)', 1, MAX_N, p, 1);
  const fileBytes = get('fileBytes') === undefined ? base.fileBytes : p.try(() => parseSize(get('fileBytes'), 'fileBytes'), 1);
  if (!(fileBytes >= 1) || !Number.isFinite(fileBytes)) p.add(`fileBytes must be at least 1 byte, got ${fileBytes}`);
  const pieceBytes = get('pieceBytes') === undefined ? base.pieceBytes : p.try(() => parseSize(get('pieceBytes'), 'pieceBytes'), BLOCK);
  if (!(pieceBytes >= BLOCK) || (pieceBytes & (pieceBytes - 1)) !== 0) p.add(`pieceBytes must be a power of two ≥ 16 KiB (the BitTorrent block), got ${pieceBytes}`);
  const serverUp = get('serverUp') === undefined ? base.serverUp : p.try(() => parseRate(get('serverUp'), 'serverUp'), 1);
  if (!(serverUp > 0) || !Number.isFinite(serverUp)) p.add(`serverUp must be a finite rate > 0, got ${serverUp}`);
  const freeRiders = get('freeRiders') ?? base.freeRiders;
  if (typeof freeRiders !== 'number' || !(freeRiders >= 0 && freeRiders <= 1)) p.add(`freeRiders is a fraction from 0 to 1, got ${JSON.stringify(freeRiders)}`);
  const departAfterCompletion = get('departAfterCompletion') ?? base.departAfterCompletion;
  if (typeof departAfterCompletion !== 'boolean') p.add('departAfterCompletion must be true or false');
  const name = get('name') ?? base.name;
  if (typeof name !== 'string' || !/^[\w.-]{1,64}$/.test(name)) p.add('name must be 1–64 letters, digits, ".", "_" or "-"');
  const scenario: Scenario = {
    name: String(name),
    mode: get('mode') === undefined ? base.mode : oneOf(get('mode'), ['client-server', 'p2p'] as const, 'mode', p, 'p2p'),
    n,
    fileBytes,
    pieceBytes,
    serverUp,
    peerUp: get('peerUp') === undefined ? base.peerUp : rateDist(get('peerUp'), 'peerUp', p, true),
    peerDown: get('peerDown') === undefined ? base.peerDown : rateDist(get('peerDown'), 'peerDown', p, false),
    join: get('join') === undefined ? base.join : joinSpec(get('join'), n, p),
    departAfterCompletion: departAfterCompletion === true,
    freeRiders: typeof freeRiders === 'number' ? freeRiders : 0,
    churn: get('churn') === undefined ? base.churn : churnSpec(get('churn'), p),
    discovery: get('discovery') === undefined ? base.discovery : oneOf(get('discovery'), ['tracker', 'dht', 'both'] as const, 'discovery', p, 'tracker'),
    picker: get('picker') === undefined ? base.picker : oneOf(get('picker'), ['rarest', 'random'] as const, 'picker', p, 'rarest'),
    choker: get('choker') === undefined ? base.choker : oneOf(get('choker'), ['tit-for-tat', 'unchoke-all'] as const, 'choker', p, 'tit-for-tat'),
    repeats: get('repeats') === undefined ? base.repeats : intIn(get('repeats'), 'repeats', 1, 100, p, 1),
    seed: get('seed') === undefined ? base.seed : intIn(get('seed'), 'seed', 0, 2 ** 32 - 1, p, 0),
  };
  if (scenario.join.kind === 'list' && scenario.join.atMs.length !== n && get('join') === undefined) p.add(`the base join list has ${scenario.join.atMs.length} times but n is ${n}`);
  if (p.list.length === 0 && fileBytes / pieceBytes > 65_536) p.add(`fileBytes / pieceBytes gives ${Math.ceil(fileBytes / pieceBytes)} pieces; keep it ≤ 65536`);
  if (p.list.length === 0 && !options.force) {
    const limit = options.maxEstimatedSeconds ?? 1800;
    const bound = estimateBound(scenario);
    const total = bound.seconds * scenario.repeats;
    if (total > limit) {
      p.add(`this scenario would take at least ${formatSeconds(total)} (${scenario.repeats} × a ${formatSeconds(bound.seconds)} ${scenario.mode} bound, limited by ${bound.term}); the limit is ${formatSeconds(limit)}: shrink fileBytes or n, raise the rates, or pass --force`);
    }
  }
  if (p.list.length > 0) throw new ConfigError(`bad scenario "${String(name)}":\n  - ${p.list.join('\n  - ')}`);
  return scenario;
}

/** Parses scenario file text (JSON). */
export function parseScenarioText(text: string, base: Scenario, options: ValidateOptions = {}): Scenario {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`scenario file is not valid JSON: ${(e as Error).message}`);
  }
  return parseScenario(value, base, options);
}
