package memfleet.node.replication;

import java.io.IOException;
import java.net.Socket;
import java.util.Map;

import memfleet.node.os.Libc;
import memfleet.node.store.ItemStore;
import memfleet.node.store.NativeMemory;
import memfleet.protocol.replication.ReplicationFrames;

/**
 * Serves one subscribing peer: answers its SUBSCRIBE with a resume point or a full copy, then streams
 * this node's backlog to it and reads its acknowledgements. A subscriber that falls out of the backlog
 * or stops acknowledging is cut; it reconnects and gets a full copy.
 */
final class Feed {
    private static final int CHUNK = 256 * 1024;
    /** How long after its last record a feed keeps polling instead of waiting to be woken. */
    private static final long BATCHING_NANOS = 20_000_000L;
    /**
     * Under load, how often a feed collects what was logged: one frame (one write, one acknowledgement)
     * per interval however many sets it carries, instead of a wake-up per set.
     */
    private static final long POLL_NANOS = 2_000_000L;

    private final Replication replication;
    private final Socket socket;
    private FrameIO io;
    volatile int subscriberNode = -1;
    volatile long sentOffset;
    volatile long ackedOffset = -1;
    volatile long lastHeard = System.currentTimeMillis();
    volatile String lastError;
    volatile boolean closed;
    /** The full copy this feed sends, if it sends one. */
    final CopyProgress copy = CopyProgress.sending();

    Feed(Replication replication, Socket socket) {
        this.replication = replication;
        this.socket = socket;
    }

    void cut(String why) {
        if (!closed) {
            lastError = why;
        }
        closed = true;
        try {
            socket.close();
        } catch (IOException ignored) {
            // already gone
        }
    }

