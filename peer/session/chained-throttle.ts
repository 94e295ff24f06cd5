/**
 * Throttles chained per connection: the host's group (every socket of this host) and, once the
 * handshake names the torrent, that torrent's group. An incoming connection is accepted before
 * we know its torrent, so the torrent link is set late; Connection asks `unlimited` and
 * `request` on every chunk, so the change takes effect at once.
 */
import { ThrottleGroup, type HostThrottle } from '../../src/net/throttle.ts';

export class ChainedGroup extends ThrottleGroup {
  private readonly host: ThrottleGroup;
  /** The torrent's group, when known. */
  extra: ThrottleGroup | undefined;

  constructor(host: ThrottleGroup, extra?: ThrottleGroup) {
    super({ rate: Infinity });
    this.host = host;
    this.extra = extra;
  }

  override get unlimited(): boolean {
    return this.host.unlimited && (this.extra?.unlimited ?? true);
  }

  override get rate(): number {
    return Math.min(this.host.rate, this.extra?.rate ?? Infinity);
  }

  /** Tokens from the torrent's group first, then the host's: both caps hold. */
  override async request(bytes: number, signal?: AbortSignal): Promise<void> {
    const extra = this.extra;
    if (extra && !extra.unlimited) await extra.request(bytes, signal);
    await this.host.request(bytes, signal);
  }
}

export interface ConnectionThrottle extends HostThrottle {
  up: ChainedGroup;
  down: ChainedGroup;
  /** Link to a torrent's groups (after the handshake). */
  attach(torrent: HostThrottle): void;
}

export function connectionThrottle(host: HostThrottle, torrent?: HostThrottle): ConnectionThrottle {
  const up = new ChainedGroup(host.up, torrent?.up);
  const down = new ChainedGroup(host.down, torrent?.down);
  return {
    up,
    down,
    attach(t) {
      up.extra = t.up;
      down.extra = t.down;
    },
  };
}
