import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bencode, bkey, latin1, rawSpan, type BEncodable } from '../../../src/codec/bencode.ts';
import { choosePieceLength, parseInfoDict, parseSize, parseTorrent, MAX_PIECE_LENGTH, MIN_PIECE_LENGTH } from '../../../src/codec/metainfo.ts';
import { MetainfoError } from '../../../src/errors.ts';

const sha1 = (b: Uint8Array): Buffer => createHash('sha1').update(b).digest();
const hashes = (n: number): Uint8Array => new Uint8Array(20 * n).map((_, i) => i % 251);

function torrent(info: Record<string, BEncodable | undefined>, top: Record<string, BEncodable | undefined> = {}): Uint8Array {
  return bencode({ announce: 'http://127.0.0.1:6969/announce', ...top, info });
}

const single = (over: Record<string, BEncodable | undefined> = {}): Record<string, BEncodable | undefined> => ({
  name: 'file.bin',
  'piece length': 16384,
  pieces: hashes(3),
  length: 40000,
  ...over,
});

const multi = (files: BEncodable[], over: Record<string, BEncodable | undefined> = {}): Record<string, BEncodable | undefined> => ({
  name: 'dir',
  'piece length': 16384,
  pieces: hashes(2),
  files,
  ...over,
});

function expectMetainfoError(buf: Uint8Array, pattern?: RegExp): void {
  let err: unknown;
  try {
    parseTorrent(buf);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(MetainfoError);
  if (pattern) expect((err as Error).message).toMatch(pattern);
}

describe('parseTorrent', () => {
  it('parses a single-file torrent', () => {
    const buf = torrent(single({ private: 1 }), { comment: 'hello', 'created by': 'test', 'creation date': 1700000000 });
    const m = parseTorrent(buf);
    expect(m.name).toBe('file.bin');
    expect(m.multiFile).toBe(false);
    expect(m.files).toEqual([{ path: ['file.bin'], length: 40000, offset: 0 }]);
    expect(m.length).toBe(40000);
    expect(m.pieceLength).toBe(16384);
    expect(m.pieceCount).toBe(3);
    expect(m.pieceHash(1)).toEqual(hashes(3).subarray(20, 40));
    expect(() => m.pieceHash(3)).toThrow(MetainfoError);
    expect(m.private).toBe(true);
    expect(m.announce).toBe('http://127.0.0.1:6969/announce');
    expect(m.announceList).toEqual([['http://127.0.0.1:6969/announce']]);
    expect(m.comment).toBe('hello');
    expect(m.createdBy).toBe('test');
    expect(m.creationDate).toBe(1700000000);
    expect(m.urlList).toEqual([]);
    expect(Buffer.from(m.infoHash)).toEqual(sha1(rawSpan(buf, ['info'])!));
    expect(m.infoHashHex).toBe(sha1(m.infoBytes).toString('hex'));
  });

  it('parses a multi-file torrent with offsets and name-prefixed paths', () => {
    const m = parseTorrent(torrent(multi([
      { length: 10000, path: ['a.txt'] },
      { length: 0, path: ['empty'] },
      { length: 12000, path: ['sub', 'b.txt'] },
    ])));
    expect(m.multiFile).toBe(true);
    expect(m.files).toEqual([
      { path: ['dir', 'a.txt'], length: 10000, offset: 0 },
      { path: ['dir', 'empty'], length: 0, offset: 10000 },
      { path: ['dir', 'sub', 'b.txt'], length: 12000, offset: 10000 },
    ]);
    expect(m.length).toBe(22000);
    expect(m.private).toBe(false);
  });

  it('marks BEP 47 padding files', () => {
    const m = parseTorrent(torrent(multi([
      { length: 100, path: ['a'] },
      { length: 16284, path: ['.pad', '16284'], attr: 'p' },
      { length: 100, path: ['b'], attr: 'x' },
    ])));
    expect(m.files.map((f) => f.pad ?? false)).toEqual([false, true, false]);
  });

  it('prefers name.utf-8 and path.utf-8', () => {
    const info = multi([{ length: 20000, path: ['legacy'], [bkey('path.utf-8')]: ['ünï'] }], { 'name.utf-8': 'naïve' });
    const m = parseTorrent(torrent(info));
    expect(m.name).toBe('naïve');
    expect(m.files[0]!.path).toEqual(['naïve', 'ünï']);
  });

  it('keeps the infohash of info dicts with unsorted keys (byte-exact)', () => {
    const info = new Map<string, BEncodable>([['name', 'x'], ['length', 5], ['pieces', hashes(1)], ['piece length', 16384]]);
    const buf = bencode(new Map<string, BEncodable>([['info', info]]));
    const m = parseTorrent(buf);
    expect(latin1(m.infoBytes)).toBe(latin1(bencode(info)));
    expect(Buffer.from(m.infoHash)).toEqual(sha1(bencode(info)));
    expect(Buffer.from(m.infoHash)).not.toEqual(sha1(bencode(info, { canonical: true })));
  });

  it('reads announce-list tiers, skipping empty ones, and url-list in both forms', () => {
    const m = parseTorrent(torrent(single(), {
      'announce-list': [['http://a/1', 'http://a/2'], [], ['udp://b:1'], [5 as BEncodable]],
      'url-list': 'http://seed/',
    }));
    expect(m.announceList).toEqual([['http://a/1', 'http://a/2'], ['udp://b:1']]);
    expect(parseTorrent(torrent(single(), { 'url-list': ['http://s1/', 'http://s2/'] })).urlList).toEqual(['http://s1/', 'http://s2/']);
    expect(parseTorrent(torrent(single(), { announce: undefined })).announceList).toEqual([]);
  });

  it('ignores wrongly typed cosmetic fields', () => {
    const m = parseTorrent(torrent(single(), { comment: 5, 'creation date': 'yesterday', 'announce-list': 'x' }));
    expect(m.comment).toBeUndefined();
    expect(m.creationDate).toBeUndefined();
  });

  it.each<[string, Uint8Array, RegExp]>([
    ['not a dict', bencode([1]), /expected dict/],
    ['no info', bencode({ announce: 'x' }), /no 'info'/],
    ['info not a dict', bencode({ info: 'x' }), /no 'info'/],
    ['trailing bytes', new Uint8Array([...torrent(single()), 0x20]), /trailing/],
    ['zero piece length', torrent(single({ 'piece length': 0 })), /piece length 0/],
    ['negative piece length', torrent(single({ 'piece length': -16384 })), /piece length/],
    ['huge piece length', torrent(single({ 'piece length': 2 ** 40 })), /piece length/],
    ['too few piece hashes', torrent(single({ pieces: hashes(2) })), /piece hashes/],
    ['too many piece hashes', torrent(single({ pieces: hashes(4) })), /piece hashes/],
    ['pieces not multiple of 20', torrent(single({ pieces: new Uint8Array(59) })), /multiple of 20/],
    ['missing length', torrent(single({ length: undefined })), /missing length/],
    ['negative length', torrent(single({ length: -1 })), /negative/],
    ['bigint length', torrent(single({ length: 2n ** 60n })), /safe range/],
    ['length and files', torrent(multi([{ length: 20000, path: ['a'] }], { length: 20000 })), /both/],
    ['empty files', torrent(multi([])), /empty files/],
    ['zero total', torrent(single({ length: 0, pieces: new Uint8Array(0) })), /no data/],
    ['v2 only', torrent({ name: 'x', 'piece length': 16384, 'meta version': 2, 'file tree': {} }), /v2-only/],
    ['path with ..', torrent(multi([{ length: 20000, path: ['..', 'etc'] }])), /not allowed/],
    ['absolute path', torrent(multi([{ length: 20000, path: ['/etc/passwd'] }])), /separator/],
    ['empty component', torrent(multi([{ length: 20000, path: ['a', ''] }])), /empty/],
    ['empty path', torrent(multi([{ length: 20000, path: [] }])), /empty path/],
    ['NUL in path', torrent(multi([{ length: 20000, path: ['a\0b'] }])), /NUL/],
    ['backslash in path', torrent(multi([{ length: 20000, path: ['..\\x'] }])), /separator/],
    ['drive letter', torrent(multi([{ length: 20000, path: ['C:', 'x'] }])), /drive/],
    ['name ..', torrent(single({ name: '..' })), /not allowed/],
    ['name with slash', torrent(single({ name: 'a/b' })), /separator/],
    ['path not a list', torrent(multi([{ length: 20000, path: 'a' }])), /expected list/],
  ])('rejects %s', (_name, buf, pattern) => {
    expectMetainfoError(buf, pattern);
  });

  it('parseInfoDict gives the same infohash and files as parseTorrent', () => {
    const buf = torrent(multi([{ length: 20000, path: ['a'] }]));
    const full = parseTorrent(buf);
    const info = parseInfoDict(rawSpan(buf, ['info'])!);
    expect(info.infoHashHex).toBe(full.infoHashHex);
    expect(info.files).toEqual(full.files);
    expect(() => parseInfoDict(new Uint8Array([0x64]))).toThrow(MetainfoError);
  });

  it('fuzz: random bytes throw only MetainfoError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (b) => {
        expect(() => parseTorrent(b)).toThrow(MetainfoError);
      }),
      { numRuns: 2000 },
    );
  });

  it('fuzz: mutated valid torrents parse or throw MetainfoError', () => {
    const bases = [
      torrent(single(), { 'announce-list': [['http://a/'], ['http://b/']], comment: 'c' }),
      torrent(multi([{ length: 10000, path: ['a'] }, { length: 100, path: ['p'], attr: 'p' }, { length: 12000, path: ['s', 'b'] }])),
    ];
    const mutation = fc.tuple(fc.constantFrom('flip', 'insert', 'delete'), fc.nat(), fc.integer({ min: 0, max: 255 }));
    fc.assert(
      fc.property(fc.constantFrom(...bases), fc.array(mutation, { minLength: 1, maxLength: 4 }), (base, muts) => {
        const b = Array.from(base);
        for (const [kind, at, byte] of muts) {
          const i = at % (b.length + 1);
          if (kind === 'flip' && i < b.length) b[i] = byte;
          else if (kind === 'insert') b.splice(i, 0, byte);
          else if (kind === 'delete') b.splice(i, 1);
        }
        try {
          const m = parseTorrent(Uint8Array.from(b));
          expect(m.pieceHashes.length).toBe(m.pieceCount * 20);
          expect(m.files.reduce((n, f) => n + f.length, 0)).toBe(m.length);
        } catch (e) {
          expect(e).toBeInstanceOf(MetainfoError);
        }

      }),
      { numRuns: 3000 },
    );
  });
});