    void run() {
        replication.feeds.add(this);
        long scratch = 0;
        long scratchSize = 0;
        try {
            io = new FrameIO(socket, Replication.DEAD_MILLIS, replication.settings.replCompress);
            if (io.read() != ReplicationFrames.SUBSCRIBE || io.length() < 18
                    || FrameIO.getInt(io.payload(), 0) != ReplicationFrames.MAGIC) {
                throw new IOException("not a memfleet replication peer");
            }
            byte[] p = io.payload();
            int node = p[4] & 0xFF;
            boolean wantFull = p[13] != 0;
            int count = FrameIO.getInt(p, 14);
            long[] mine = null;
            for (int i = 0, at = 18; i < count; i++, at += ReplicationFrames.VECTOR_ENTRY) {
                if ((p[at] & 0xFF) == replication.nodeId) {
                    mine = new long[] {FrameIO.getLong(p, at + 1), FrameIO.getLong(p, at + 9)};
                }
            }
            subscriberNode = node;
            if (node == replication.nodeId) {
                refuse("node id " + node + " is used by both ends of this link: give each node its own --node-id");
                return;
            }
            Backlog backlog = replication.backlog;
            long from;
            if (wantFull || !canResume(mine, node)) {
                if (replication.syncing()) {
                    io.send(ReplicationFrames.NOT_READY, new byte[0], 0);
                    return;
                }
                from = backlog.head();
                startAckReader();
                sendFull(from);
            } else {
                from = mine != null && mine[0] == replication.replid ? mine[1] : 0;
                byte[] h = new byte[17];
                h[0] = (byte) replication.nodeId;
                FrameIO.putLong(h, 1, replication.replid);
                FrameIO.putLong(h, 9, from);
                io.send(ReplicationFrames.CONTINUE, h, h.length);
                startAckReader();
            }
            sentOffset = from;
            scratchSize = CHUNK;
            scratch = Libc.mmapAnonymous(scratchSize);
            byte[] body = new byte[CHUNK];
            byte[] head = new byte[12];
            long lastSent = System.currentTimeMillis();
            long lastData = System.nanoTime() - BATCHING_NANOS - 1;
            boolean eager = replication.settings.minAcks > 0;
            while (!closed && !replication.closed) {
                long n = backlog.read(from, scratch, scratchSize);
                if (n == -1) {
                    cut("the subscriber fell out of the backlog (offset " + from + " < " + backlog.oldest() + "): it needs a full copy");
                    return;
                }
                if (n < -1) {
                    Libc.munmap(scratch, scratchSize);
                    scratchSize = -(n + 2);
                    scratch = Libc.mmapAnonymous(scratchSize);
                    continue;
                }
                if (n == 0) {
                    if (eager || System.nanoTime() - lastData > BATCHING_NANOS) {
                        // idle (or --min-acks is waiting on us): writers wake this feed on their next record
                        backlog.awaitBeyond(from, Replication.HEARTBEAT_MILLIS / 2);
                    } else {
                        // under load, poll every millisecond instead: no wake-up per write, and a frame
                        // carries a millisecond of records
                        java.util.concurrent.locks.LockSupport.parkNanos(POLL_NANOS);
                    }
                    if (backlog.head() <= from && System.currentTimeMillis() - lastSent >= Replication.HEARTBEAT_MILLIS) {
                        FrameIO.putInt(head, 0, replication.store.clock().now());
                        io.send(ReplicationFrames.PING, head, 4);
                        lastSent = System.currentTimeMillis();
                    }
                    continue;
                }
                if (body.length < n) {
                    body = new byte[(int) n];
                }
                NativeMemory.copyToArray(scratch, body, 0, (int) n);
                FrameIO.putInt(head, 0, replication.store.clock().now());
                FrameIO.putLong(head, 4, from);
                io.send(ReplicationFrames.RECORDS, head, 12, body, (int) n);
                lastData = System.nanoTime();
                from += n;
                sentOffset = from;
                lastSent = System.currentTimeMillis();
                if (body.length > 4 * CHUNK && n < CHUNK) {
                    body = new byte[CHUNK];
                }
            }
        } catch (IOException | InterruptedException e) {
            if (!closed) {
                lastError = e.getMessage();
            }
        } finally {
            closed = true;
            copy.abortIfRunning();
            if (copy.startNanos() != 0 && subscriberNode >= 0) {
                replication.lastCopyTo.put(subscriberNode, copy);
            }
            replication.feeds.remove(this);
            if (io != null) {
                io.close();
            }
            if (scratch != 0) {
                Libc.munmap(scratch, scratchSize);
            }
            replication.acksAdvanced();
        }
    }

    /**
     * A subscriber resumes from the backlog when it holds a position in it, or when it has never seen
     * this incarnation of the node and the whole of its log since start is still here (and what this node
     * copied at start came from the subscriber itself, which has it already).
     */
    private boolean canResume(long[] mine, int subscriber) {
        Backlog b = replication.backlog;
        if (mine != null && mine[0] == replication.replid) {
            return mine[1] >= b.oldest() && mine[1] <= b.head();
        }
        for (int source : replication.fullCopyFrom) {
            if (source != subscriber) {
                return false;
            }
        }
        return b.oldest() == 0;
    }

    private void refuse(String why) throws IOException {
        lastError = why;
        byte[] b = why.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        io.send(ReplicationFrames.REFUSED, b, b.length);
    }

    private void startAckReader() {
        Thread.ofPlatform().daemon().name("replication-acks").start(() -> {
            try {
                while (!closed) {
                    byte type = io.read();
                    lastHeard = System.currentTimeMillis();
                    if (type == ReplicationFrames.ACK && io.length() >= 8) {
                        long off = FrameIO.getLong(io.payload(), 0);
                        if (off > ackedOffset) {
                            ackedOffset = off;
                            replication.ackedBy.put(subscriberNode, off);
                            replication.acksAdvanced();
                        }
                    } else if (type == ReplicationFrames.REPAIR
                            || (type >= ReplicationFrames.AE_DIGESTS_REQ && type <= ReplicationFrames.AE_PUSH_END)) {
                        answer(type, java.util.Arrays.copyOf(io.payload(), io.length()));
                    }
                }
            } catch (IOException e) {
                cut(e.getMessage() == null ? "the subscriber went away" : e.getMessage());
            } finally {
                if (answers != null) {
                    answers.execute(() -> {
                        if (aeApplier != null) {
                            aeApplier.free();
                        }
                    });
                    answers.shutdown();
                }
            }
        });
    }

