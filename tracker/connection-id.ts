/**
 * Stateless BEP 15 connection ids: the first 8 bytes of HMAC-SHA256(secret, bucket | port |
 * address), where bucket = floor(now / bucketMs). An id verifies in its own bucket and the
 * next one, so it lives between bucketMs and 2 × bucketMs (≈ 1–2 minutes, as BEP 15 asks),
 * and the tracker keeps no per-client state. A spoofed source never sees the connect
 * response, so it cannot learn an id that verifies for that address.
 */
import { createHmac, randomBytes } from 'node:crypto';

export class ConnectionIds {
  private readonly secret: Uint8Array;

  constructor(
    secret: Uint8Array = randomBytes(32),
    private readonly bucketMs = 60_000,
  ) {
    this.secret = secret;
  }

  issue(host: string, port: number, now: number): bigint {
    return this.idFor(host, port, Math.floor(now / this.bucketMs));
  }

  verify(id: bigint, host: string, port: number, now: number): boolean {
    const bucket = Math.floor(now / this.bucketMs);
    return id === this.idFor(host, port, bucket) || id === this.idFor(host, port, bucket - 1);
  }

  private idFor(host: string, port: number, bucket: number): bigint {
    const mac = createHmac('sha256', this.secret).update(`${bucket}|${port}|${host.toLowerCase()}`).digest();
    return mac.readBigUInt64BE(0);
  }
}
