/**
 * HTTP front end (BEP 3, 23, 48): /announce, /scrape and a stats page at /.
 * Tracker-level failures are HTTP 200 with a bencoded `failure reason` (what clients parse);
 * oversized URLs and bodies get 414/413 and the connection closed. Keep-alive is on.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bencode, latin1, type BEncodable } from '../src/codec/bencode.ts';
import { isRingswarmError } from '../src/errors.ts';
import { ipFamily, unmapIPv4 } from '../src/naming/endpoint.ts';
import { serveHttp } from '../src/net/duplex.ts';
import type { HostThrottle } from '../src/net/throttle.ts';
import { fromHex, parseAnnounceQuery, parseScrapeQuery, toHex } from './announce-params.ts';
import type { TrackerCore } from './core.ts';
import { compactPeers } from './swarm.ts';

export interface HttpFrontOptions {
  /** Longest request target accepted (path + query). A real announce is ~300 bytes. */
  maxUrlLength: number;
  /** Request bodies are never needed; anything beyond this closes the connection. */
  maxBodyBytes: number;
  /** Believe the `ip` parameter (only sensible behind a proxy or in a lab). */
  trustIpParam: boolean;
  /** A scrape without info_hash returns at most this many swarms. */
  maxFullScrape: number;
}

export const DEFAULT_HTTP_OPTIONS: HttpFrontOptions = {
  maxUrlLength: 4096,
  maxBodyBytes: 16 * 1024,
  trustIpParam: false,
  maxFullScrape: 1000,
};

export class HttpFront {
  readonly server: Server;
  private readonly options: HttpFrontOptions;

  private throttled: { close: () => Promise<void> } | undefined;

