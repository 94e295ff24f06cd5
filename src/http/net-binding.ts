/** Binds src/net's throttled Connection to the HTTP layer's ByteConn shape. */
import type { Connection } from '../net/transport.ts';
import type { ByteConn } from './conn.ts';

export function byteConn(conn: Connection): ByteConn {
  return {
    write: (data, signal) => conn.write(data, signal),
    close: (err) => conn.close(err),
    onData: (cb) => {
      conn.onData(cb);
    },
    onClose: (cb) => {
      if (conn.closed) queueMicrotask(() => cb(conn.closeError));
      else conn.once('close', cb);
    },
  };
}
