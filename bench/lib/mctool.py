#!/usr/bin/python3
"""Small memcached text-protocol client for the bench scripts: readiness probe, stats, memory fill,
and for replication.sh: stat sampling, a replication-lag probe, a bulk fill, waiting for a stat.

Standard library only, so it runs on Debian's /usr/bin/python3 with nothing installed.
Every socket operation has a timeout, so a wedged server fails the step instead of hanging the run.
"""
import argparse
import os
import random
import socket
import sys
import time

IO_TIMEOUT = 10.0


def connect(host, port, timeout=IO_TIMEOUT):
    s = socket.create_connection((host, port), timeout=timeout)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def read_until(sock, terminator, buf=b""):
    while not buf.endswith(terminator):
        chunk = sock.recv(1 << 16)
        if not chunk:
            raise ConnectionError("server closed the connection")
        buf += chunk
    return buf


def stats(sock, group=""):
    """`stats` (or `stats GROUP`) as a dict; a server that answers with an error line gets an empty dict."""
    sock.sendall(b"stats " + group.encode() + b"\r\n" if group else b"stats\r\n")
    out = {}
    buf = b""
    while not buf.endswith(b"END\r\n"):
        chunk = sock.recv(1 << 16)
        if not chunk:
            raise ConnectionError("server closed the connection")
        buf += chunk
        if buf.endswith(b"\r\n") and buf.rsplit(b"\r\n", 2)[-2].split(b" ", 1)[0] in (
                b"ERROR", b"CLIENT_ERROR", b"SERVER_ERROR"):
            return out
    for line in buf.decode("ascii", "replace").splitlines():
        parts = line.split(" ", 2)
        if len(parts) == 3 and parts[0] == "STAT":
            out[parts[1]] = parts[2]
    return out


def cmd_free(a):
    """Exit 0 when nothing listens on host:port (so we never benchmark a stray server)."""
    try:
        connect(a.host, a.port, timeout=1.0).close()
    except OSError:
        return 0
    print(f"{a.host}:{a.port} already has a listener", file=sys.stderr)
    return 1


def cmd_ready(a):
    """Exit 0 once the server answers `version`; 1 after the timeout."""
    deadline = time.monotonic() + a.timeout
    last = None
    while time.monotonic() < deadline:
        if a.pid and not os.path.exists(f"/proc/{a.pid}"):
            print(f"server process {a.pid} exited before answering", file=sys.stderr)
            return 1
        try:
            with connect(a.host, a.port, timeout=2.0) as s:
                s.sendall(b"version\r\n")
                line = read_until(s, b"\r\n")
                if line.startswith(b"VERSION"):
                    print(line.decode().strip())
                    return 0
                last = line
        except OSError as e:
            last = e
        time.sleep(0.1)
    print(f"server on {a.host}:{a.port} not ready after {a.timeout}s: {last!r}", file=sys.stderr)
    return 1


def cmd_stats(a):
    """Print `name value` for the requested stats (all when none named); missing ones print `-`."""
    with connect(a.host, a.port) as s:
        st = stats(s, a.group)
    for name in a.names or sorted(st):
        print(name, st.get(name, "-"))
    return 0


def set_batch(sock, first, count, value, key_fmt):
    """Pipeline `count` sets, then read `count` replies; every reply must be STORED. `value` is the
    bytes of every item, or a function of the item's number giving its bytes.

    A shorter error reply leaves the read waiting, and the socket timeout turns that into an error.
    """
    if callable(value):
        req = b"".join(b"set " + (key_fmt % i).encode() + f" 0 0 {len(v)}\r\n".encode() + v + b"\r\n"
                       for i, v in ((i, value(i)) for i in range(first, first + count)))
    else:
        header = f" 0 0 {len(value)}\r\n".encode()
        tail = value + b"\r\n"
        req = b"".join(b"set " + (key_fmt % i).encode() + header + tail for i in range(first, first + count))
    sock.sendall(req)
    want = len(b"STORED\r\n") * count
    buf = b""
    while len(buf) < want:
        chunk = sock.recv(1 << 16)
        if not chunk:
            raise ConnectionError("server closed the connection during fill")
        buf += chunk
    if buf != b"STORED\r\n" * count:
        bad = [l for l in buf.split(b"\r\n") if l and l != b"STORED"][:3]
        raise RuntimeError(f"unexpected replies while filling: {bad!r}")


