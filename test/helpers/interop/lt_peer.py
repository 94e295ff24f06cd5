"""
A libtorrent peer for ringswarm's interop tests and benchmark, run with /usr/bin/python3.

  lt_peer.py --torrent T --save DIR [--seed] [--port N] [--peer HOST:PORT ...]
             [--upload-limit B/s] [--timeout S] [--stay]

Everything stays on 127.0.0.1: DHT, LSD, UPnP and NAT-PMP are off, uTP is off (ringswarm speaks
TCP), and several connections from one IP are allowed (every peer is 127.0.0.1). Prints one JSON
object per line on stdout: {"event":"listening","port":N}, then "progress" lines, "done" when
the torrent is complete, and "exit" with CPU seconds and peak RSS just before exiting. A
downloader exits when done (unless --stay); a seeder (and --stay) runs until stdin closes.
"""
import argparse, json, os, resource, select, sys, time
import libtorrent as lt


def emit(event, **kw):
    kw['event'] = event
    sys.stdout.write(json.dumps(kw) + '\n')
    sys.stdout.flush()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--torrent', required=True)
    ap.add_argument('--save', required=True)
    ap.add_argument('--seed', action='store_true')
    ap.add_argument('--port', type=int, default=0)
    ap.add_argument('--peer', action='append', default=[])
    ap.add_argument('--upload-limit', type=int, default=0)
    ap.add_argument('--timeout', type=float, default=120)
    ap.add_argument('--stay', action='store_true')
    ap.add_argument('--interval', type=float, default=0.2)
    a = ap.parse_args()

    settings = {
        'listen_interfaces': '127.0.0.1:%d' % a.port,
        'enable_dht': False, 'enable_lsd': False, 'enable_upnp': False, 'enable_natpmp': False,
        'enable_incoming_utp': False, 'enable_outgoing_utp': False,
        'allow_multiple_connections_per_ip': True,
        # Loopback peers count as local: without this libtorrent ignores rate limits for them.
        'ignore_limits_on_local_network': False,
        'alert_mask': lt.alert.category_t.error_notification | lt.alert.category_t.status_notification,
        'user_agent': 'libtorrent-interop',
    }
    if a.upload_limit > 0:
        settings['upload_rate_limit'] = a.upload_limit
    s = lt.session(settings)
    params = {'ti': lt.torrent_info(a.torrent), 'save_path': a.save}
    h = s.add_torrent(params)

    # listen_port() is known only once the socket is bound.
    deadline = time.time() + 10
    while s.listen_port() == 0 and time.time() < deadline:
        time.sleep(0.02)
    emit('listening', port=s.listen_port())

    start = time.time()
    connected = False
    done_sent = False
    stdin_open = True
    while True:
        st = h.status()
        for al in s.pop_alerts():
            if isinstance(al, (lt.torrent_error_alert, lt.file_error_alert)):
                emit('error', message=al.message())
        checking = st.state in (lt.torrent_status.checking_files, lt.torrent_status.checking_resume_data)
        if not connected and not checking:
            # Dial only after the check, or libtorrent drops the connections it made meanwhile.
            for p in a.peer:
                host, port = p.rsplit(':', 1)
                h.connect_peer((host, int(port)))
            connected = True
        emit('progress', progress=st.progress, state=str(st.state), down=st.download_payload_rate,
             up=st.upload_payload_rate, peers=st.num_peers, downloaded=st.total_payload_download,
             uploaded=st.total_payload_upload, seeding=st.is_seeding)
        if st.is_seeding and not done_sent:
            emit('done', seconds=time.time() - start, downloaded=st.total_payload_download)
            done_sent = True
            if not a.seed and not a.stay:
                break
        if time.time() - start > a.timeout:
            emit('timeout', progress=st.progress)
            break
        if stdin_open:
            r, _, _ = select.select([sys.stdin], [], [], a.interval)
            if r and os.read(sys.stdin.fileno(), 4096) == b'':
                stdin_open = False
                if a.seed or a.stay or done_sent:
                    break
        else:
            time.sleep(a.interval)
    ru = resource.getrusage(resource.RUSAGE_SELF)
    emit('exit', cpu=ru.ru_utime + ru.ru_stime, maxrss=ru.ru_maxrss * 1024,
         uploaded=h.status().total_payload_upload, downloaded=h.status().total_payload_download)
    code = 0 if done_sent else 1
    # Skip the session destructor's tracker/teardown wait: the caller already has what it needs.
    os._exit(code)


main()
