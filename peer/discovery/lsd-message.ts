/**
 * BEP 14 local service discovery announce: an HTTP-like request over UDP.
 *
 *   BT-SEARCH * HTTP/1.1\r\nHost: <group>\r\nPort: <port>\r\nInfohash: <40 hex>\r\n
 *   cookie: <opaque>\r\n\r\n\r\n
 *
 * Pure codec. Parsing is strict about what matters (request line, one valid port, 40-hex
 * infohashes, a size cap) and lenient about the rest (header case, unknown headers, LF-only
 * line ends), as BEP 14 asks for forward compatibility.
 */
import { ProtocolError } from '../../src/errors.ts';

/** BEP 14: keep announces under 1400 bytes; anything much larger is not an announce. */
export const LSD_MAX_DATAGRAM = 1400;
export const LSD_MAX_INFOHASHES = 32;

export interface LsdAnnounce {
  /** The Host header as sent (the group address). */
  host: string;
  port: number;
  /** Lowercase 40-character hex infohashes. */
  infoHashes: string[];
  cookie?: string;
}

export function encodeLsdAnnounce(a: LsdAnnounce): Uint8Array {
  const lines = ['BT-SEARCH * HTTP/1.1', `Host: ${a.host}`, `Port: ${a.port}`];
  for (const h of a.infoHashes) lines.push(`Infohash: ${h}`);
  if (a.cookie !== undefined) lines.push(`cookie: ${a.cookie}`);
  const b = new TextEncoder().encode(`${lines.join('\r\n')}\r\n\r\n\r\n`);
  if (b.length > LSD_MAX_DATAGRAM) throw new RangeError(`LSD announce of ${b.length} bytes exceeds ${LSD_MAX_DATAGRAM}`);
  return b;
}

/** Parse an announce. Throws ProtocolError for anything that is not a usable one. */
export function parseLsdAnnounce(buf: Uint8Array): LsdAnnounce {
  if (buf.length > LSD_MAX_DATAGRAM) throw new ProtocolError(`LSD datagram of ${buf.length} bytes is oversized`);
  let text = '';
  for (const c of buf) {
    if (c > 0x7e || (c < 0x20 && c !== 0x0d && c !== 0x0a && c !== 0x09)) throw new ProtocolError('LSD datagram is not ASCII text');
    text += String.fromCharCode(c);
  }
  const lines = text.split(/\r?\n/);
  if (lines[0] !== 'BT-SEARCH * HTTP/1.1') throw new ProtocolError('not a BT-SEARCH request');
  let host: string | undefined;
  let port: number | undefined;
  let cookie: string | undefined;
  const infoHashes: string[] = [];
  for (const line of lines.slice(1)) {
    if (line === '') continue;
    const colon = line.indexOf(':');
    if (colon <= 0) throw new ProtocolError(`malformed LSD header line ${JSON.stringify(line.slice(0, 40))}`);
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'host') host = value;
    else if (name === 'cookie') cookie = value;
    else if (name === 'port') {
      if (port !== undefined || !/^[0-9]{1,5}$/.test(value) || Number(value) < 1 || Number(value) > 65535) {
        throw new ProtocolError(`bad LSD port ${JSON.stringify(value.slice(0, 20))}`);
      }
      port = Number(value);
    } else if (name === 'infohash') {
      if (!/^[0-9a-fA-F]{40}$/.test(value)) throw new ProtocolError(`bad LSD infohash ${JSON.stringify(value.slice(0, 50))}`);
      const h = value.toLowerCase();
      if (!infoHashes.includes(h)) infoHashes.push(h);
      if (infoHashes.length > LSD_MAX_INFOHASHES) throw new ProtocolError('too many infohashes in one LSD announce');
    }
  }
  if (port === undefined) throw new ProtocolError('LSD announce without a Port');
  if (infoHashes.length === 0) throw new ProtocolError('LSD announce without an Infohash');
  const out: LsdAnnounce = { host: host ?? '', port, infoHashes };
  if (cookie !== undefined) out.cookie = cookie;
  return out;
}
