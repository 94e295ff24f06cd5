import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  ExtensionRegistry,
  RemoteExtensions,
  decodeExtensionHandshake,
  encodeExtensionHandshake,
  splitExtendedPayload,
} from '../../../../peer/wire/extension.ts';
import { WireError } from '../../../../peer/wire/wire-error.ts';
import { bencode } from '../../../../src/codec/bencode.ts';

describe('extension handshake', () => {
  it('encodes a canonical dict with the BEP 10 keys', () => {
    const b = encodeExtensionHandshake({ m: new Map([['ut_pex', 2], ['ut_metadata', 1]]), v: 'ringswarm 0.1.0', p: 6881, reqq: 250, metadataSize: 1234, yourip: new Uint8Array([127, 0, 0, 1]) });
    expect(Buffer.from(b).toString('latin1')).toBe(
      'd1:md11:ut_metadatai1e6:ut_pexi2ee13:metadata_sizei1234e1:pi6881e4:reqqi250e1:v15:ringswarm 0.1.06:yourip4:\x7f\x00\x00\x01e',
    );
  });

  it('round-trips', () => {
    const arb = fc.record(
      {
        m: fc.array(fc.tuple(fc.stringMatching(/^[a-z_]{1,12}$/), fc.integer({ min: 0, max: 255 }))).map((e) => new Map(e)),
        v: fc.string({ maxLength: 40 }),
        p: fc.integer({ min: 1, max: 65535 }),
        reqq: fc.integer({ min: 1, max: 100000 }),
        metadataSize: fc.integer({ min: 1, max: 1 << 24 }),
        yourip: fc.oneof(fc.uint8Array({ minLength: 4, maxLength: 4 }), fc.uint8Array({ minLength: 16, maxLength: 16 })),
      },
      { requiredKeys: ['m'] },
    );
    fc.assert(
      fc.property(arb, (h) => {
        const { raw, ...d } = decodeExtensionHandshake(encodeExtensionHandshake(h));
        expect(raw).toBeInstanceOf(Map);
        expect(d).toEqual(h);
      }),
    );
  });

  it('reads the example of BEP 10 and ignores items of the wrong type', () => {
    const bep = Buffer.from('d1:md11:LT_metadatai1e6:\xb5T_PEXi2ee1:pi6881e1:v13:\xc2\xb5Torrent 1.2e', 'latin1');
    const h = decodeExtensionHandshake(bep);
    expect(h.m.get('LT_metadata')).toBe(1);
    expect(h.p).toBe(6881);
    expect(h.v).toBe('µTorrent 1.2');
    const odd = decodeExtensionHandshake(bencode({ m: { a: 'x', b: 300, c: 3 }, p: 'port', reqq: -1, yourip: 'abc' }));
    expect([...odd.m]).toEqual([['c', 3]]);
    expect(odd.p).toBeUndefined();
    expect(odd.reqq).toBeUndefined();
    expect(odd.yourip).toBeUndefined();
  });

  it('refuses payloads that are not a dict, with typed errors only', () => {
    expect(() => decodeExtensionHandshake(bencode([1, 2]))).toThrow(WireError);
    expect(() => decodeExtensionHandshake(Buffer.from('d1:m'))).toThrow(WireError);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 60 }), (junk) => {
        for (const f of [decodeExtensionHandshake, splitExtendedPayload]) {
          try {
            f(junk);
          } catch (e) {
            expect(e).toBeInstanceOf(WireError);
          }
        }
      }),
    );
  });

  it('splits a BEP 9 data message into dict and trailing bytes', () => {
    const dict = bencode({ msg_type: 1, piece: 0, total_size: 5 });
    const { dict: d, rest } = splitExtendedPayload(Buffer.concat([dict, Buffer.from('hello')]));
    expect(d.get('msg_type')).toBe(1);
    expect(Buffer.from(rest).toString()).toBe('hello');
  });
});

describe('extension ids', () => {
  it('assigns stable local ids and maps them back', () => {
    const r = new ExtensionRegistry(['ut_metadata', 'ut_pex']);
    expect(r.localId('ut_metadata')).toBe(1);
    expect(r.register('ut_pex')).toBe(2);
    expect(r.register('lt_donthave')).toBe(3);
    expect(r.nameOf(2)).toBe('ut_pex');
    expect(r.nameOf(9)).toBeUndefined();
    expect([...r.m]).toEqual([['ut_metadata', 1], ['ut_pex', 2], ['lt_donthave', 3]]);
  });

  it('updates remote ids additively, 0 disabling', () => {
    const x = new RemoteExtensions();
    x.update(new Map([['ut_metadata', 3], ['ut_pex', 1]]));
    x.update(new Map([['ut_pex', 0]]));
    expect(x.id('ut_metadata')).toBe(3);
    expect(x.supports('ut_pex')).toBe(false);
    expect(x.names).toEqual(['ut_metadata']);
  });
});
