/**
 * Magnet URIs (BEP 9): xt=urn:btih:<40 hex | 32 base32>, dn (name), tr (trackers), x.pe (peers),
 * ws (web seeds). Indexed keys like tr.1 / xt.1 are accepted. Only the infohash is essential:
 * a malformed x.pe or ws is skipped rather than making the whole link unusable.
 */
import { MagnetError } from '../errors.ts';
import { formatEndpoint, parseEndpoint, type Endpoint } from '../naming/endpoint.ts';

export interface Magnet {
  infoHash: Uint8Array;
  infoHashHex: string;
  name?: string;
  trackers: string[];
  /** x.pe peer addresses. */
  peers: Endpoint[];
  /** ws web seeds (BEP 19). */
  webSeeds: string[];
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function hexToBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

function bytesToHex(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += x.toString(16).padStart(2, '0');
  return s;
}

/** RFC 4648 base32 without padding, exactly 32 chars → 20 bytes. */
function base32ToBytes(s: string): Uint8Array {
  const out = new Uint8Array(20);
  let bits = 0;
  let acc = 0;
  let n = 0;
  for (const ch of s.toUpperCase()) {
    const v = BASE32.indexOf(ch);
    if (v < 0) throw new MagnetError(`bad base32 character ${JSON.stringify(ch)} in infohash`);
    acc = (acc << 5) | v;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out[n++] = (acc >>> bits) & 0xff;
    }
  }
  return out;
}

function parseBtih(value: string): Uint8Array {
  if (/^[0-9a-fA-F]{40}$/.test(value)) return hexToBytes(value);
  if (/^[A-Za-z2-7]{32}$/.test(value)) return base32ToBytes(value);
  throw new MagnetError(`infohash ${JSON.stringify(value)} is neither 40 hex nor 32 base32 characters`);
}

function decode(s: string, plusIsSpace: boolean): string {
  try {
    return decodeURIComponent(plusIsSpace ? s.replace(/\+/g, ' ') : s);
  } catch {
    throw new MagnetError(`bad percent-encoding in ${JSON.stringify(s)}`);
  }
}

export function parseMagnet(uri: string): Magnet {
  if (typeof uri !== 'string' || !/^magnet:\?/i.test(uri)) throw new MagnetError('not a magnet URI (must start with "magnet:?")');
  let infoHash: Uint8Array | undefined;
  let sawV2 = false;
  let name: string | undefined;
  const trackers: string[] = [];
  const peers: Endpoint[] = [];
  const webSeeds: string[] = [];
  for (const param of uri.slice(8).split('&')) {
    if (param === '') continue;
    const eq = param.indexOf('=');
    if (eq < 0) continue;
    const key = param.slice(0, eq).toLowerCase().replace(/\.\d+$/, '');
    const raw = param.slice(eq + 1);
    if (key === 'xt') {
      const value = decode(raw, false);
      const m = /^urn:btih:(.*)$/i.exec(value);
      if (m) {
        if (infoHash === undefined) infoHash = parseBtih(m[1]!);
      } else if (/^urn:btmh:/i.test(value)) {
        sawV2 = true;
      }
    } else if (key === 'dn') {
      name = decode(raw, true);
    } else if (key === 'tr') {
      const tr = decode(raw, false);
      if (tr !== '' && !trackers.includes(tr)) trackers.push(tr);
    } else if (key === 'x.pe') {
      try {
        peers.push(parseEndpoint(decode(raw, false)));
      } catch {
        // An unusable peer hint is not worth refusing the link for.
      }
    } else if (key === 'ws') {
      const ws = decode(raw, false);
      if (ws !== '') webSeeds.push(ws);
    }
  }
  if (infoHash === undefined) {
    throw new MagnetError(sawV2 ? 'v2-only magnet links (urn:btmh) are not supported' : 'magnet URI has no xt=urn:btih: infohash');
  }
  const magnet: Magnet = { infoHash, infoHashHex: bytesToHex(infoHash), trackers, peers, webSeeds };
  if (name !== undefined) magnet.name = name;
  return magnet;
}

function encode(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    throw new MagnetError(`cannot encode ${JSON.stringify(s)} (lone surrogate)`);
  }
}

export function formatMagnet(m: { infoHash: Uint8Array; name?: string; trackers?: readonly string[]; peers?: readonly Endpoint[]; webSeeds?: readonly string[] }): string {
  if (m.infoHash.length !== 20) throw new MagnetError(`infohash must be 20 bytes, got ${m.infoHash.length}`);
  const parts = [`xt=urn:btih:${bytesToHex(m.infoHash)}`];
  if (m.name !== undefined) parts.push(`dn=${encode(m.name)}`);
  for (const tr of m.trackers ?? []) parts.push(`tr=${encode(tr)}`);
  for (const ws of m.webSeeds ?? []) parts.push(`ws=${encode(ws)}`);
  for (const pe of m.peers ?? []) parts.push(`x.pe=${encode(formatEndpoint(pe))}`);
  return `magnet:?${parts.join('&')}`;
}
