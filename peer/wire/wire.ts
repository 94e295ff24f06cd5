/**
 * One peer connection speaking the wire protocol: handshake in both directions, then typed
 * events per message, send methods, keep-alives, an idle timeout, byte counters and the four
 * choke/interest flags. A thin shell: parsing lives in handshake.ts, decoder.ts and
 * extension.ts; this file only owns the timers and the connection.
 *
 * Runs over src/net's Connection (so host throttles apply) or anything with the same small
 * surface (WireConnection), which keeps it testable over an in-memory pair.
 */
import { EventEmitter } from 'node:events';
import { TimeoutError } from '../../src/errors.ts';
import { parseIPv4 } from '../../src/naming/endpoint.ts';
import { CLIENT_NAME } from '../../src/version.ts';
import { MessageDecoder } from './decoder.ts';
import {
  EXTENSION_HANDSHAKE_ID,
  ExtensionRegistry,
  RemoteExtensions,
  decodeExtensionHandshake,
  encodeExtensionHandshake,
  type DecodedExtensionHandshake,
  type ExtensionHandshake,
} from './extension.ts';
import { HandshakeReader, capabilities, encodeHandshake, reservedBytes } from './handshake.ts';
import { encodeParts, type BlockRef, type Message } from './messages.ts';
import { clientName } from './peer-id.ts';
import { WireError } from './wire-error.ts';
import type { PeerHandshakeInfo, WireConnection, WireEvents, WireOptions } from './wire-types.ts';

export type { InfoHashDecision, PeerHandshakeInfo, WireConnection, WireEvents, WireOptions } from './wire-types.ts';

type Stage = 'new' | 'handshaking' | 'open' | 'closed';

const MINUTE = 60_000;

export class Wire extends EventEmitter<WireEvents> {
  amChoking = true;
  amInterested = false;
  peerChoking = true;
  peerInterested = false;
  /** Every byte in and out, framing included. */
  bytesIn = 0;
  bytesOut = 0;
  /** Piece block bytes only (what the swarm counts as transfer). */
  dataIn = 0;
  dataOut = 0;
  /** Bytes handed to the connection and not yet accepted by the socket (upload backpressure). */
  queuedBytes = 0;
  peer: PeerHandshakeInfo | undefined;
  remoteExtensionHandshake: DecodedExtensionHandshake | undefined;
  readonly remoteExtensions = new RemoteExtensions();
  closeReason: Error | undefined;

  private stage: Stage = 'new';
  private readonly conn: WireConnection;
  private readonly o: WireOptions;
  private readonly now: () => number;
  private readonly registry: ExtensionRegistry;
  private readonly reader = new HandshakeReader();
  private decoder: MessageDecoder;
  private infoHash: Uint8Array | undefined;
  private metadataSize: number | undefined;
  private sentHandshake = false;
  private seenHaveOrBitfield = false;
  private startedAt = 0;
  private lastMessageAt = 0;
  private lastSentAt = 0;
  private timer: ReturnType<typeof setInterval> | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(conn: WireConnection, options: WireOptions) {
    super();
    if (options.peerId.length !== 20) throw new RangeError('peer id must be 20 bytes');
    if ((options.infoHash === undefined) === (options.acceptInfoHash === undefined)) {
      throw new RangeError('give infoHash (outgoing) or acceptInfoHash (incoming), not both');
    }
    this.conn = conn;
    this.o = options;
    this.now = options.now ?? Date.now;
    this.registry = options.extensions ?? new ExtensionRegistry();
    this.infoHash = options.infoHash;
    this.metadataSize = options.extensionHandshake?.metadataSize;
    this.decoder = this.newDecoder(options.pieceCount);
  }

  get outgoing(): boolean {
    return this.o.infoHash !== undefined;
  }

  get isOpen(): boolean {
    return this.stage === 'open';
  }

  get closed(): boolean {
    return this.stage === 'closed';
  }

  /** Begin: subscribe to the connection and, when dialling, send our handshake. Idempotent. */
  start(): this {
    if (this.stage !== 'new') return this;
    this.stage = 'handshaking';
    this.startedAt = this.lastMessageAt = this.lastSentAt = this.now();
    this.unsubscribe = this.conn.onData((chunk) => this.onData(chunk));
    this.conn.once('close', (err) => this.finish(err));
    if (this.outgoing) this.sendHandshake();
    const ticks = [this.o.keepAliveMs ?? 2 * MINUTE, this.o.idleTimeoutMs ?? 3 * MINUTE, this.o.handshakeTimeoutMs ?? 20_000];
    this.timer = setInterval(() => this.tick(), Math.max(10, Math.min(...ticks) / 4));
    this.timer.unref?.();
    return this;
  }