def cmd_fill(a):
    """Write k%09d keys until the server evicts, keep writing a while, report item counts.

    Prints `name value` lines: keys written and curr_items at the first eviction, then again after
    writing `--extra` times as many keys more (the steady state once the LRU is cycling).
    """
    key_fmt = a.key_format
    if len(key_fmt % 0) != a.key_len or len(key_fmt % (a.max_keys - 1)) != a.key_len:
        raise SystemExit(f"key format {key_fmt!r} does not give {a.key_len}-byte keys up to {a.max_keys}")
    value = b"v" * a.value_size
    deadline = time.monotonic() + a.timeout
    with connect(a.host, a.port) as s:
        written = 0
        first_evict = None
        target = a.max_keys
        while written < target:
            if time.monotonic() > deadline:
                raise SystemExit(f"fill timed out after {a.timeout}s with {written} keys written")
            n = min(a.batch, target - written)
            set_batch(s, written, n, value, key_fmt)
            written += n
            if first_evict is None:
                st = stats(s)
                if int(st.get("evictions", "0")) > 0:
                    first_evict = (written, st)
                    target = min(a.max_keys, written + int(written * a.extra))
        end = stats(s)
    if first_evict is None:
        print("evicted no")
        print("keys_written", written)
        print("curr_items_end", end.get("curr_items", "-"))
        return 3
    w0, st0 = first_evict
    print("evicted yes")
    print("keys_at_first_eviction", w0)
    print("curr_items_at_first_eviction", st0.get("curr_items", "-"))
    print("keys_written", written)
    print("curr_items_end", end.get("curr_items", "-"))
    print("evictions_end", end.get("evictions", "-"))
    print("bytes_end", end.get("bytes", "-"))
    print("limit_maxbytes", end.get("limit_maxbytes", "-"))
    return 0


def percentile(values, q):
    """The q-quantile (0..1) of values by the nearest-rank method; None when there are none."""
    if not values:
        return None
    v = sorted(values)
    return v[min(len(v) - 1, max(0, int(round(q * len(v) + 0.5)) - 1))]


def cmd_sample(a):
    """Every --interval seconds for --duration seconds, read the named stats of a group; print
    `name p50 p99 max samples` per stat (numbers only; `-` for a stat that was never numeric)."""
    values = {n: [] for n in a.names}
    end = time.monotonic() + a.duration
    with connect(a.host, a.port) as s:
        nxt = time.monotonic()
        while time.monotonic() < end:
            st = stats(s, a.group)
            for n in a.names:
                try:
                    values[n].append(float(st[n]))
                except (KeyError, ValueError):
                    pass
            nxt += a.interval
            time.sleep(max(0.0, nxt - time.monotonic()))
    for n in a.names:
        v = values[n]
        if v:
            print(n, f"{percentile(v, 0.5):g}", f"{percentile(v, 0.99):g}", f"{max(v):g}", len(v))
        else:
            print(n, "-", "-", "-", 0)
    return 0


def cmd_lagprobe(a):
    """Every --interval seconds set a fresh probe key on this server, then poll --peer-port with
    `get` until the key is there: the time between the STORED reply and the first hit is the
    replication lag seen by a client. Prints `lag_ms p50 p99 max probes missed`."""
    lags = []
    missed = 0
    end = time.monotonic() + a.duration
    with connect(a.host, a.port) as src, connect(a.host, a.peer_port) as dst:
        i = 0
        while time.monotonic() < end:
            key = f"lagprobe:{os.getpid()}:{i}".encode()
            i += 1
            started = time.monotonic()
            src.sendall(b"set " + key + b" 0 0 1\r\nx\r\n")
            if read_until(src, b"\r\n") != b"STORED\r\n":
                raise RuntimeError("probe set failed")
            stored = time.monotonic()
            found = None
            while time.monotonic() - stored < a.give_up:
                dst.sendall(b"get " + key + b"\r\n")
                reply = read_until(dst, b"END\r\n")
                if reply.startswith(b"VALUE"):
                    found = time.monotonic()
                    break
                time.sleep(0.0005)
            if found is None:
                missed += 1
            else:
                lags.append((found - stored) * 1000.0)
            time.sleep(max(0.0, a.interval - (time.monotonic() - started)))
    if lags:
        print("lag_ms", f"{percentile(lags, 0.5):.2f}", f"{percentile(lags, 0.99):.2f}", f"{max(lags):.2f}",
              len(lags), missed)
    else:
        print("lag_ms", "-", "-", "-", 0, missed)
    return 0