describe('choosePieceLength', () => {
  it('is a power of two within 16 KiB..16 MiB aiming at ≤2000 pieces', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 45 }), (total) => {
        const p = choosePieceLength(total);
        expect(p & (p - 1)).toBe(0);
        expect(p).toBeGreaterThanOrEqual(MIN_PIECE_LENGTH);
        expect(p).toBeLessThanOrEqual(MAX_PIECE_LENGTH);
        if (p < MAX_PIECE_LENGTH) expect(Math.ceil(total / p)).toBeLessThanOrEqual(2000);
        if (p > MIN_PIECE_LENGTH) expect(total / p).toBeGreaterThan(1000);
      }),
    );
    expect(choosePieceLength(1)).toBe(16384);
    expect(choosePieceLength(1024 ** 3)).toBe(1024 * 1024);
    expect(choosePieceLength(2 ** 50)).toBe(MAX_PIECE_LENGTH);
  });

  it('parseSize accepts 256K, 1M, 1MiB and plain numbers', () => {
    expect(parseSize('262144')).toBe(262144);
    expect(parseSize('256K')).toBe(262144);
    expect(parseSize('256kb')).toBe(262144);
    expect(parseSize('1M')).toBe(1048576);
    expect(parseSize('1MiB')).toBe(1048576);
    expect(parseSize('1.5M')).toBeUndefined();
    expect(parseSize('lots')).toBeUndefined();
  });
});
