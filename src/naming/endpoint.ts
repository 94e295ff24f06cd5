/**
 * Endpoints (host + port): parsing and formatting of the address forms users and trackers
 * write, and the compact 6/18-byte peer forms of BEP 23 / BEP 7. IP literals are parsed here
 * (not with node:net) so pure cores such as the tracker swarm can import this module.
 */
import { EndpointError } from '../errors.ts';

/** host: dotted IPv4, IPv6 without brackets, or a hostname. */
export interface Endpoint {
  host: string;
  port: number;
}
export type Scheme = 'tcp' | 'udp' | 'http' | 'https';
/** path is '' when absent; otherwise path + query as written (fragment dropped). */
export interface ParsedAddress {
  scheme?: Scheme;
  endpoint: Endpoint;
  path: string;
}

const SCHEMES: readonly Scheme[] = ['tcp', 'udp', 'http', 'https'];
const SCHEME_PORTS: Partial<Record<Scheme, number>> = { http: 80, https: 443 };

// ---- IP literals -------------------------------------------------------------------------

const DEC_OCTET = /^(0|[1-9][0-9]{0,2})$/;

/** Strict dotted quad; leading zeros are refused because some stacks read them as octal. */
export function parseIPv4(s: string): Uint8Array | null {
  const parts = s.split('.');
  if (parts.length !== 4) return null;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i] as string;
    if (!DEC_OCTET.test(p)) return null;
    const v = Number(p);
    if (v > 255) return null;
    out[i] = v;
  }
  return out;
}

const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

/** RFC 4291 text form, with '::' and a trailing dotted quad; zone ids ('%eth0') are refused. */
export function parseIPv6(s: string): Uint8Array | null {
  if (s.length < 2 || s.length > 45 || !/^[0-9a-fA-F:.]+$/.test(s)) return null;
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const groups = (part: string): number[] | null => {
    if (part === '') return [];
    const out: number[] = [];
    const items = part.split(':');
    for (let i = 0; i < items.length; i++) {
      const item = items[i] as string;
      if (i === items.length - 1 && item.includes('.')) {
        const v4 = parseIPv4(item);
        if (!v4) return null;
        out.push(((v4[0] as number) << 8) | (v4[1] as number), ((v4[2] as number) << 8) | (v4[3] as number));
      } else if (HEX_GROUP.test(item)) {
        out.push(parseInt(item, 16));
      } else {
        return null;
      }
    }
    return out;
  };
  const head = groups(halves[0] as string);
  if (!head) return null;
  let all: number[];
  if (halves.length === 2) {
    const tail = groups(halves[1] as string);
    // A dotted quad may only end the address, so it cannot appear before '::'.
    if (!tail || (halves[0] as string).includes('.')) return null;
    if (head.length + tail.length > 7) return null;
    all = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  } else {
    if (head.length !== 8) return null;
    all = head;
  }
  const out = new Uint8Array(16);
  all.forEach((g, i) => {
    out[i * 2] = g >> 8;
    out[i * 2 + 1] = g & 0xff;
  });
  return out;
}

function isMapped(b: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (b[i] !== 0) return false;
  return b[10] === 0xff && b[11] === 0xff;
}

/** Canonical IPv4 ('1.2.3.4') or IPv6 (RFC 5952: lowercase, longest zero run as '::'). */
export function formatIP(b: Uint8Array): string {
  if (b.length === 4) return Array.from(b).join('.');
  if (b.length !== 16) throw new EndpointError(`an IP address has 4 or 16 bytes, got ${b.length}`);
  if (isMapped(b)) return `::ffff:${Array.from(b.subarray(12)).join('.')}`;
  const g: number[] = [];
  for (let i = 0; i < 8; i++) g.push(((b[i * 2] as number) << 8) | (b[i * 2 + 1] as number));
  // Longest run of two or more zero groups (the first one on ties) becomes '::'.
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (xs: number[]): string => xs.map((x) => x.toString(16)).join(':');
  if (bestStart < 0) return hex(g);
  return `${hex(g.slice(0, bestStart))}::${hex(g.slice(bestStart + bestLen))}`;
}

/** 4 or 16 bytes for an IP literal, null for anything else. */
export function parseIP(host: string): Uint8Array | null {
  return parseIPv4(host) ?? parseIPv6(host);
}

/** 4 for dotted IPv4, 6 for IPv6 text (including '::ffff:1.2.3.4'), 0 for a hostname. */
export function ipFamily(host: string): 4 | 6 | 0 {
  if (parseIPv4(host)) return 4;
  if (parseIPv6(host)) return 6;
  return 0;
}