  constructor(
    private readonly core: TrackerCore,
    options: Partial<HttpFrontOptions> = {},
    /** The tracker host's throttle (lab); undefined = a plain listener. */
    private readonly throttle?: HostThrottle,
  ) {
    this.options = { ...DEFAULT_HTTP_OPTIONS, ...options };
    this.server = createServer({ maxHeaderSize: 16 * 1024, requestTimeout: 15_000, headersTimeout: 10_000, keepAliveTimeout: 30_000 }, (req, res) => {
      this.handle(req, res).catch(() => {
        if (!res.headersSent) send(res, 500, 'text/plain', 'internal error\n');
      });
    });
    // Malformed HTTP (bad headers, over-long lines): answer 400 if we still can, drop the socket.
    // Headers over maxHeaderSize (16 KiB, request line included) get 431 with a failure reason.
    this.server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
      if (!socket.writable) return void socket.destroy();
      if (err.code === 'HPE_HEADER_OVERFLOW') {
        const body = bencode({ 'failure reason': 'request headers too large' });
        socket.write(`HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\n\r\n`);
        socket.end(body);
      } else {
        socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      }
    });
  }

  async listen(port: number, host: string): Promise<number> {
    if (this.throttle) {
      const bound = await serveHttp(this.server, { throttle: this.throttle, host, port });
      this.throttled = bound;
      return bound.port;
    }
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve((this.server.address() as AddressInfo).port);
      });
    });
  }

  close(): Promise<void> {
    if (this.throttled) return this.throttled.close();
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    if (url.length > this.options.maxUrlLength) {
      res.setHeader('Connection', 'close');
      sendFailure(res, `request target over ${this.options.maxUrlLength} bytes`, 414);
      req.resume();
      return;
    }
    if (!(await this.drainBody(req, res))) return;
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const query = q < 0 ? '' : url.slice(q + 1);
    if (path === '/announce' || path === '/announce.php') return this.announce(req, res, query);
    if (path === '/scrape' || path === '/scrape.php') return this.scrape(res, query);
    if (path === '/' || path === '/stats') return this.stats(res);
    send(res, 404, 'text/plain', 'not found\n');
  }

  /** Read and discard any body; false (and the connection closed) when it is too big. */
  private drainBody(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const max = this.options.maxBodyBytes;
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > max) {
      res.setHeader('Connection', 'close');
      sendFailure(res, `request body over ${max} bytes`, 413);
      req.destroy();
      return Promise.resolve(false);
    }
    if (req.readableEnded) return Promise.resolve(true);
    return new Promise((resolve) => {
      let seen = 0;
      req.on('data', (chunk: Buffer) => {
        seen += chunk.length;
        if (seen > max) {
          res.setHeader('Connection', 'close');
          sendFailure(res, `request body over ${max} bytes`, 413);
          req.destroy();
          resolve(false);
        }
      });
      req.on('end', () => resolve(true));
      req.on('error', () => resolve(false));
    });
  }

  private async announce(req: IncomingMessage, res: ServerResponse, query: string): Promise<void> {
    const table = this.core.table;
    let p;
    try {
      p = parseAnnounceQuery(query, table.options.maxNumwant);
    } catch (e) {
      return sendFailure(res, isRingswarmError(e) ? e.message : 'bad request');
    }
    const source = unmapIPv4(req.socket.remoteAddress ?? '');
    const host = this.options.trustIpParam && p.ip ? unmapIPv4(p.ip) : source;
    if (ipFamily(host) === 0) return sendFailure(res, 'cannot determine your address');
    const result = await this.core.announce({
      infoHash: toHex(p.infoHash),
      peerId: toHex(p.peerId),
      host,
      port: p.port,
      left: p.left,
      event: p.event,
      numwant: p.numwant ?? table.options.defaultNumwant,
    });
    const body: Record<string, BEncodable> = {
      complete: result.complete,
      incomplete: result.incomplete,
      interval: result.interval,
      'min interval': result.minInterval,
    };
    if (p.compact) {
      body.peers = compactPeers(result.peers, 4);
      const v6 = compactPeers(result.peers, 6);
      if (v6.length > 0) body.peers6 = v6;
    } else {
      body.peers = result.peers.map((peer) => {
        const d: Record<string, BEncodable> = { ip: peer.host, port: peer.port };
        if (!p.noPeerId) d['peer id'] = fromHex(peer.peerId);
        return d;
      });
    }
    send(res, 200, 'text/plain', bencode(body));
  }

  private scrape(res: ServerResponse, query: string): void {
    let hashes: string[];
    try {
      hashes = parseScrapeQuery(query).map(toHex);
    } catch (e) {
      return sendFailure(res, isRingswarmError(e) ? e.message : 'bad request');
    }
    // BEP 48 leaves "no info_hash" to the tracker: we return up to maxFullScrape swarms.
    if (hashes.length === 0) hashes = this.core.table.infoHashes().slice(0, this.options.maxFullScrape);
    const files = new Map<string, BEncodable>();
    for (const ih of hashes.sort()) {
      const s = this.core.scrape(ih);
      files.set(latin1(fromHex(ih)), { complete: s.complete, downloaded: s.downloaded, incomplete: s.incomplete });
    }
    send(res, 200, 'text/plain', bencode({ files }));
  }

  private stats(res: ServerResponse): void {
    const rows = this.core.table
      .infoHashes()
      .slice(0, 1000)
      .map((ih) => ({ ih, ...this.core.scrape(ih) }))
      .sort((a, b) => b.complete + b.incomplete - (a.complete + a.incomplete))
      .map((r) => `<tr><td><code>${r.ih}</code></td><td>${r.complete}</td><td>${r.incomplete}</td><td>${r.downloaded}</td></tr>`)
      .join('\n');
    const t = this.core.table;
    const html = `<!doctype html><html><head><meta charset="utf-8"><title>ringswarm tracker</title>
<style>body{font-family:sans-serif}td,th{padding:2px 10px;text-align:right}td:first-child{text-align:left}</style></head>
<body><h1>ringswarm tracker</h1><p>${t.swarmCount} swarms, ${t.peerCount} peers, announce interval ${t.options.interval} s</p>
<table><tr><th>infohash</th><th>seeds</th><th>leechers</th><th>completed</th></tr>
${rows}
</table></body></html>
`;
    send(res, 200, 'text/html; charset=utf-8', html);
  }
}

function send(res: ServerResponse, status: number, type: string, body: string | Uint8Array): void {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': typeof body === 'string' ? Buffer.byteLength(body) : body.length });
  res.end(body);
}

function sendFailure(res: ServerResponse, reason: string, status = 200): void {
  if (res.headersSent) return;
  send(res, status, 'text/plain', bencode({ 'failure reason': reason }));
}
