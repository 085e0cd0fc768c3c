package memfleet.node.replication;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import memfleet.protocol.replication.MutationRecord;
import memfleet.protocol.replication.ReplicationFrames;

/**
 * This node's subscription to one peer's stream: connects (retrying with backoff), asks to resume from
 * the position it has applied, takes a full copy when the peer says so, applies records
 * last-writer-wins and acknowledges them. Heartbeats both ways; a link silent for {@link
 * Replication#DEAD_MILLIS} is dropped and redialed.
 */
final class PeerLink {
    private static final int CONNECT_TIMEOUT_MILLIS = 1000;
    private static final long MIN_BACKOFF = 100;
    private static final long MAX_BACKOFF = 2000;
    private static final long REPAIR_RETRY_MILLIS = 2000;
    /** How long an anti-entropy round waits for each answer of its peer. */
    private static final long ROUND_STEP_SECONDS = 60;
    /** MIRRORED's fields before its records. */
    private static final int MIRRORED_HEADER = 4 + 1 + 8 + 8;

    private final Replication replication;
    private final String address;
    private final String host;
    private final int port;
    private volatile FrameIO io;
    private Thread thread;
    private volatile String state = "connecting";
    volatile int peerNode = -1;
    volatile String lastError;
    volatile long fullResyncs;
    volatile long partialResyncs;
    volatile long appliedOps;
    /** The full copy this link receives, if it receives one. */
    final CopyProgress copy = CopyProgress.receiving();
    private long peerReplid;
    /** This link has subscribed before: a later CONTINUE is a resume after a cut. */
    private boolean subscribedBefore;
    private long streamOffset;
    /** Per origin: {replid, from, when} of the last REPAIR sent on this link. */
    private final java.util.Map<Integer, long[]> repairAsked = new java.util.concurrent.ConcurrentHashMap<>();
    private final RecordApplier applier;

    PeerLink(Replication replication, String address, int defaultPort) {
        this.replication = replication;
        this.applier = new RecordApplier(replication.remote, replication.store);
        this.address = address;
        String h = address;
        int p = defaultPort;
        if (address.startsWith("[")) {
            int close = address.indexOf(']');
            h = address.substring(1, close);
            if (address.length() > close + 2 && address.charAt(close + 1) == ':') {
                p = Integer.parseInt(address.substring(close + 2));
            }
        } else if (address.indexOf(':') > 0 && address.indexOf(':') == address.lastIndexOf(':')) {
            h = address.substring(0, address.indexOf(':'));
            p = Integer.parseInt(address.substring(address.indexOf(':') + 1));
        }
        this.host = h;
        this.port = p;
    }

    String address() {
        return address;
    }

    String state() {
        return state;
    }

    /** Start-up: one attempt at a full copy from this peer. True when it completed (the stream continues). */
    boolean initialCopy() {
        try {
            return subscribe(true);
        } catch (IOException e) {
            lastError = e.getMessage();
            closeIo();
            state = "down";
            return false;
        }
    }

    void start() {
        thread = Thread.ofPlatform().daemon().name("replication-link-" + address).start(this::run);
    }

    void close() {
        state = "down";
        closeIo();
        if (thread != null) {
            thread.interrupt();
        }
    }

    private void closeIo() {
        copy.abortIfRunning();
        if (io != null) {
            io.close();
        }
    }

    private void run() {
        long backoff = MIN_BACKOFF;
        while (!replication.closed) {
            try {
                if (io == null && !subscribe(false)) {
                    throw new IOException("the peer is still copying from another node");
                }
                backoff = MIN_BACKOFF;
                stream();
            } catch (IOException e) {
                if (!replication.closed) {
                    lastError = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
                }
            }
            closeIo();
            io = null;
            if (replication.closed) {
                break;
            }
            state = "down";
            try {
                Thread.sleep(backoff);
            } catch (InterruptedException e) {
                break;
            }
            backoff = Math.min(backoff * 2, MAX_BACKOFF);
        }
        state = "down";
        applier.free();
    }