/**
 * '::ffff:1.2.3.4' → '1.2.3.4'; other hosts unchanged. A dual-stack listener reports IPv4
 * clients in the mapped form; trackers must hand them out as IPv4 peers.
 */
export function unmapIPv4(host: string): string {
  const b = parseIPv6(host);
  return b && isMapped(b) ? formatIP(b.subarray(12)) : host;
}

// ---- hostnames and ports -----------------------------------------------------------------

const LABEL = /^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$/i;

/** DNS-style name; a final label of digits only is refused (it would be a malformed IPv4). */
export function isHostname(s: string): boolean {
  if (s.length === 0 || s.length > 253) return false;
  const labels = s.split('.');
  if (!labels.every((l) => LABEL.test(l))) return false;
  return !/^[0-9]+$/.test(labels[labels.length - 1] as string);
}

/** Canonical text of a host: IPv6 compressed lowercase, hostnames lowercase. */
export function canonicalHost(host: string): string {
  const b = parseIPv6(host);
  if (b) return formatIP(b);
  return host.toLowerCase();
}

function parsePort(s: string, minPort: number, input: string): number {
  if (!/^[0-9]{1,5}$/.test(s)) throw new EndpointError(`bad port in ${JSON.stringify(input)}`);
  return checkPort(Number(s), minPort, input);
}

function checkPort(p: number, minPort: number, input: string): number {
  if (!Number.isInteger(p) || p < minPort || p > 65535) {
    throw new EndpointError(`port ${p} out of range ${minPort}..65535 in ${JSON.stringify(input)}`);
  }
  return p;
}

// ---- endpoints ---------------------------------------------------------------------------

function parseWith(s: string, defaultPort: number | undefined, minPort: number): Endpoint {
  if (typeof s !== 'string' || s.length === 0) throw new EndpointError('empty address');
  const withDefault = (host: string): Endpoint => {
    if (defaultPort === undefined) throw new EndpointError(`no port in ${JSON.stringify(s)}`);
    return { host, port: checkPort(defaultPort, minPort, s) };
  };
  if (s.startsWith('[')) {
    const close = s.indexOf(']');
    const inner = close < 0 ? '' : s.slice(1, close);
    const b = parseIPv6(inner);
    if (!b) throw new EndpointError(`bad IPv6 address in ${JSON.stringify(s)}`);
    const host = formatIP(b);
    const rest = s.slice(close + 1);
    if (rest === '') return withDefault(host);
    if (!rest.startsWith(':')) throw new EndpointError(`junk after ']' in ${JSON.stringify(s)}`);
    return { host, port: parsePort(rest.slice(1), minPort, s) };
  }
  const colons = s.split(':').length - 1;
  if (colons > 1) {
    // Bare IPv6: the last group cannot be told from a port, so the whole text is the address.
    const b = parseIPv6(s);
    if (!b) throw new EndpointError(`bad address ${JSON.stringify(s)}`);
    return withDefault(formatIP(b));
  }
  const [hostPart, portPart] = colons === 1 ? (s.split(':') as [string, string]) : [s, undefined];
  let host: string;
  if (parseIPv4(hostPart)) host = hostPart;
  else if (isHostname(hostPart)) host = hostPart.toLowerCase();
  else throw new EndpointError(`bad host in ${JSON.stringify(s)}`);
  if (portPart === undefined) return withDefault(host);
  return { host, port: parsePort(portPart, minPort, s) };
}

/**
 * "host:port", "1.2.3.4:p", "[v6]:p"; a bare host or "[v6]" or bare IPv6 only with a
 * defaultPort. Ports are 1..65535: port 0 never names a reachable peer. Hosts come back
 * canonical (IPv6 compressed lowercase, hostnames lowercase).
 */
export function parseEndpoint(s: string, defaultPort?: number): Endpoint {
  return parseWith(s, defaultPort, 1);
}

/** As parseEndpoint, but port 0 is allowed: a listen address asking the OS for any port. */
export function parseListenEndpoint(s: string, defaultPort?: number): Endpoint {
  return parseWith(s, defaultPort, 0);
}

