package memfleet.node.it.replication;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import memfleet.node.it.ServerProcess;

/**
 * A thread that sets {@code <prefix><n>} for n = 0, 1, 2... on one node, one write at a time with its reply, and
 * remembers every key the node acknowledged ({@code STORED}) and every other reply; it stops when told, or at
 * the first connection error (the node died), which it keeps.
 */
final class LoadWriter implements AutoCloseable {
    private final String prefix;
    private final List<String> acknowledged = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, String> otherReplies = new ConcurrentHashMap<>();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final Thread thread;
    private volatile boolean stop;

    LoadWriter(ServerProcess node, String prefix, String value) {
        this.prefix = prefix;
        this.thread = Thread.ofPlatform().daemon().name("load-" + prefix).start(() -> {
            try (TextClient c = new TextClient(node)) {
                for (int n = 0; !stop; n++) {
                    String key = prefix + n;
                    String reply = c.set(key, value + n);
                    if (reply.equals("STORED")) {
                        acknowledged.add(key);
                    } else {
                        otherReplies.put(key, reply);
                    }
                }
            } catch (RuntimeException e) {
                failure.set(e);
            }
        });
    }

    /** The value written to {@code key} by a writer with this {@code value} prefix. */
    static String valueOf(String value, String prefix, String key) {
        return value + key.substring(prefix.length());
    }

    /** Waits until at least {@code count} writes were acknowledged, or the writer stopped; false on timeout. */
    boolean awaitAcknowledged(int count, long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (acknowledged.size() < count && thread.isAlive()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(10);
        }
        return acknowledged.size() >= count;
    }

    /** Stops and waits for the thread; the lists are final afterwards. */
    LoadWriter stop() throws InterruptedException {
        stop = true;
        thread.join(30_000);
        if (thread.isAlive()) {
            throw new IllegalStateException("writer " + prefix + " did not stop within 30 s");
        }
        return this;
    }

    List<String> acknowledged() {
        synchronized (acknowledged) {
            return List.copyOf(acknowledged);
        }
    }

    Map<String, String> otherReplies() {
        return Map.copyOf(otherReplies);
    }

    Throwable failure() {
        return failure.get();
    }

    String prefix() {
        return prefix;
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
