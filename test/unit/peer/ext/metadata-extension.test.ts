import { describe, expect, it } from 'vitest';
import { sha1 } from '../../../../src/codec/metainfo.ts';
import { ProtocolError } from '../../../../src/errors.ts';
import { MetadataExtension } from '../../../../peer/ext/metadata-extension.ts';
import type { ExtensionPeer } from '../../../../peer/ext/types.ts';
import { METADATA_PIECE_SIZE, decodeMetadataMessage, encodeMetadataMessage, serveMetadataRequest } from '../../../../peer/ext/ut-metadata.ts';
import type { DecodedExtensionHandshake } from '../../../../peer/wire/extension.ts';

/** A peer that answers ut_metadata requests from `info` synchronously. */
class Peer implements ExtensionPeer {
  remoteExtensionHandshake: DecodedExtensionHandshake | undefined;
  closedWith: Error | undefined;
  sent: Uint8Array[] = [];
  ext: MetadataExtension | undefined;
  constructor(private readonly info: Uint8Array | undefined) {}
  extended(_name: string, payload: Uint8Array): boolean {
    this.sent.push(payload);
    const m = decodeMetadataMessage(payload);
    if (m.type === 'request' && this.ext && !this.closedWith) this.ext.onMessage(this, encodeMetadataMessage(serveMetadataRequest(this.info, m.piece)));
    return true;
  }
  close(reason?: Error): void {
    this.closedWith = reason;
    this.ext?.onClose(this);
  }
}

const hs = (size?: number): DecodedExtensionHandshake => ({ m: new Map([['ut_metadata', 1]]), raw: new Map(), ...(size === undefined ? {} : { metadataSize: size }) });
const info = Uint8Array.from({ length: 2 * METADATA_PIECE_SIZE + 7 }, (_, i) => (i * 7) & 0xff);
const remote = { host: '127.0.0.1', port: 1 };

describe('MetadataExtension', () => {
  it('fetches from a peer that advertises metadata_size', () => {
    const x = new MetadataExtension({ infoHash: sha1(info) });
    let got: Uint8Array | undefined;
    x.on('metadata', (b) => (got = b));
    const p = new Peer(info);
    p.ext = x;
    x.onExtensionHandshake(p, remote, hs(info.length));
    expect(got && Buffer.from(got).equals(info)).toBe(true);
    expect(x.handshakeFields()).toEqual({ metadataSize: info.length });
  });

  it('probes a peer that offers ut_metadata without metadata_size', () => {
    const x = new MetadataExtension({ infoHash: sha1(info) });
    const p = new Peer(info);
    p.ext = x;
    x.onExtensionHandshake(p, remote, hs());
    expect(x.info && Buffer.from(x.info).equals(info)).toBe(true);
  });

  it('drops a lying peer with a ProtocolError and completes from an honest one', () => {
    const x = new MetadataExtension({ infoHash: sha1(info) });
    const bad: string[] = [];
    x.on('bad-peer', (r) => bad.push(r));
    const liar = new Peer(info.map((b) => b ^ 1));
    liar.ext = x;
    x.onExtensionHandshake(liar, remote, hs(info.length));
    expect(liar.closedWith).toBeInstanceOf(ProtocolError);
    expect(x.info).toBeUndefined();
    const honest = new Peer(info);
    honest.ext = x;
    x.onExtensionHandshake(honest, remote, hs(info.length));
    expect(x.info && Buffer.from(x.info).equals(info)).toBe(true);
    expect(honest.closedWith).toBeUndefined();
    expect(bad.length).toBe(1);
  });

  it('serves its own info and rejects when it has none; closes peers that send garbage', () => {
    const seeding = new MetadataExtension({ infoHash: sha1(info), info });
    const p = new Peer(undefined);
    seeding.onMessage(p, encodeMetadataMessage({ type: 'request', piece: 2 }));
    const m = decodeMetadataMessage(p.sent[0]!);
    expect(m.type === 'data' && m.data.length).toBe(7);
    const empty = new MetadataExtension({ infoHash: sha1(info) });
    const q = new Peer(undefined);
    empty.onMessage(q, encodeMetadataMessage({ type: 'request', piece: 0 }));
    expect(decodeMetadataMessage(q.sent[0]!)).toEqual({ type: 'reject', piece: 0 });
    empty.onMessage(q, new Uint8Array([1, 2, 3]));
    expect(q.closedWith).toBeInstanceOf(ProtocolError);
  });
});
