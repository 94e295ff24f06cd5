/** The types around Wire: what it runs over, its options and its events. */
import type { Endpoint } from '../../src/naming/endpoint.ts';
import type { DecodedExtensionHandshake, ExtensionHandshake, ExtensionRegistry } from './extension.ts';
import type { Capabilities } from './handshake.ts';
import type { BlockRef } from './messages.ts';

/** What Wire needs from a connection; src/net/transport.ts's Connection fits as it is. */
export interface WireConnection {
  readonly remote?: Endpoint;
  onData(fn: (chunk: Uint8Array) => void): () => void;
  /** Queue bytes in order; resolves when the socket accepted them. */
  write(data: Uint8Array): Promise<void>;
  close(err?: Error): void;
  once(event: 'close', listener: (err: Error | undefined) => void): unknown;
}

/** An incoming handshake's infohash is accepted with what is known of that torrent, or refused. */
export type InfoHashDecision = false | { pieceCount?: number; metadataSize?: number };

export interface WireOptions {
  /** Our peer id (20 bytes). */
  peerId: Uint8Array;
  /** Outgoing: the torrent we dial for; the peer must answer with the same infohash. */
  infoHash?: Uint8Array;
  /** Outgoing: the peer id the peer must have (e.g. from a tracker's non-compact list). */
  expectedPeerId?: Uint8Array;
  /** Incoming: pick the torrent by infohash, so one listening port serves many. */
  acceptInfoHash?: (infoHash: Uint8Array) => InfoHashDecision;
  pieceCount?: number;
  /** Advertise BEP 5 DHT support in the reserved bits. */
  dht?: boolean;
  /** Our extensions (shared between connections). */
  extensions?: ExtensionRegistry;
  /** Extra fields of our extension handshake; `v` defaults to the client name. */
  extensionHandshake?: Omit<ExtensionHandshake, 'm'>;
  /** Send a keep-alive after this long without sending anything (default 2 min). */
  keepAliveMs?: number;
  /** Drop the peer when no complete message arrived for this long (default 3 min). */
  idleTimeoutMs?: number;
  /** Drop the peer when the handshake is not complete after this long (default 20 s). */
  handshakeTimeoutMs?: number;
  /** Largest extended message accepted (default 1 MiB). */
  maxExtended?: number;
  now?: () => number;
}

export interface PeerHandshakeInfo {
  infoHash: Uint8Array;
  peerId: Uint8Array;
  capabilities: Capabilities;
  /** Client name decoded from the peer id (the extension handshake's `v` is better when sent). */
  client: string;
}

export interface WireEvents {
  handshake: [info: PeerHandshakeInfo];
  'extension-handshake': [h: DecodedExtensionHandshake];
  'keep-alive': [];
  choke: [];
  unchoke: [];
  interested: [];
  'not-interested': [];
  have: [index: number];
  bitfield: [bits: Uint8Array];
  request: [r: BlockRef];
  cancel: [r: BlockRef];
  /** `block` may be a view of a received chunk (never reused by the socket): copy only to pool. */
  piece: [index: number, begin: number, block: Uint8Array];
  port: [port: number];
  /** An extension message for one of our registered extensions. */
  extended: [name: string, payload: Uint8Array];
  /** Once. `reason` is undefined for an orderly close by us or EOF from the peer. */
  close: [reason: Error | undefined];
}
