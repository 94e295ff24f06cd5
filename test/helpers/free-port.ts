/**
 * A TCP (and UDP) port that is free right now, for third-party clients that need a listen port
 * on their command line (aria2c). Chosen below the kernel's ephemeral range (32768–60999 by
 * default), so our own outgoing connections cannot take it between the check and the client's
 * bind — the collision that random ports in 40000–60000 ran into.
 */
import { randomInt } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';

function tcpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen({ port, host: '0.0.0.0', exclusive: true }, () => s.close(() => resolve(true)));
  });
}

function udpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    s.once('error', () => resolve(false));
    s.bind(port, '0.0.0.0', () => s.close(() => resolve(true)));
  });
}

export async function freePort(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = randomInt(20_000, 32_000);
    if ((await tcpFree(port)) && (await udpFree(port))) return port;
  }
  throw new Error('no free port found in 20000–32000');
}