  /** Close the connection (idempotent). A reason marks it as a drop, e.g. a WireError. */
  close(reason?: Error): void {
    if (this.stage === 'closed') return;
    this.conn.close(reason);
    this.finish(reason);
  }

  /** Piece count learned late (metadata from a magnet link): later bitfields are checked. */
  setPieceCount(n: number): void {
    this.decoder.setPieceCount(n);
  }

  // ---- sending ----

  choke(): void {
    this.amChoking = true;
    this.send({ type: 'choke' });
  }
  unchoke(): void {
    this.amChoking = false;
    this.send({ type: 'unchoke' });
  }
  interested(): void {
    this.amInterested = true;
    this.send({ type: 'interested' });
  }
  notInterested(): void {
    this.amInterested = false;
    this.send({ type: 'not-interested' });
  }
  have(index: number): void {
    this.send({ type: 'have', index });
  }
  bitfield(bits: Uint8Array): void {
    this.send({ type: 'bitfield', bits });
  }
  request(r: BlockRef): void {
    this.send({ type: 'request', ...r });
  }
  cancel(r: BlockRef): void {
    this.send({ type: 'cancel', ...r });
  }
  /** Header and block go out as two writes: the block is never copied. */
  piece(index: number, begin: number, block: Uint8Array): void {
    if (this.send({ type: 'piece', index, begin, block })) this.dataOut += block.length;
  }
  port(port: number): void {
    this.send({ type: 'port', port });
  }
  keepAlive(): void {
    this.send({ type: 'keep-alive' });
  }
  /** Send an extension message by name; false when the peer does not support it. */
  extended(name: string, payload: Uint8Array): boolean {
    const id = this.remoteExtensions.id(name);
    if (id === undefined) return false;
    return this.send({ type: 'extended', ext: id, payload });
  }

  private send(m: Message): boolean {
    if (this.stage === 'closed') return false;
    if (this.stage !== 'open') throw new Error(`cannot send ${m.type} before the handshake is complete`);
    for (const part of encodeParts(m)) this.write(part);
    return true;
  }

  private write(data: Uint8Array): void {
    this.lastSentAt = this.now();
    this.bytesOut += data.length;
    this.queuedBytes += data.length;
    this.conn.write(data).then(
      () => {
        this.queuedBytes -= data.length;
      },
      () => undefined, // closed: the 'close' event reports why
    );
  }

  private sendHandshake(): void {
    this.sentHandshake = true;
    const reserved = reservedBytes({ extensionProtocol: true, dht: this.o.dht ?? false });
    this.write(encodeHandshake({ reserved, infoHash: this.infoHash!, peerId: this.o.peerId }));
  }

  private sendExtensionHandshake(): void {
    const h: ExtensionHandshake = { v: CLIENT_NAME, reqq: 250, ...this.o.extensionHandshake, m: this.registry.m };
    if (this.metadataSize !== undefined) h.metadataSize = this.metadataSize;
    const ip = this.conn.remote === undefined ? null : parseIPv4(this.conn.remote.host);
    if (ip !== null && h.yourip === undefined) h.yourip = ip;
    this.send({ type: 'extended', ext: EXTENSION_HANDSHAKE_ID, payload: encodeExtensionHandshake(h) });
  }

  // ---- receiving ----

  private onData(chunk: Uint8Array): void {
    if (this.stage === 'closed') return;
    this.bytesIn += chunk.length;
    try {
      if (this.stage === 'handshaking') {
        const rest = this.readHandshake(chunk);
        if (rest === undefined || rest.length === 0) return;
        chunk = rest;
      }
      this.decoder.feed(chunk, (m) => {
        if (this.stage === 'open') this.dispatch(m); // else a listener closed us mid-chunk
      });
    } catch (e) {
      // Bad input (or a throwing listener) drops this peer, never the process.
      this.close(e instanceof Error ? e : new Error(String(e)));
    }
  }