    /**
     * Requests that take long (a REPAIR's mirror walk, an anti-entropy digest pass over every item, a range
     * walk) run on their own thread, in arrival order, so the acknowledgements the ack reader reads
     * meanwhile keep {@code --min-acks} writers moving.
     */
    private java.util.concurrent.ExecutorService answers;

    private void answer(byte type, byte[] p) {
        if (answers == null) {
            answers = java.util.concurrent.Executors.newSingleThreadExecutor(
                    Thread.ofPlatform().daemon().name("replication-answers").factory());
        }
        answers.execute(() -> {
            try {
                if (type == ReplicationFrames.REPAIR) {
                    if (p.length >= 17) {
                        serveRepair(p[0] & 0xFF, FrameIO.getLong(p, 1), FrameIO.getLong(p, 9));
                    }
                } else {
                    answerAntiEntropy(type, p, p.length);
                }
            } catch (IOException e) {
                cut(e.getMessage() == null ? "the subscriber went away" : e.getMessage());
            }
        });
    }

    /** The subscriber's anti-entropy round, as this end sees it (on the {@link #answers} thread only). */
    private RecordApplier aeApplier;
    private RecordBuffer aeRefused;
    private long aeChanged;

    /**
     * The peer's side of an anti-entropy round the subscriber runs ({@link AntiEntropy}): digests, the
     * items of the ranges it asks for, and the items it pushes, applied here last-writer-wins; DELETEs of
     * pushed keys this node deleted later go back before AE_DONE.
     */
    private void answerAntiEntropy(byte type, byte[] p, int length) throws IOException {
        var remote = replication.remote;
        var store = replication.store;
        switch (type) {
            case ReplicationFrames.AE_DIGESTS_REQ -> {
                byte[] d = AntiEntropy.digests(remote);
                io.send(ReplicationFrames.AE_DIGESTS, d, d.length);
            }
            case ReplicationFrames.AE_RANGES -> {
                long items = AntiEntropy.sendRanges(io, ReplicationFrames.AE_ITEMS, AntiEntropy.ranges(p, length), remote, store, null);
                byte[] end = new byte[8];
                FrameIO.putLong(end, 0, items);
                io.send(ReplicationFrames.AE_ITEMS_END, end, 8);
            }
            case ReplicationFrames.AE_PUSH -> {
                if (aeApplier == null) {
                    aeApplier = new RecordApplier(remote, store);
                    aeRefused = new RecordBuffer(4);
                }
                aeApplier.apply(p, 4, length - 4, FrameIO.getInt(p, 0), aeRefused);
                aeChanged += aeApplier.changed();
            }
            case ReplicationFrames.AE_PUSH_END -> {
                if (aeRefused != null) {
                    AntiEntropy.flush(io, ReplicationFrames.AE_ITEMS, aeRefused, store);
                }
                replication.antiEntropy.keysRepaired.addAndGet(aeChanged);
                byte[] done = new byte[8];
                FrameIO.putLong(done, 0, aeChanged);
                io.send(ReplicationFrames.AE_DONE, done, 8);
                aeChanged = 0;
            }
            default -> { }
        }
    }

