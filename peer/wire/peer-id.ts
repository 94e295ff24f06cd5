/**
 * Peer ids: ours is Azureus-style `-RS0100-` + 12 random bytes; `clientName` turns the common
 * styles back into a readable client name for the TUI (the extension handshake's `v` is more
 * reliable when present, but many peers are only ever seen by their id).
 */
import type { Random } from '../../src/random.ts';
import { VERSION } from '../../src/version.ts';

/** `-RS` + four version characters (major, minor, patch, build) + `-`. */
export function peerIdPrefix(version: string = VERSION): string {
  const parts = version.split(/[.-]/).map((p) => Number.parseInt(p, 10));
  const digits = [0, 1, 2, 3].map((i) => versionChar(parts[i] ?? 0)).join('');
  return `-RS${digits}-`;
}

function versionChar(n: number): string {
  return Number.isInteger(n) && n >= 0 && n < 36 ? n.toString(36).toUpperCase() : '0';
}

export function generatePeerId(random: Random, version: string = VERSION): Uint8Array {
  const id = new Uint8Array(20);
  const prefix = peerIdPrefix(version);
  for (let i = 0; i < prefix.length; i++) id[i] = prefix.charCodeAt(i);
  for (let i = prefix.length; i < 20; i++) id[i] = random.int(256);
  return id;
}

const AZUREUS: Readonly<Record<string, string>> = {
  AG: 'Ares',
  AZ: 'Vuze',
  BB: 'BitBuddy',
  BC: 'BitComet',
  BI: 'BiglyBT',
  BT: 'BitTorrent',
  BW: 'BitWombat',
  DE: 'Deluge',
  FD: 'Free Download Manager',
  FL: 'Flud',
  KT: 'KTorrent',
  LT: 'libtorrent (Rasterbar)',
  lt: 'libTorrent (Rakshasa)',
  PI: 'PicoTorrent',
  qB: 'qBittorrent',
  RS: 'ringswarm',
  SD: 'Thunder',
  TR: 'Transmission',
  TX: 'Tixati',
  UM: 'µTorrent Mac',
  UT: 'µTorrent',
  WW: 'WebTorrent',
  XL: 'Xunlei',
};

const SHADOW: Readonly<Record<string, string>> = {
  A: 'ABC',
  O: 'Osprey Permaseed',
  Q: 'BTQueue',
  R: 'Tribler',
  S: 'Shadow',
  T: 'BitTornado',
  U: 'UPnP NAT Bit Torrent',
};

const SHADOW_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz.';

function ascii(id: Uint8Array, from: number, to: number): string {
  let s = '';
  for (let i = from; i < Math.min(to, id.length); i++) s += String.fromCharCode(id[i]!);
  return s;
}

/** Azureus version characters are 0-9 then A-Z (libtorrent 2.0.10 is `-LT20A0-`). */
function azDigit(c: string): number | undefined {
  const n = Number.parseInt(c, 36);
  return Number.isNaN(n) ? undefined : n;
}

function azureus(id: Uint8Array): string | undefined {
  const s = ascii(id, 0, 8);
  if (!/^-[A-Za-z~][A-Za-z~][0-9A-Za-z]{4}-$/.test(s)) return undefined;
  const code = s.slice(1, 3);
  const v = [...s.slice(3, 7)].map(azDigit) as number[];
  const name = AZUREUS[code] ?? code;
  if (code === 'TR') {
    // Transmission before 4.0 wrote major + two-digit minor (-TR2940- is 2.94); 4.x is semantic.
    if (v[0]! < 4) return `${name} ${v[0]}.${s.slice(4, 6)}${s[6] === 'Z' || s[6] === 'X' ? '+' : ''}`;
  }
  const version = `${v[0]}.${v[1]}.${v[2]}${v[3] !== 0 ? `.${v[3]}` : ''}`;
  return `${name} ${version}`;
}

function mainlineStyle(id: Uint8Array): string | undefined {
  const s = ascii(id, 0, 12);
  const aria = /^A2-(\d+)-(\d+)-(\d+)-/.exec(s);
  if (aria) return `aria2 ${aria[1]}.${aria[2]}.${aria[3]}`;
  const m = /^M(\d+)-(\d+)-(\d+)-/.exec(s);
  if (m) return `Mainline ${m[1]}.${m[2]}.${m[3]}`;
  return undefined;
}

function shadow(id: Uint8Array): string | undefined {
  const name = SHADOW[String.fromCharCode(id[0] ?? 0)];
  if (name === undefined) return undefined;
  const parts: number[] = [];
  let i = 1;
  for (; i < 6; i++) {
    const c = String.fromCharCode(id[i] ?? 0);
    if (c === '-') break;
    const n = SHADOW_ALPHABET.indexOf(c);
    if (n < 0) return undefined;
    parts.push(n);
  }
  // The version is padded with dashes: at least "--" must follow it.
  if (parts.length === 0 || id[i] !== 0x2d || id[i + 1] !== 0x2d) return undefined;
  return `${name} ${parts.join('.')}`;
}

/** A readable client name ("libtorrent (Rasterbar) 2.0.8"), or "unknown" for unrecognised ids. */
export function clientName(peerId: Uint8Array): string {
  return azureus(peerId) ?? mainlineStyle(peerId) ?? shadow(peerId) ?? 'unknown';
}
