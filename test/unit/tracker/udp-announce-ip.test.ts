import { describe, expect, it } from 'vitest';
import { ipv4Number } from '../../../tracker/udp-announce.ts';

describe("BEP 15's IP field", () => {
  it('is the IPv4 address as a 32-bit number, 0 ("the sender\'s") for anything else', () => {
    expect(ipv4Number('127.1.0.9')).toBe((127 << 24 >>> 0) + (1 << 16) + 9);
    expect(ipv4Number('255.255.255.255')).toBe(0xffffffff);
    for (const bad of [undefined, '', '::1', '1.2.3', '1.2.3.256', '1.2.3.-1', 'a.b.c.d', '1.2.3.4.5']) expect(ipv4Number(bad)).toBe(0);
  });
});