    /** Connects and subscribes; returns false when the peer is not ready to give a full copy. */
    private boolean subscribe(boolean wantFull) throws IOException {
        state = "connecting";
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(host, port), CONNECT_TIMEOUT_MILLIS);
            if (replication.tls != null) {
                var ssl = (javax.net.ssl.SSLSocket) replication.tls.clientJdk().getSocketFactory()
                        .createSocket(socket, host, port, true);
                ssl.setSoTimeout(Replication.DEAD_MILLIS);
                ssl.startHandshake();
                socket = ssl;
            }
            io = new FrameIO(socket, Replication.DEAD_MILLIS, replication.settings.replCompress);
        } catch (IOException e) {
            socket.close();
            throw e;
        }
        var applied = replication.applied;
        int count = applied.size();
        byte[] p = new byte[18 + (count + 1) * ReplicationFrames.VECTOR_ENTRY];
        FrameIO.putInt(p, 0, ReplicationFrames.MAGIC);
        p[4] = (byte) replication.nodeId;
        FrameIO.putLong(p, 5, replication.replid);
        p[13] = (byte) (wantFull ? 1 : 0);
        int n = 0;
        int at = 18;
        for (var e : applied.entrySet()) {
            if (n == count + 1) {
                break;
            }
            p[at] = (byte) (int) e.getKey();
            FrameIO.putLong(p, at + 1, e.getValue()[0]);
            FrameIO.putLong(p, at + 9, e.getValue()[1]);
            at += ReplicationFrames.VECTOR_ENTRY;
            n++;
        }
        FrameIO.putInt(p, 14, n);
        io.send(ReplicationFrames.SUBSCRIBE, p, at);
        byte type = io.read();
        byte[] r = io.payload();
        switch (type) {
            case ReplicationFrames.NOT_READY -> {
                closeIo();
                io = null;
                state = "down";
                return false;
            }
            case ReplicationFrames.REFUSED -> throw new IOException(new String(r, 0, io.length(), StandardCharsets.UTF_8));
            case ReplicationFrames.FULL -> {
                readPosition(r);
                state = "syncing";
                receiveSnapshot(r, io.length());
                fullResyncs++;
                subscribedBefore = true;
                replication.fullCopyFrom.add(peerNode);
                return true;
            }
            case ReplicationFrames.CONTINUE -> {
                boolean resumed = replication.applied.containsKey((int) (r[0] & 0xFF));
                readPosition(r);
                if (resumed || streamOffset > 0 || subscribedBefore) {
                    partialResyncs++;
                }
                subscribedBefore = true;
                return true;
            }
            default -> throw new IOException("unexpected replication frame " + type);
        }
    }

    private void readPosition(byte[] r) {
        peerNode = r[0] & 0xFF;
        peerReplid = FrameIO.getLong(r, 1);
        streamOffset = FrameIO.getLong(r, 9);
    }

    private void receiveSnapshot(byte[] header, int headerLength) throws IOException {
        int count = FrameIO.getInt(header, 17);
        long[][] vector = new long[count][];
        for (int i = 0, at = 21; i < count; i++, at += ReplicationFrames.VECTOR_ENTRY) {
            vector[i] = new long[] {header[at] & 0xFF, FrameIO.getLong(header, at + 1), FrameIO.getLong(header, at + 9)};
        }
        int itemsAt = 21 + count * ReplicationFrames.VECTOR_ENTRY;
        long totalItems = headerLength >= itemsAt + 8 ? FrameIO.getLong(header, itemsAt) : 0;
        replication.store.index().presize(totalItems);
        copy.start(totalItems, headerLength >= itemsAt + 16 ? FrameIO.getLong(header, itemsAt + 8) : 0);
        byte[] ack = new byte[8];
        FrameIO.putLong(ack, 0, -1);
        while (true) {
            byte type = io.read();
            if (type == ReplicationFrames.SNAPSHOT_END) {
                break;
            }
            if (type == ReplicationFrames.SNAPSHOT) {
                int senderClock = FrameIO.getInt(io.payload(), 0);
                long ops = applier.apply(io.payload(), 4, io.length() - 4, senderClock, null);
                appliedOps += ops;
                copy.add(ops, io.length() - 4);
            } else if (type != ReplicationFrames.PING) {
                throw new IOException("unexpected replication frame " + type + " in a full copy");
            }
            io.send(ReplicationFrames.ACK, ack, 8);
        }
        copy.end();
        // the copy holds what its source had applied from other nodes: resume those streams from there
        for (long[] v : vector) {
            int node = (int) v[0];
            if (node == replication.nodeId) {
                continue;
            }
            long[] have = replication.applied.get(node);
            if (have == null || have[0] != v[1] || have[1] < v[2]) {
                replication.applied.put(node, new long[] {v[1], v[2]});
            }
        }
        replication.applied.put(peerNode, new long[] {peerReplid, streamOffset});
    }

    private void stream() throws IOException {
        upSince = System.currentTimeMillis();
        state = "up";
        lastError = null;
        byte[] ack = new byte[8];
        while (!replication.closed) {
            byte type = io.read();
            byte[] p = io.payload();
            if (type == ReplicationFrames.RECORDS) {
                int senderClock = FrameIO.getInt(p, 0);
                long offset = FrameIO.getLong(p, 4);
                if (offset != streamOffset) {
                    throw new IOException("stream gap: expected offset " + streamOffset + ", got " + offset);
                }
                int len = io.length() - 12;
                appliedOps += applier.apply(p, 12, len, senderClock, null);
                if (len > 0 && replication.mirroring()) {
                    replication.mirror(peerNode, peerReplid, offset, applier.scratch(), len, senderClock);
                }
                streamOffset += len;
                replication.advance(peerNode, peerReplid, streamOffset);
            } else if (type == ReplicationFrames.MIRRORED) {
                applyMirrored(p, io.length());
            } else if (type >= ReplicationFrames.AE_DIGESTS && type <= ReplicationFrames.AE_DONE) {
                antiEntropyFrame(type, p, io.length());
            } else if (type != ReplicationFrames.PING) {
                throw new IOException("unexpected replication frame " + type);
            }
            FrameIO.putLong(ack, 0, streamOffset);
            io.send(ReplicationFrames.ACK, ack, 8);
        }
    }

    /**
     * Another peer's answer to {@link #requestRepair}: records of an origin this node has lost its link to,
     * from that peer's {@link Mirror}. Applied from the position this node holds (the frame may start
     * before it), then the position moves past them, so the link to the origin resumes after them.
     */
    private void applyMirrored(byte[] p, int length) {
        int originClock = FrameIO.getInt(p, 0);
        int origin = p[4] & 0xFF;
        long replid = FrameIO.getLong(p, 5);
        long offset = FrameIO.getLong(p, 13);
        long[] have = replication.applied.get(origin);
        if (have == null || have[0] != replid || offset > have[1]) {
            return; // another incarnation of the origin, or a gap: of no use here
        }
        int at = MIRRORED_HEADER;
        while (offset < have[1] && at + MutationRecord.HEADER <= length) {
            long len = MutationRecord.lengthAt(p, at);
            at += (int) len;
            offset += len;
        }
        if (offset != have[1] || at >= length) {
            return; // held already, or the position is not on a record boundary of this frame
        }
        int len = length - at;
        long ops = applier.apply(p, at, len, originClock, null);
        replication.repairedOps.addAndGet(ops);
        if (replication.mirroring()) {
            replication.mirror(origin, replid, offset, applier.scratch(), len, originClock);
        }
        replication.advance(origin, replid, offset + len);
    }

    /**
     * Asks this link's peer for {@code origin}'s records of incarnation {@code replid} from {@code from}
     * (this node has no live link to the origin). Asked again for the same position only after {@link
     * #REPAIR_RETRY_MILLIS}, so an answer still in flight is not asked for twice.
     */
    void requestRepair(int origin, long replid, long from) {
        long now = System.currentTimeMillis();
        long[] last = repairAsked.get(origin);
        if (last != null && last[0] == replid && last[1] == from && now - last[2] < REPAIR_RETRY_MILLIS) {
            return;
        }
        FrameIO link = io;
        if (link == null) {
            return;
        }
        byte[] r = new byte[17];
        r[0] = (byte) origin;
        FrameIO.putLong(r, 1, replid);
        FrameIO.putLong(r, 9, from);
        try {
            link.send(ReplicationFrames.REPAIR, r, r.length);
            repairAsked.put(origin, new long[] {replid, from, now});
            replication.repairsRequested.incrementAndGet();
        } catch (IOException e) {
            // the link is going down: its own thread sees it and redials
        }
    }

    // ---------------------------------------------------------------- anti-entropy

    /** The round running on this link (one at a time), or null; its peer's answers arrive on the link's thread. */
    private volatile Round round;
    volatile long aeRuns;
    /** When the link last came up: the first background round waits an interval from then. */
    volatile long upSince;
    volatile long aeLastAt;
    volatile String aeLast = "none";
    volatile long aeLastRangesDiffered;
    volatile long aeLastKeysRepaired;
    volatile long aeLastItemsExchanged;
    volatile long aeLastMillis;
    private final java.util.concurrent.atomic.AtomicBoolean aeRunning = new java.util.concurrent.atomic.AtomicBoolean();

    /** What a round waits for from the link's thread. */
    private static final class Round {
        final java.util.concurrent.CompletableFuture<byte[]> digests = new java.util.concurrent.CompletableFuture<>();
        final java.util.concurrent.CompletableFuture<Long> items = new java.util.concurrent.CompletableFuture<>();
        final java.util.concurrent.CompletableFuture<Long> done = new java.util.concurrent.CompletableFuture<>();
        final RecordBuffer refused = new RecordBuffer(4);
        long changedHere;
    }

    private void antiEntropyFrame(byte type, byte[] p, int length) {
        Round r = round;
        if (r == null) {
            return; // a round that timed out: its late answers change nothing
        }
        switch (type) {
            case ReplicationFrames.AE_DIGESTS -> r.digests.complete(java.util.Arrays.copyOf(p, length));
            case ReplicationFrames.AE_ITEMS -> {
                applier.apply(p, 4, length - 4, FrameIO.getInt(p, 0), r.items.isDone() ? null : r.refused);
                r.changedHere += applier.changed();
            }
            case ReplicationFrames.AE_ITEMS_END -> r.items.complete(FrameIO.getLong(p, 0));
            case ReplicationFrames.AE_DONE -> r.done.complete(FrameIO.getLong(p, 0));
            default -> { }
        }
    }

    /** True when an anti-entropy round may start on this link now (it is up and none runs). */
    boolean antiEntropyIdle() {
        return state.equals("up") && !aeRunning.get();
    }

    /**
     * One anti-entropy round with this link's peer ({@link AntiEntropy}), on the caller's thread: digests
     * both ways, then the items of the ranges that differ both ways. Does nothing when a round runs already
     * or the link is not up.
     */
    void antiEntropy() {
        if (!state.equals("up") || !aeRunning.compareAndSet(false, true)) {
            return;
        }
        long start = System.nanoTime();
        Round r = new Round();
        round = r;
        aeLast = "running";
        try {
            FrameIO link = io;
            if (link == null) {
                throw new IOException("the link went down");
            }
            byte[] ask = new byte[4];
            FrameIO.putInt(ask, 0, AntiEntropy.RANGES);
            link.send(ReplicationFrames.AE_DIGESTS_REQ, ask, 4);
            byte[] theirs = r.digests.get(ROUND_STEP_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
            byte[] ours = AntiEntropy.digests(replication.remote);
            int[] ranges = AntiEntropy.differing(theirs, theirs.length, ours);
            if (ranges == null) {
                throw new IOException("the peer digests its items in other ranges");
            }
            long exchanged = 0;
            long changedThere = 0;
            if (ranges.length > 0) {
                byte[] ask2 = AntiEntropy.rangesPayload(ranges);
                link.send(ReplicationFrames.AE_RANGES, ask2, ask2.length);
                exchanged += r.items.get(ROUND_STEP_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
                exchanged += AntiEntropy.sendRanges(link, ReplicationFrames.AE_PUSH, ranges, replication.remote,
                        replication.store, r.refused);
                byte[] end = new byte[8];
                FrameIO.putLong(end, 0, exchanged);
                link.send(ReplicationFrames.AE_PUSH_END, end, 8);
                changedThere = r.done.get(ROUND_STEP_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
            }
            var ae = replication.antiEntropy;
            ae.runs.incrementAndGet();
            ae.rangesDiffered.addAndGet(ranges.length);
            ae.keysRepaired.addAndGet(r.changedHere);
            aeLastRangesDiffered = ranges.length;
            aeLastItemsExchanged = exchanged;
            aeLastKeysRepaired = r.changedHere + changedThere;
            aeLast = "done";
        } catch (IOException | java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            aeLast = "failed";
            lastError = "anti-entropy: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        } catch (InterruptedException e) {
            aeLast = "failed";
            Thread.currentThread().interrupt();
        } finally {
            round = null;
            aeRuns++;
            aeLastAt = System.currentTimeMillis();
            aeLastMillis = (System.nanoTime() - start) / 1_000_000;
            aeRunning.set(false);
        }
    }
}