  /** Returns the bytes after a completed handshake, or undefined while it is incomplete. */
  private readHandshake(chunk: Uint8Array): Uint8Array | undefined {
    this.reader.push(chunk);
    const header = this.reader.header();
    if (header === undefined) return undefined;
    if (!this.sentHandshake) {
      // Incoming: the infohash picks the torrent before we answer.
      const decision = this.o.acceptInfoHash!(header.infoHash);
      if (decision === false) throw new WireError('info-hash', `unknown infohash ${hex(header.infoHash)}`);
      this.infoHash = header.infoHash;
      if (decision.pieceCount !== undefined) this.decoder.setPieceCount(decision.pieceCount);
      if (decision.metadataSize !== undefined) this.metadataSize = decision.metadataSize;
      this.sendHandshake();
    } else if (!equal(header.infoHash, this.infoHash!)) {
      throw new WireError('info-hash', `peer answered for infohash ${hex(header.infoHash)}, not ${hex(this.infoHash!)}`);
    }
    const done = this.reader.result();
    if (done === undefined) return undefined;
    const { peerId, reserved } = done.handshake;
    if (equal(peerId, this.o.peerId)) throw new WireError('peer-id', 'connected to ourselves');
    if (this.o.expectedPeerId !== undefined && !equal(peerId, this.o.expectedPeerId)) {
      throw new WireError('peer-id', `peer id ${hex(peerId)} is not the expected ${hex(this.o.expectedPeerId)}`);
    }
    this.stage = 'open';
    this.lastMessageAt = this.now();
    const caps = capabilities(reserved);
    this.peer = { infoHash: this.infoHash!, peerId, capabilities: caps, client: clientName(peerId) };
    this.emit('handshake', this.peer);
    if (caps.extensionProtocol && this.isOpen) this.sendExtensionHandshake();
    return done.rest;
  }

  private dispatch(m: Message): void {
    this.lastMessageAt = this.now();
    switch (m.type) {
      case 'keep-alive':
        return void this.emit('keep-alive');
      case 'choke':
        this.peerChoking = true;
        return void this.emit('choke');
      case 'unchoke':
        this.peerChoking = false;
        return void this.emit('unchoke');
      case 'interested':
        this.peerInterested = true;
        return void this.emit('interested');
      case 'not-interested':
        this.peerInterested = false;
        return void this.emit('not-interested');
      case 'have':
        this.seenHaveOrBitfield = true;
        return void this.emit('have', m.index);
      case 'bitfield':
        // BEP 3 sends it only first, but aria2 sends it again later. Pieces are never un-had,
        // so a late bitfield is taken as a batch of HAVEs rather than a state reset or a ban.
        if (this.seenHaveOrBitfield) {
          for (let i = 0; i < m.bits.length * 8; i++) {
            if ((m.bits[i >> 3]! >> (7 - (i & 7))) & 1) this.emit('have', i);
          }
          return;
        }
        this.seenHaveOrBitfield = true;
        return void this.emit('bitfield', m.bits);
      case 'request':
        return void this.emit('request', { index: m.index, begin: m.begin, length: m.length });
      case 'cancel':
        return void this.emit('cancel', { index: m.index, begin: m.begin, length: m.length });
      case 'piece':
        this.dataIn += m.block.length;
        return void this.emit('piece', m.index, m.begin, m.block);
      case 'port':
        return void this.emit('port', m.port);
      case 'extended':
        return this.onExtended(m.ext, m.payload);
      case 'unknown':
        return; // forward compatible: skipped
    }
  }

  private onExtended(ext: number, payload: Uint8Array): void {
    if (ext === EXTENSION_HANDSHAKE_ID) {
      const h = decodeExtensionHandshake(payload);
      this.remoteExtensions.update(h.m);
      this.remoteExtensionHandshake = h;
      this.emit('extension-handshake', h);
      return;
    }
    const name = this.registry.nameOf(ext);
    if (name !== undefined) this.emit('extended', name, payload);
  }

  // ---- timers and teardown ----

  private tick(): void {
    const now = this.now();
    if (this.stage === 'handshaking') {
      const limit = this.o.handshakeTimeoutMs ?? 20_000;
      if (now - this.startedAt >= limit) this.close(new TimeoutError(`no handshake within ${limit} ms`));
      return;
    }
    if (this.stage !== 'open') return;
    const idle = this.o.idleTimeoutMs ?? 3 * MINUTE;
    if (now - this.lastMessageAt >= idle) {
      const mid = this.decoder.pending > 0 ? ' (stalled mid-message)' : '';
      this.close(new TimeoutError(`no message for ${idle} ms${mid}`));
      return;
    }
    if (now - this.lastSentAt >= (this.o.keepAliveMs ?? 2 * MINUTE)) this.keepAlive();
  }

  private finish(err: Error | undefined): void {
    if (this.stage === 'closed') return;
    this.stage = 'closed';
    this.closeReason = err;
    if (this.timer !== undefined) clearInterval(this.timer);
    this.unsubscribe?.();
    this.emit('close', err);
  }

  private newDecoder(pieceCount: number | undefined): MessageDecoder {
    const o: { pieceCount?: number; maxExtended?: number } = {};
    if (pieceCount !== undefined) o.pieceCount = pieceCount;
    if (this.o.maxExtended !== undefined) o.maxExtended = this.o.maxExtended;
    return new MessageDecoder(o);
  }
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function hex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}
