package memfleet.node.it.replication;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import memfleet.node.it.ServerProcess;
import memfleet.node.it.differential.WireConnection;

/**
 * The text-protocol commands the replication tests send, over one {@link WireConnection}, with memcached's
 * replies returned exactly (one line, without its line end) so that tests can assert on them.
 */
final class TextClient implements AutoCloseable {
    /** One item as {@code gets} shows it. */
    record Item(String value, int flags, long cas) {}

    private final WireConnection wire;
    private final String name;

    TextClient(ServerProcess server) {
        this.wire = new WireConnection(server, 10_000);
        this.name = server.toString();
    }

    /** {@code set}, {@code add}, {@code replace}, {@code append} or {@code prepend}; returns the reply line. */
    String store(String verb, String key, int flags, long exptime, String value) {
        wire.write(verb + " " + key + " " + flags + " " + exptime + " " + value.length() + "\r\n" + value + "\r\n");
        return line();
    }

    String set(String key, String value) {
        return store("set", key, 0, 0, value);
    }

    String cas(String key, int flags, long exptime, String value, long cas) {
        wire.write("cas " + key + " " + flags + " " + exptime + " " + value.length() + " " + Long.toUnsignedString(cas)
                + "\r\n" + value + "\r\n");
        return line();
    }

    /** Any one-line command ({@code incr}, {@code delete}, {@code touch}, {@code flush_all}...); its reply. */
    String call(String command) {
        return wire.call(command + "\r\n");
    }

    /** {@code gets key}: the item, or empty when the node does not hold it. */
    Optional<Item> gets(String key) {
        return fetch("gets " + key);
    }

    /** {@code gats exptime key}: the item, its lifetime now {@code exptime}. */
    Optional<Item> gats(long exptime, String key) {
        return fetch("gats " + exptime + " " + key);
    }

    /** The value of {@code key}, or null. */
    String get(String key) {
        return gets(key).map(Item::value).orElse(null);
    }

    private Optional<Item> fetch(String command) {
        wire.write(command + "\r\n");
        String header = line();
        if (header.equals("END")) {
            return Optional.empty();
        }
        String[] t = header.split(" ");
        if (t.length != 5 || !t[0].equals("VALUE")) {
            throw new IllegalStateException(name + ": " + command + " answered " + header);
        }
        try {
            byte[] data = wire.readExact(Integer.parseInt(t[3]) + 2);
            String end = line();
            if (!end.equals("END")) {
                throw new IllegalStateException(name + ": " + command + " did not end with END but " + end);
            }
            return Optional.of(new Item(new String(data, 0, data.length - 2, ISO_8859_1), Integer.parseInt(t[2]),
                    Long.parseUnsignedLong(t[4])));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Map<String, String> stats(String group) {
        return wire.stats(group);
    }

    /** {@code stats digest}: the item count and the order-independent digest, as one comparable string. */
    String digest() {
        Map<String, String> d = wire.stats("digest");
        return "items " + d.get("items") + " digest " + d.get("digest");
    }

    /** Writes {@code count} {@code noreply} sets at once, then waits for a {@code version} reply. */
    void pipelineSets(String prefix, int from, int count, String value) {
        StringBuilder batch = new StringBuilder();
        for (int i = from; i < from + count; i++) {
            batch.append("set ").append(prefix).append(i).append(" 0 0 ").append(value.length())
                    .append(" noreply\r\n").append(value).append("\r\n");
            if (batch.length() > 1 << 16) {
                wire.write(batch.toString());
                batch.setLength(0);
            }
        }
        wire.write(batch.append("version\r\n").toString());
        String reply = line();
        if (!reply.startsWith("VERSION ")) {
            throw new IllegalStateException(name + ": after " + count + " sets: " + reply);
        }
    }

    /** The values of {@code keys} that the node holds, fetched with multi-key {@code get}s. */
    Map<String, String> getMulti(List<String> keys) {
        Map<String, String> found = new LinkedHashMap<>();
        for (int from = 0; from < keys.size(); from += 100) {
            wire.write("get " + String.join(" ", keys.subList(from, Math.min(keys.size(), from + 100))) + "\r\n");
            while (true) {
                String header = line();
                if (header.equals("END")) {
                    break;
                }
                String[] t = header.split(" ");
                try {
                    byte[] data = wire.readExact(Integer.parseInt(t[3]) + 2);
                    found.put(t[1], new String(data, 0, data.length - 2, ISO_8859_1));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        return found;
    }

    TextClient timeout(Duration timeout) {
        wire.timeout(timeout);
        return this;
    }

    WireConnection wire() {
        return wire;
    }

    /** Reads one reply line, without its line end. */
    String readLine() {
        return line();
    }

    private String line() {
        try {
            byte[] line = wire.readLine();
            if (line == null) {
                throw new IOException(name + " closed the connection");
            }
            return new String(line, ISO_8859_1).stripTrailing();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        wire.close();
    }
}
