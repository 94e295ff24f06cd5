/**
 * CLI flag values → scenario, through the same validator as files, so `--peer-up -1` and
 * `"peerUp": -1` fail with the same message. Commander hands us strings; we turn each into
 * the JSON shape and let parseScenario judge it. Pure.
 */
import { ConfigError } from '../errors.ts';
import { parseScenario, type Scenario, type ValidateOptions } from './scenario.ts';

/** Flag name (as commander camel-cases it) → scenario key and how to read the string. */
const FLAGS = {
  name: ['name', 'string'],
  mode: ['mode', 'string'],
  n: ['n', 'int'],
  fileSize: ['fileBytes', 'string'],
  pieceSize: ['pieceBytes', 'string'],
  serverUp: ['serverUp', 'string'],
  peerUp: ['peerUp', 'dist'],
  peerDown: ['peerDown', 'dist'],
  join: ['join', 'join'],
  depart: ['departAfterCompletion', 'bool'],
  freeRiders: ['freeRiders', 'number'],
  churn: ['churn', 'churn'],
  discovery: ['discovery', 'string'],
  picker: ['picker', 'string'],
  choker: ['choker', 'string'],
  repeats: ['repeats', 'int'],
  seed: ['seed', 'int'],
} as const;

export type ScenarioFlag = keyof typeof FLAGS;
export const SCENARIO_FLAGS: readonly ScenarioFlag[] = Object.keys(FLAGS) as ScenarioFlag[];

function num(flag: string, v: string): number {
  const x = Number(v);
  if (v.trim() === '' || Number.isNaN(x)) throw new ConfigError(`--${flag} expects a number, got "${v}"`);
  return x;
}

/** "256K" → fixed; "uniform:128K:512K"; "normal:256K:64K"; "choice:128K,256K,1M". */
function dist(flag: string, v: string): unknown {
  const [kind, ...rest] = v.split(':');
  if (rest.length === 0) return v;
  if (kind === 'uniform' && rest.length === 2) return { uniform: rest };
  if (kind === 'normal' && rest.length === 2) return { normal: { mean: rest[0], sd: rest[1] } };
  if (kind === 'choice' && rest.length === 1) return { choice: (rest[0] ?? '').split(',') };
  throw new ConfigError(`--${flag} expects a rate, uniform:MIN:MAX, normal:MEAN:SD or choice:A,B,…; got "${v}"`);
}

/** "together", "every:200ms", "poisson:500ms" or "0,100ms,1s". */
function join(v: string): unknown {
  if (v === 'together') return v;
  const [kind, arg] = v.split(':');
  if (kind === 'every' && arg !== undefined) return { every: arg };
  if (kind === 'poisson' && arg !== undefined) return { poisson: arg };
  return v.split(',').map((x) => (/^\d+(\.\d+)?$/.test(x) ? Number(x) : x));
}

/** "none" or "SESSION:OFFLINE", e.g. "5s:2s". */
function churn(v: string): unknown {
  if (v === 'none' || v === 'off') return null;
  const [meanSession, meanOffline] = v.split(':');
  return { meanSession, meanOffline };
}

export function scenarioFromFlags(
  flags: Partial<Record<ScenarioFlag, string | boolean>>,
  base: Scenario,
  options: ValidateOptions = {},
): Scenario {
  const json: Record<string, unknown> = {};
  for (const [flag, raw] of Object.entries(flags)) {
    if (raw === undefined) continue;
    const spec = FLAGS[flag as ScenarioFlag];
    if (spec === undefined) throw new ConfigError(`unknown scenario flag --${flag}`);
    const [key, how] = spec;
    const v = String(raw);
    switch (how) {
      case 'string':
        json[key] = v;
        break;
      case 'int':
      case 'number':
        json[key] = num(flag, v);
        break;
      case 'bool':
        json[key] = raw === true || v === 'true' || v === 'yes';
        break;
      case 'dist':
        json[key] = dist(flag, v);
        break;
      case 'join':
        json[key] = join(v);
        break;
      case 'churn':
        json[key] = churn(v);
        break;
    }
  }
  return parseScenario(json, base, options);
}
