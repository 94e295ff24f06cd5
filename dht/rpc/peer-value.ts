/** A peer announced for an infohash is stored as its compact form (6 or 18 bytes). */
import type { Endpoint } from '../../src/naming/endpoint.ts';
import { decodeCompactPeers } from '../../src/naming/endpoint.ts';

export function decodePeerValue(v: Uint8Array): Endpoint | null {
  try {
    if (v.length === 6) return decodeCompactPeers(v, 4)[0] ?? null;
    if (v.length === 18) return decodeCompactPeers(v, 6)[0] ?? null;
  } catch {
    // not a peer value
  }
  return null;
}
