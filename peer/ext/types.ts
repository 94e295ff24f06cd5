/**
 * How the session plugs BEP 10 extensions (ut_metadata, ut_pex) into its connections without
 * knowing what they do: it calls a WireExtension for each connected peer's extension handshake,
 * each extension message addressed to the extension's name, and each close. Extensions talk back
 * only through the narrow ExtensionPeer surface, which a Wire satisfies as it is.
 */
import type { Endpoint } from '../../src/naming/endpoint.ts';
import type { DecodedExtensionHandshake } from '../wire/extension.ts';

export type ExtensionName = 'ut_metadata' | 'ut_pex';

/** What an extension may do with a peer connection (peer/wire/wire.ts's Wire fits). */
export interface ExtensionPeer {
  /** Send an extension message by name; false when the peer does not support it. */
  extended(name: string, payload: Uint8Array): boolean;
  /** Drop the peer (bad input): the reason is logged and counted by the session. */
  close(reason?: Error): void;
  readonly remoteExtensionHandshake: DecodedExtensionHandshake | undefined;
  /** We dialled it (so its remote endpoint is its listen endpoint). */
  readonly outgoing?: boolean;
}

export interface WireExtension {
  readonly name: ExtensionName;
  /** Fields this extension adds to our extension handshake (ut_metadata: metadata_size). */
  handshakeFields?(): { metadataSize?: number };
  /** The peer's extension handshake arrived (it may arrive again, updating what it supports). */
  onExtensionHandshake(peer: ExtensionPeer, remote: Endpoint, h: DecodedExtensionHandshake): void;
  /** An extension message for this extension. Must not throw: bad input closes the peer. */
  onMessage(peer: ExtensionPeer, payload: Uint8Array): void;
  /** The connection closed. */
  onClose(peer: ExtensionPeer): void;
}
