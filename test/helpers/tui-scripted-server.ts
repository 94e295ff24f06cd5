/**
 * A control server fed by a scripted sequence of snapshots, for driving the TUI in tmux.
 * Usage: node --import tsx test/helpers/tui-scripted-server.ts SOCKET_PATH|auto
 * ('auto': the default path under $XDG_RUNTIME_DIR, as a real process would use).
 * Prints "ready" once listening; each line "next" on stdin advances one stage and prints
 * "stage N". Stages: 0 peer chokes us (flag d), no pieces; 1 peer unchokes us (D), half the
 * pieces; 2 all pieces, seeding, and ring node 3 has left (gone from the successor list).
 * The process calls itself a demo so it also has tracker, ring and lab sections. Commands are
 * accepted and echoed as "cmd {json}". Exits when stdin closes.
 */
import { ControlServer } from '../../src/control/server.ts';
import { bitsFrom, compactFingers, peerFlags, type PeerView, type SnapshotBody, type TorrentView } from '../../src/control/snapshot.ts';

const path = process.argv[2];
if (!path) throw new Error('usage: tui-scripted-server.ts SOCKET_PATH');

const PIECES = 40;
let stage = 0;
const started = Date.now() - 65_000;

function peer(address: string, o: Partial<PeerView>): PeerView {
  const p: PeerView = {
    address, client: 'libtorrent 2.0.9', progress: 1, downRate: 0, upRate: 0, flags: '',
    amChoking: true, amInterested: true, peerChoking: true, peerInterested: false, optimistic: false, snubbed: false, incoming: false, ...o,
  };
  return { ...p, flags: peerFlags(p) };
}

function body(): SnapshotBody {
  const haveCount = stage === 0 ? 0 : stage === 1 ? PIECES / 2 : PIECES;
  const seeder = peer('127.0.0.1:6881', stage === 0 ? {} : { peerChoking: false, downRate: 2 * 1024 * 1024, amInterested: stage < 2 });
  const leecher = peer('127.0.0.1:51413', { client: 'Transmission 4.0', progress: 0.1, incoming: true, peerInterested: true, amChoking: stage === 0, amInterested: false, upRate: stage === 0 ? 0 : 50 * 1024 });
  const t: TorrentView = {
    infoHash: 'ab'.repeat(20), name: 'scripted-file.bin', size: PIECES * 262144, progress: haveCount / PIECES,
    state: stage === 2 ? 'seeding' : 'downloading', downRate: seeder.downRate, upRate: leecher.upRate,
    downloaded: haveCount * 262144, uploaded: 0, ratio: 0, peers: 2, seeds: 1, eta: stage === 2 ? null : 30,
    pieceCount: PIECES, pieceLength: 262144,
    pieces: {
      have: bitsFrom(PIECES, (i) => i < haveCount),
      downloading: bitsFrom(PIECES, (i) => i >= haveCount && i < haveCount + 2 && stage === 1),
      availability: Uint8Array.from({ length: PIECES }, (_, i) => 1 + (i % 3)),
    },
    peerList: [seeder, leecher],
    history: { intervalMs: 1000, down: [0, 0, 1, 2, 4, 8].map((x) => x * 262144 * stage), up: [0, 1, 0, 1].map((x) => x * 51200) },
  };
  const node = (n: number) => ({ id: String(n).repeat(40), endpoint: `127.0.0.1:${7000 + n}` });
  const successors = stage === 2 ? [node(2), node(4)] : [node(2), node(3), node(4)];
  const fingers = compactFingers(Array.from({ length: 160 }, (_, i) => (i < 150 ? node(2) : i < 158 ? node(stage === 2 ? 4 : 3) : node(4))));
  return {
    process: { kind: 'demo', pid: process.pid, started },
    torrents: [t],
    tracker: {
      endpoint: 'http://127.0.0.1:6969/announce',
      announcesPerSec: 1.5,
      swarms: [{ infoHash: 'ab'.repeat(20), seeds: stage === 2 ? 2 : 1, leechers: stage === 2 ? 0 : 1, completed: stage === 2 ? 1 : 0, announcesPerSec: 1.5 }],
    },
    ring: { id: '1'.repeat(40), endpoint: '127.0.0.1:7001', predecessor: node(4), successors, fingers, records: 7, lookupsPerSec: 2, meanHops: 1.5 },
    lab: {
      scenario: 'scripted n=2',
      elapsedMs: 3000 + stage * 1000,
      boundMs: 4000,
      peers: [
        { name: 'peer-1', progress: stage === 0 ? 0.25 : 1, doneMs: stage === 0 ? null : 3500 },
        { name: 'peer-2', progress: stage * 0.5, doneMs: stage === 2 ? 4800 : null },
      ],
    },
  };
}

const handle = (cmd: unknown): void => void process.stdout.write(`cmd ${JSON.stringify(cmd)}\n`);
const server = new ControlServer({ snapshot: body, handle }, { kind: 'demo', ...(path === 'auto' ? {} : { path }), intervalMs: 100 });
await server.start();
process.stdout.write(`ready ${server.path}\n`);

let buf = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk: string) => {
  buf += chunk;
  let nl;
  while ((nl = buf.indexOf('\n')) >= 0) {
    const line = buf.slice(0, nl).trim();
    buf = buf.slice(nl + 1);
    if (line === 'next') {
      stage = Math.min(2, stage + 1);
      process.stdout.write(`stage ${stage}\n`);
    }
  }
});
process.stdin.on('end', () => void server.stop().then(() => process.exit(0)));
process.on('SIGTERM', () => void server.stop().then(() => process.exit(0)));
