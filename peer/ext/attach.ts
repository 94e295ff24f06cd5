/**
 * Wiring of WireExtensions to live Wires, through public events only (so the session needs no
 * knowledge of what the extensions do): each extension sees the peer's extension handshake
 * (even one that arrived before we attached), its messages by name, and the close.
 */
import { parseEndpoint, type Endpoint } from '../../src/naming/endpoint.ts';
import type { DecodedExtensionHandshake } from '../wire/extension.ts';
import type { Wire } from '../wire/wire.ts';
import type { WireExtension } from './types.ts';

/** Attach extensions to one wire; `remote` is the peer's address as we reached it. */
export function attachWire(wire: Wire, remote: Endpoint, extensions: readonly WireExtension[]): void {
  const onHandshake = (h: DecodedExtensionHandshake): void => {
    for (const x of extensions) x.onExtensionHandshake(wire, remote, h);
  };
  wire.on('extension-handshake', onHandshake);
  wire.on('extended', (name, payload) => {
    for (const x of extensions) if (x.name === name) x.onMessage(wire, payload);
  });
  wire.once('close', () => {
    for (const x of extensions) x.onClose(wire);
  });
  if (wire.remoteExtensionHandshake !== undefined) onHandshake(wire.remoteExtensionHandshake);
}

/** Anything that announces its connected wires the way peer/session's Torrent does. */
export interface WireSource {
  on(event: 'wire', listener: (address: string, wire: Wire) => void): unknown;
}

/** Attach extensions to every wire a torrent connects from now on. */
export function attachExtensions(torrent: WireSource, extensions: readonly WireExtension[]): void {
  torrent.on('wire', (address, wire) => {
    let remote: Endpoint;
    try {
      remote = parseEndpoint(address);
    } catch {
      return;
    }
    attachWire(wire, remote, extensions);
  });
}