    /**
     * Answers a REPAIR: the subscriber has lost its link to {@code origin} and asks for that origin's
     * records from {@code from}, which this node's {@link Mirror} may hold. Sends them as MIRRORED frames of
     * at most {@link #CHUNK} bytes up to the mirror's head (nothing when it does not hold {@code from}).
     * Runs on the {@link #answers} thread.
     */
    private void serveRepair(int origin, long replid, long from) throws IOException {
        Mirror mirror = replication.mirrors.get(origin);
        if (mirror == null || origin == subscriberNode) {
            return;
        }
        long size = CHUNK;
        long scratch = Libc.mmapAnonymous(size);
        try {
            byte[] head = new byte[4 + 1 + 8 + 8];
            byte[] body = new byte[CHUNK];
            boolean served = false;
            while (!closed) {
                long n = mirror.read(replid, from, scratch, size);
                if (n < -1) {
                    Libc.munmap(scratch, size);
                    size = -(n + 2);
                    scratch = Libc.mmapAnonymous(size);
                    continue;
                }
                if (n <= 0) {
                    break;
                }
                if (body.length < n) {
                    body = new byte[(int) n];
                }
                NativeMemory.copyToArray(scratch, body, 0, (int) n);
                FrameIO.putInt(head, 0, mirror.originClock(replication.store.clock().now()));
                head[4] = (byte) origin;
                FrameIO.putLong(head, 5, replid);
                FrameIO.putLong(head, 13, from);
                io.send(ReplicationFrames.MIRRORED, head, head.length, body, (int) n);
                from += n;
                served = true;
            }
            if (served) {
                replication.repairsServed.incrementAndGet();
            }
        } finally {
            Libc.munmap(scratch, size);
        }
    }

    /** FULL with this node's position vector, then every live item, then SNAPSHOT_END. */
    private void sendFull(long from) throws IOException {
        Map<Integer, long[]> applied = replication.applied;
        int count = applied.size();
        byte[] h = new byte[21 + count * ReplicationFrames.VECTOR_ENTRY + ReplicationFrames.VECTOR_ENTRY + 16];
        h[0] = (byte) replication.nodeId;
        FrameIO.putLong(h, 1, replication.replid);
        FrameIO.putLong(h, 9, from);
        int n = 0;
        int at = 21;
        for (var e : applied.entrySet()) {
            if (n == count) {
                break;
            }
            h[at] = (byte) (int) e.getKey();
            FrameIO.putLong(h, at + 1, e.getValue()[0]);
            FrameIO.putLong(h, at + 9, e.getValue()[1]);
            at += ReplicationFrames.VECTOR_ENTRY;
            n++;
        }
        FrameIO.putInt(h, 17, n);
        // after the vector, how many items follow (the subscriber sizes its index for them up front) and
        // the source's bytes: both ends report the copy's progress against them
        long totalItems = replication.store.currItems();
        long totalBytes = replication.store.currBytes();
        at = FrameIO.putLong(h, at, totalItems);
        at = FrameIO.putLong(h, at, totalBytes);
        copy.start(totalItems, totalBytes);
        io.send(ReplicationFrames.FULL, h, at);
        long limit = replication.settings.replCopyLimit;

        ItemStore store = replication.store;
        var remote = replication.remote;
        RecordBuffer buf = new RecordBuffer(4);
        long items = 0;
        int groups = remote.groups();
        for (int g = 0; g < groups && !closed; g++) {
            remote.visitGroup(g, groups, it -> {
                buf.addItem(it, store);
                return true;
            });
            if (buf.full() || (g == groups - 1 && !buf.isEmpty())) {
                FrameIO.putInt(buf.bytes(), 0, store.clock().now());
                io.send(ReplicationFrames.SNAPSHOT, buf.bytes(), buf.length());
                items += buf.records();
                copy.add(buf.records(), buf.length() - 4);
                buf.clear();
                if (limit > 0) {
                    // --repl-copy-limit: no faster than the limit on average since the start
                    long ahead = (long) (copy.bytes() * 1e9 / limit) - copy.elapsedNanos();
                    if (ahead > 0) {
                        java.util.concurrent.locks.LockSupport.parkNanos(ahead);
                    }
                }
            }
        }
        byte[] end = new byte[8];
        FrameIO.putLong(end, 0, items);
        io.send(ReplicationFrames.SNAPSHOT_END, end, 8);
        copy.end();
    }
}