/** Also accepts tcp://, udp://, http:// and https:// (default ports 80 and 443 for http(s)). */
export function parseAddress(s: string, defaultPort?: number): ParsedAddress {
  if (typeof s !== 'string') throw new EndpointError('address is not a string');
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/(.*)$/s.exec(s);
  if (!m) return { endpoint: parseEndpoint(s, defaultPort), path: '' };
  const scheme = (m[1] as string).toLowerCase() as Scheme;
  if (!SCHEMES.includes(scheme)) throw new EndpointError(`unsupported scheme in ${JSON.stringify(s)}`);
  const rest = m[2] as string;
  if (/[\u0000-\u0020\u007f]/.test(rest)) throw new EndpointError(`whitespace or control character in ${JSON.stringify(s)}`);
  const cut = rest.search(/[/?#]/);
  const authority = cut < 0 ? rest : rest.slice(0, cut);
  let path = cut < 0 ? '' : rest.slice(cut);
  const hash = path.indexOf('#');
  if (hash >= 0) path = path.slice(0, hash);
  if (authority.includes('@')) throw new EndpointError(`credentials in addresses are not supported: ${JSON.stringify(s)}`);
  const endpoint = parseEndpoint(authority, SCHEME_PORTS[scheme] ?? defaultPort);
  return { scheme, endpoint, path };
}

/** Inverse of parseAddress (the port is always written out). */
export function formatAddress(a: ParsedAddress): string {
  const ep = formatEndpoint(a.endpoint);
  return a.scheme ? `${a.scheme}://${ep}${a.path}` : `${ep}${a.path}`;
}

/** "1.2.3.4:6881", "[::1]:6881", "host:80". */
export function formatEndpoint(e: Endpoint): string {
  const b = parseIPv6(e.host);
  return b ? `[${formatIP(b)}]:${e.port}` : `${e.host}:${e.port}`;
}

/** Equality key: IPv4 and IPv4-mapped IPv6 agree, IPv6 spellings agree, hostnames ignore case. */
function hostKey(host: string): string {
  return canonicalHost(unmapIPv4(host));
}

export function sameEndpoint(a: Endpoint, b: Endpoint): boolean {
  return a.port === b.port && hostKey(a.host) === hostKey(b.host);
}

// ---- compact peer forms (BEP 23 for IPv4, BEP 7 for IPv6) --------------------------------

/**
 * 6 bytes (IPv4) or 18 bytes (IPv6): address then big-endian port. IPv4-mapped hosts are
 * written as IPv4. Ports 0..65535 are written as they are (the form can carry 0).
 * EndpointError for hostnames and bad ports.
 */
export function encodeCompactPeer(e: Endpoint): Uint8Array {
  const ip = parseIP(unmapIPv4(e.host));
  if (!ip) throw new EndpointError(`not an IP address: ${JSON.stringify(e.host)}`);
  const port = checkPort(e.port, 0, formatEndpoint(e));
  const out = new Uint8Array(ip.length + 2);
  out.set(ip);
  out[ip.length] = port >> 8;
  out[ip.length + 1] = port & 0xff;
  return out;
}

/** Peers of the other family and hostnames are skipped; mapped IPv4 counts as family 4. */
export function encodeCompactPeers(peers: readonly Endpoint[], family: 4 | 6): Uint8Array {
  const size = compactSize(family);
  const parts: Uint8Array[] = [];
  for (const p of peers) {
    const host = unmapIPv4(p.host);
    if (ipFamily(host) !== family) continue;
    parts.push(encodeCompactPeer({ host, port: p.port }));
  }
  const out = new Uint8Array(parts.length * size);
  parts.forEach((p, i) => out.set(p, i * size));
  return out;
}

/**
 * EndpointError when the length is not a multiple of 6/18. Entries are decoded as they are,
 * port 0 included: filtering unusable peers is the caller's policy, not the codec's.
 */
export function decodeCompactPeers(buf: Uint8Array, family: 4 | 6): Endpoint[] {
  const size = compactSize(family);
  if (!(buf instanceof Uint8Array)) throw new EndpointError('compact peers must be bytes');
  if (buf.length % size !== 0) {
    throw new EndpointError(`compact IPv${family} peers: length ${buf.length} is not a multiple of ${size}`);
  }
  const out: Endpoint[] = [];
  for (let off = 0; off < buf.length; off += size) {
    const host = formatIP(buf.subarray(off, off + size - 2));
    const port = ((buf[off + size - 2] as number) << 8) | (buf[off + size - 1] as number);
    out.push({ host, port });
  }
  return out;
}

function compactSize(family: 4 | 6): number {
  if (family === 4) return 6;
  if (family === 6) return 18;
  throw new EndpointError(`address family must be 4 or 6, got ${String(family)}`);
}
