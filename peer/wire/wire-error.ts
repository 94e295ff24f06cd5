/**
 * A peer broke the wire protocol. Still a ProtocolError (code 'PROTOCOL') so generic handlers keep
 * working; `reason` is a stable tag the session uses to decide between dropping and banning.
 */
import { ProtocolError } from '../../src/errors.ts';

export type WireErrorReason =
  | 'handshake' // wrong protocol string or malformed handshake
  | 'info-hash' // a torrent we do not serve, or not the one we dialled
  | 'peer-id' // not the peer id we expected, or ourselves
  | 'bad-length' // a message whose length does not fit its type
  | 'bad-request' // request/cancel of zero bytes or more than the block limit
  | 'bad-index' // a piece index outside the torrent
  | 'bitfield' // wrong size, spare bits set, or sent twice / late
  | 'extension'; // malformed extension handshake

export class WireError extends ProtocolError {
  readonly reason: WireErrorReason;
  constructor(reason: WireErrorReason, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.reason = reason;
  }
}
