import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { clientName, generatePeerId, peerIdPrefix } from '../../../../peer/wire/peer-id.ts';
import { seededRandom } from '../../../../src/random.ts';

const id = (prefix: string): Uint8Array => {
  const b = new Uint8Array(20).fill(0x7a);
  b.set(Buffer.from(prefix, 'latin1'));
  return b;
};

describe('peer id', () => {
  it('is -RS0100- plus 12 random bytes', () => {
    const a = generatePeerId(seededRandom(1));
    const b = generatePeerId(seededRandom(2));
    expect(a.length).toBe(20);
    expect(Buffer.from(a.subarray(0, 8)).toString('latin1')).toBe('-RS0100-');
    expect(a.subarray(8)).not.toEqual(b.subarray(8));
    expect(peerIdPrefix('2.10.3')).toBe('-RS2A30-');
    expect(clientName(a)).toBe('ringswarm 0.1.0');
  });

  it.each([
    ['-LT2080-', 'libtorrent (Rasterbar) 2.0.8'],
    ['-LT20A0-', 'libtorrent (Rasterbar) 2.0.10'],
    ['-lt0D80-', 'libTorrent (Rakshasa) 0.13.8'],
    ['A2-1-36-0-', 'aria2 1.36.0'],
    ['-TR3000-', 'Transmission 3.00'],
    ['-TR2940-', 'Transmission 2.94'],
    ['-TR4060-', 'Transmission 4.0.6'],
    ['-qB4520-', 'qBittorrent 4.5.2'],
    ['-UT3550-', 'µTorrent 3.5.5'],
    ['-DE13F0-', 'Deluge 1.3.15'],
    ['-ZZ1234-', 'ZZ 1.2.3.4'],
    ['M7-4-3--', 'Mainline 7.4.3'],
    ['T03I--', 'BitTornado 0.3.18'],
    ['S58B-----', 'Shadow 5.8.11'],
  ])('%s is %s', (prefix, name) => {
    expect(clientName(id(prefix))).toBe(name);
  });

  it('says unknown for unrecognised ids and never throws', () => {
    expect(clientName(new Uint8Array(20))).toBe('unknown');
    expect(clientName(id('hello world'))).toBe('unknown');
    fc.assert(fc.property(fc.uint8Array({ maxLength: 20 }), (b) => typeof clientName(b) === 'string'));
  });
});
