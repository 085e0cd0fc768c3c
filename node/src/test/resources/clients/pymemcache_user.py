"""A pymemcache (3.5) user script: the calls an application makes, each result printed for the Java test.

Usage: /usr/bin/python3 pymemcache_user.py HOST PORT
Prints one observation a line as SECTION<TAB>NAME<TAB>VALUE, VALUE being the Python repr of what the call answered.
"""
import sys

from pymemcache.client.base import Client
from pymemcache.exceptions import MemcacheClientError, MemcacheServerError


class FlagsSerde:
    """Stores (bytes, flags) pairs as they are, so flags round-trip untouched."""

    def serialize(self, key, value):
        return value

    def deserialize(self, key, value, flags):
        return value, flags


def emit(section, name, value):
    print(f"{section}\t{name}\t{value!r}")


def error_of(call):
    try:
        return f"no error: {call()!r}"
    except (MemcacheClientError, MemcacheServerError) as e:
        return f"{type(e).__name__}: {e}"


def main():
    host, port = sys.argv[1], int(sys.argv[2])
    # pymemcache sends storage commands with "noreply" unless told otherwise: keep that default on this client
    client = Client((host, port), connect_timeout=5, timeout=5)
    flagged = Client((host, port), connect_timeout=5, timeout=5, serde=FlagsSerde())

    emit("run", "version", client.version())

    many = {f"pymc:many:{i:03d}": f"value {i}".encode() for i in range(100)}
    emit("many", "set_many_failed", client.set_many(many, noreply=False))
    got = client.get_many(list(many) + ["pymc:many:missing"])
    emit("many", "get_many_size", len(got))
    emit("many", "get_many_equal", got == many)

    client.set("pymc:noreply", b"quiet")
    emit("noreply", "get", client.get("pymc:noreply"))

    client.set("pymc:cas", b"v1", noreply=False)
    value, cas = client.gets("pymc:cas")
    emit("cas", "gets_value", value)
    emit("cas", "first", client.cas("pymc:cas", b"v2", cas, noreply=False))
    emit("cas", "stale", client.cas("pymc:cas", b"v3", cas, noreply=False))
    emit("cas", "missing", client.cas("pymc:cas:missing", b"x", cas, noreply=False))
    emit("cas", "get", client.get("pymc:cas"))
    emit("cas", "gets_missing", client.gets("pymc:cas:missing"))

    client.set("pymc:counter", b"10", noreply=False)
    emit("counter", "incr", client.incr("pymc:counter", 5, noreply=False))
    emit("counter", "decr", client.decr("pymc:counter", 3, noreply=False))
    emit("counter", "decr_below_zero", client.decr("pymc:counter", 100, noreply=False))
    emit("counter", "incr_missing", client.incr("pymc:counter:missing", 1, noreply=False))
    client.set("pymc:counter:max", b"18446744073709551615", noreply=False)
    emit("counter", "incr_wraps", client.incr("pymc:counter:max", 1, noreply=False))
    client.set("pymc:counter:text", b"abc", noreply=False)
    emit("counter", "incr_text", error_of(lambda: client.incr("pymc:counter:text", 1, noreply=False)))

    client.set("pymc:touch", b"v", noreply=False)
    emit("touch", "existing", client.touch("pymc:touch", 3600, noreply=False))
    emit("touch", "missing", client.touch("pymc:touch:missing", 3600, noreply=False))
    emit("touch", "expire_now", client.touch("pymc:touch", -1, noreply=False))
    emit("touch", "get_after_expire_now", client.get("pymc:touch"))

    client.set("pymc:delete", b"v", noreply=False)
    emit("delete", "existing", client.delete("pymc:delete", noreply=False))
    emit("delete", "again", client.delete("pymc:delete", noreply=False))

    emit("store", "add_new", client.add("pymc:store", b"b", noreply=False))
    emit("store", "add_existing", client.add("pymc:store", b"x", noreply=False))
    emit("store", "append", client.append("pymc:store", b"c", noreply=False))
    emit("store", "prepend", client.prepend("pymc:store", b"a", noreply=False))
    emit("store", "get", client.get("pymc:store"))
    emit("store", "replace_missing", client.replace("pymc:store:missing", b"x", noreply=False))
    emit("store", "append_missing", client.append("pymc:store:missing", b"x", noreply=False))

    for flags in (0, 1, 2**31, 2**32 - 1):
        key = f"pymc:flags:{flags}"
        flagged.set(key, (b"flagged", flags), noreply=False)
        emit("flags", str(flags), flagged.get(key))

    emit("large", "too_large", error_of(lambda: client.set("pymc:large", b"x" * (1024 * 1024 + 1), noreply=False)))
    emit("large", "after", client.get("pymc:noreply"))

    stats = client.stats()
    emit("stats", "names", sorted(name.decode() for name in stats))
    emit("stats", "curr_items", stats[b"curr_items"])
    emit("stats", "version", stats[b"version"])
    items = client.stats("items")
    emit("stats", "items_names", sorted({name.decode().rsplit(":", 1)[-1] for name in items}))
    slabs = client.stats("slabs")
    emit("stats", "slabs_names", sorted({name.decode().rsplit(":", 1)[-1] for name in slabs}))

    emit("flush", "flush_all", client.flush_all(noreply=False))
    emit("flush", "get_after", client.get("pymc:store"))
    emit("run", "done", True)


if __name__ == "__main__":
    main()
