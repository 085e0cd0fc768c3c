"""The typical python-memcache (memcache.py 1.58) user script: store and read back 100 keys, then look at the
server's stats the way people do when they debug a cache, `stats cachedump` included.

Usage: /usr/bin/python3 python_memcache_user.py HOST PORT
Prints one observation a line as SECTION<TAB>NAME<TAB>VALUE; the Java test decides what is right.
"""
import sys
import time

import memcache


def emit(section, name, value):
    print(f"{section}\t{name}\t{value}")


def one_server(stats):
    # get_stats() answers [(server description, {stat: value})], one pair per server
    if len(stats) != 1:
        raise SystemExit(f"expected the stats of one server, got {stats!r}")
    return stats[0][1]


def settled_items_stats(mc, curr_items):
    """`stats items` once the per-class counts add up to curr_items.

    Both servers move items between their HOT, WARM and COLD queues in the background, and `stats items` reads
    the queues one after another, so an item in transit can be missed by one read. Reread for up to 5 seconds.
    """
    deadline = time.monotonic() + 5
    while True:
        items = one_server(mc.get_stats("items"))
        counted = sum(int(v) for k, v in items.items() if k.endswith(":number"))
        if counted == curr_items or time.monotonic() > deadline:
            return items
        time.sleep(0.05)


def main():
    host, port = sys.argv[1], sys.argv[2]
    mc = memcache.Client([f"{host}:{port}"], socket_timeout=5)
    keys = [f"user:{i:03d}" for i in range(100)]
    # small items, so that all of them land in slab class 1
    values = {key: f"v{key[-3:]}" for key in keys}

    emit("run", "stored", sum(1 for key in keys if mc.set(key, values[key])))
    emit("run", "hits", sum(1 for key in keys if mc.get(key) == values[key]))
    multi = mc.get_multi(keys + ["user:missing"])
    emit("run", "multi_hits", sum(1 for key in keys if multi.get(key) == values[key]))
    emit("run", "multi_size", len(multi))

    stats = one_server(mc.get_stats())
    groups = {
        "stats": stats,
        "items": settled_items_stats(mc, int(stats["curr_items"])),
        "slabs": one_server(mc.get_stats("slabs")),
        "cachedump": one_server(mc.get_stats("cachedump 1 0")),
    }
    for group, stats in groups.items():
        for name, value in stats.items():
            emit(group, name, value)
    emit("run", "done", "yes")


if __name__ == "__main__":
    main()
