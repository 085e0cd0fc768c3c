package memfleet.node.replication;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.Socket;
import java.nio.ByteOrder;
import java.util.Map;

import memfleet.node.os.Libc;
import memfleet.node.store.Item;
import memfleet.node.store.ItemStore;
import memfleet.node.store.NativeMemory;
import memfleet.protocol.replication.MutationRecord;
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
    private static final VarHandle LE_INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LE_LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private final Replication replication;
    private final Socket socket;
    private FrameIO io;
    volatile int subscriberNode = -1;
    volatile long sentOffset;
    volatile long ackedOffset = -1;
    volatile long lastHeard = System.currentTimeMillis();
    volatile String lastError;
    volatile boolean closed;

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
            io = new FrameIO(socket, Replication.DEAD_MILLIS);
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
                    } else if (type == ReplicationFrames.REPAIR && io.length() >= 17) {
                        byte[] r = io.payload();
                        serveRepair(r[0] & 0xFF, FrameIO.getLong(r, 1), FrameIO.getLong(r, 9));
                    }
                }
            } catch (IOException e) {
                cut(e.getMessage() == null ? "the subscriber went away" : e.getMessage());
            }
        });
    }

    /**
     * Answers a REPAIR: the subscriber has lost its link to {@code origin} and asks for that origin's
     * records from {@code from}, which this node's {@link Mirror} may hold. Sends them as MIRRORED frames of
     * at most {@link #CHUNK} bytes up to the mirror's head (nothing when it does not hold {@code from}).
     * Runs on the ack reader: a repair is rare, and acknowledgements wait meanwhile, which is harmless.
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
        byte[] h = new byte[21 + count * ReplicationFrames.VECTOR_ENTRY + ReplicationFrames.VECTOR_ENTRY + 8];
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
        // after the vector, how many items follow: the subscriber sizes its index for them up front
        at = FrameIO.putLong(h, at, replication.store.currItems());
        io.send(ReplicationFrames.FULL, h, at);

        ItemStore store = replication.store;
        var remote = replication.remote;
        byte[][] buf = {new byte[CHUNK + 4096]};
        int[] pos = {4};
        long[] items = {0};
        int groups = remote.groups();
        for (int g = 0; g < groups && !closed; g++) {
            remote.visitGroup(g, groups, it -> {
                int nkey = Item.nkey(it);
                int nbytes = Item.nbytes(it);
                long len = MutationRecord.length(nkey, nbytes);
                if (pos[0] + len > buf[0].length) {
                    byte[] grown = new byte[(int) Math.max(buf[0].length * 2L, pos[0] + len)];
                    System.arraycopy(buf[0], 0, grown, 0, pos[0]);
                    buf[0] = grown;
                }
                byte[] b = buf[0];
                int o = pos[0];
                b[o + MutationRecord.OP] = MutationRecord.SET;
                b[o + MutationRecord.NKEY] = (byte) nkey;
                b[o + 2] = 0;
                b[o + 3] = 0;
                LE_INT.set(b, o + MutationRecord.FLAGS, Item.clientFlags(it));
                LE_INT.set(b, o + MutationRecord.EXPTIME, Item.exptime(it));
                LE_INT.set(b, o + MutationRecord.NBYTES, nbytes);
                LE_LONG.set(b, o + MutationRecord.VERSION, Item.cas(it));
                LE_LONG.set(b, o + MutationRecord.LOGGED_AT, 0L);
                NativeMemory.copyToArray(Item.key(it), b, o + MutationRecord.HEADER, nkey);
                int vo = o + MutationRecord.HEADER + nkey;
                for (long off = 0; off < nbytes; ) {
                    long run = store.contiguousFrom(it, off);
                    NativeMemory.copyToArray(store.valueAddress(it, off), b, vo + (int) off, (int) run);
                    off += run;
                }
                pos[0] += (int) len;
                items[0]++;
                return true;
            });
            if (pos[0] >= CHUNK || (g == groups - 1 && pos[0] > 4)) {
                FrameIO.putInt(buf[0], 0, store.clock().now());
                io.send(ReplicationFrames.SNAPSHOT, buf[0], pos[0]);
                pos[0] = 4;
                if (buf[0].length > 4 * CHUNK) {
                    buf[0] = new byte[CHUNK + 4096];
                }
            }
        }
        byte[] end = new byte[8];
        FrameIO.putLong(end, 0, items[0]);
        io.send(ReplicationFrames.SNAPSHOT_END, end, 8);
    }
}