def text_values(size, pool_mb=16, seed=7):
    """Item n's value: `size` bytes of a 16 MB pool of random words and numbers (text that compresses
    about as well as JSON or log lines do), each item at its own random offset, so that items do not
    repeat each other within a compressor's window."""
    rnd = random.Random(seed)
    vocab = [("".join(rnd.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rnd.randint(2, 9)))).encode()
             for _ in range(2000)]
    parts, n = [], 0
    while n < pool_mb << 20:
        w = rnd.choice(vocab) if rnd.random() < 0.8 else str(rnd.randint(0, 10 ** 6)).encode()
        parts.append(w)
        n += len(w) + 1
    pool = b" ".join(parts)
    span = len(pool) - size
    return lambda i: pool[(o := (i * 2654435761) % span):o + size]


def random_values(size):
    """Item n's value: `size` random bytes (nothing to compress)."""
    return lambda i: os.urandom(size)


def cmd_fillbytes(a):
    """Pipelined sets of --value-size bytes under keys --key-format until --megabytes of values
    are written; prints `keys N` and `seconds S`. --content: every value the same byte (`same`),
    text-like values that differ per item (`text`), or random bytes (`random`)."""
    value = {"same": lambda: b"f" * a.value_size, "text": lambda: text_values(a.value_size),
             "random": lambda: random_values(a.value_size)}[a.content]()
    count = a.megabytes * (1 << 20) // a.value_size
    started = time.monotonic()
    with connect(a.host, a.port, timeout=60.0) as s:
        written = 0
        while written < count:
            if time.monotonic() - started > a.timeout:
                raise SystemExit(f"fill timed out after {a.timeout}s with {written} keys written")
            n = min(a.batch, count - written)
            set_batch(s, written, n, value, a.key_format)
            written += n
    print("keys", written)
    print("seconds", f"{time.monotonic() - started:.1f}")
    return 0


def cmd_await(a):
    """Exit 0 once `stats GROUP` shows NAME = VALUE; 1 after --timeout seconds (prints the last value)."""
    deadline = time.monotonic() + a.timeout
    last = None
    while time.monotonic() < deadline:
        try:
            with connect(a.host, a.port, timeout=5.0) as s:
                last = stats(s, a.group).get(a.name)
        except OSError as e:
            last = repr(e)
        if last == a.value:
            return 0
        time.sleep(a.interval)
    print(f"{a.group} {a.name} is {last!r}, not {a.value!r}, after {a.timeout}s", file=sys.stderr)
    return 1


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    sub = p.add_subparsers(dest="cmd", required=True)
    sub.add_parser("free")
    r = sub.add_parser("ready")
    r.add_argument("--timeout", type=float, default=30.0)
    r.add_argument("--pid", type=int, help="give up as soon as this process is gone")
    s = sub.add_parser("stats")
    s.add_argument("--group", default="", help="a stats group, e.g. replication or digest")
    s.add_argument("names", nargs="*")
    sm = sub.add_parser("sample")
    sm.add_argument("--group", default="replication")
    sm.add_argument("--interval", type=float, default=0.1)
    sm.add_argument("--duration", type=float, required=True)
    sm.add_argument("names", nargs="+")
    lp = sub.add_parser("lagprobe")
    lp.add_argument("--peer-port", type=int, required=True)
    lp.add_argument("--interval", type=float, default=0.1)
    lp.add_argument("--duration", type=float, required=True)
    lp.add_argument("--give-up", type=float, default=10.0, help="seconds before a probe counts as missed")
    fb = sub.add_parser("fillbytes")
    fb.add_argument("--megabytes", type=int, required=True)
    fb.add_argument("--value-size", type=int, default=1000)
    fb.add_argument("--key-format", default="copy%09d")
    fb.add_argument("--batch", type=int, default=1000)
    fb.add_argument("--timeout", type=float, default=600.0)
    fb.add_argument("--content", choices=["same", "text", "random"], default="same")
    aw = sub.add_parser("await")
    aw.add_argument("--group", default="replication")
    aw.add_argument("--interval", type=float, default=0.05)
    aw.add_argument("--timeout", type=float, default=60.0)
    aw.add_argument("name")
    aw.add_argument("value")
    f = sub.add_parser("fill")
    f.add_argument("--key-format", default="k%09d")
    f.add_argument("--key-len", type=int, default=10)
    f.add_argument("--value-size", type=int, default=100)
    f.add_argument("--batch", type=int, default=1000)
    f.add_argument("--extra", type=float, default=0.25)
    f.add_argument("--max-keys", type=int, default=20_000_000)
    f.add_argument("--timeout", type=float, default=300.0)
    a = p.parse_args()
    return {"free": cmd_free, "ready": cmd_ready, "stats": cmd_stats, "fill": cmd_fill, "sample": cmd_sample,
            "lagprobe": cmd_lagprobe, "fillbytes": cmd_fillbytes, "await": cmd_await}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
