package memfleet.node.store;

import java.util.concurrent.locks.ReentrantLock;

import memfleet.node.os.Libc;

/**
 * memcached's slab allocator ({@code slabs.c}) over one reserved native region: pages of {@code
 * slab_page_size} are taken on demand up to the memory limit, each owned by one size class and cut into
 * equal chunks. Chunk sizes grow from {@code HEADER + chunk_size} by the growth factor up to {@code
 * slab_chunk_max}. A free chunk is marked {@link Item#SLABBED} and kept on its class's free list. Each
 * class has its own lock; pages the rebalancer moves go to their destination class, or to the global pool.
 */
public final class SlabAllocator {
    /** memcached's MAX_NUMBER_OF_SLAB_CLASSES: ids run from 1 to 63. */
    public static final int MAX_CLASSES = 64;

    private final long base;
    private final long reservedBytes;
    private final int shift;
    private final int pageSize;
    private final int chunkMax;
    private final int[] chunkSize = new int[MAX_CLASSES];
    private final int[] perSlab = new int[MAX_CLASSES];
    private final int largest;

    private final ReentrantLock[] locks = new ReentrantLock[MAX_CLASSES];
    private final int[] freeHead = new int[MAX_CLASSES];
    private final int[] freeCount = new int[MAX_CLASSES];
    private final long[] carveNext = new long[MAX_CLASSES];
    private final int[] carveLeft = new int[MAX_CLASSES];
    private final int[][] pageList = new int[MAX_CLASSES][];
    private final int[] pageCount = new int[MAX_CLASSES];
    private final long[] requested = new long[MAX_CLASSES];
    private final int[] usedChunks = new int[MAX_CLASSES];
    private final byte[] pageOwner;
    private static final byte MOVING = -1;

    private final ReentrantLock globalLock = new ReentrantLock();
    private final int[] pool;
    private int poolSize;
    /** Pages whose memory went back to the system (over a lowered limit), to be taken again before fresh ones. */
    private final int[] unmapped;
    private int unmappedCount;
    private int freshPages = 1; // page 0 is never handed out: ref 0 means null
    private volatile long memLimit;
    private volatile long malloced;
    private volatile int mallocFails;
    /** Set by {@link #detachPage}: the first chunk address of the page that was never handed out. */
    long detachedCarveEnd;

    /**
     * Reserves (but does not touch) address space for {@code maxBytes} of pages plus headroom for
     * {@code cache_memlimit} to grow and for one page per class beyond the limit, as memcached allows.
     */
    public SlabAllocator(long maxBytes, int pageSize, int chunkMax, int minChunk, double factor, boolean largePages) {
        this.pageSize = pageSize;
        this.chunkMax = chunkMax;
        this.memLimit = maxBytes;
        // address space only (MAP_NORESERVE): room for cache_memlimit to grow as memcached lets it, up to
        // what 32-bit refs at 8-byte alignment reach; a larger -m gets twice itself at a coarser alignment
        long reserve = Math.max(maxBytes * 2, (32L << 30) - (long) (MAX_CLASSES + 2) * pageSize)
                + (long) (MAX_CLASSES + 2) * pageSize;
        reserve = (reserve + pageSize - 1) / pageSize * pageSize;
        int s = 3;
        while ((reserve >>> s) > 0xFFFF_FFFFL) {
            s++;
        }
        this.shift = s;
        this.reservedBytes = reserve;
        this.base = Libc.mmapAnonymous(reserve);
        if (largePages) {
            Libc.madviseHugepage(base, reserve);
        }
        int pages = (int) (reserve / pageSize);
        this.pageOwner = new byte[pages];
        this.pool = new int[pages];
        this.unmapped = new int[pages];
        int align = 1 << shift;
        int i = 0;
        double size = Item.HEADER + minChunk;
        while (++i < MAX_CLASSES - 1) {
            if (size >= chunkMax / factor) {
                break;
            }
            int sz = (int) size;
            if (sz % align != 0) {
                sz += align - (sz % align);
            }
            chunkSize[i] = sz;
            perSlab[i] = pageSize / sz;
            size = sz * factor;
        }
        largest = i;
        chunkSize[largest] = chunkMax;
        perSlab[largest] = pageSize / chunkMax;
        for (int c = 0; c < MAX_CLASSES; c++) {
            locks[c] = new ReentrantLock();
            pageList[c] = new int[4];
        }
    }

    /** Address of the region's first byte; page 0 there holds the crawlers' marker nodes. */
    public long base() {
        return base;
    }

    public int ref(long address) {
        return address == 0 ? 0 : (int) ((address - base) >>> shift);
    }

    public long address(int ref) {
        return ref == 0 ? 0 : base + ((ref & 0xFFFF_FFFFL) << shift);
    }

    public int pageSize() {
        return pageSize;
    }

    public int chunkMax() {
        return chunkMax;
    }

    /** Highest class id (memcached's {@code power_largest}): its chunks are {@code slab_chunk_max}. */
    public int largest() {
        return largest;
    }

    public int chunkSize(int clsid) {
        return chunkSize[clsid];
    }

    public int perSlab(int clsid) {
        return perSlab[clsid];
    }

    /** The smallest class whose chunks hold {@code size} bytes; {@link #largest()} for chunked items. */
    public int classFor(long size) {
        int c = 1;
        while (size > chunkSize[c]) {
            if (c++ == largest) {
                return largest;
            }
        }
        return c;
    }

    public long memLimit() {
        return memLimit;
    }

    /** memcached's {@code slabs_adjust_mem_limit}; false when the region cannot hold that much. */
    public boolean adjustMemLimit(long bytes) {
        if (bytes > reservedBytes - (long) (MAX_CLASSES + 2) * pageSize) {
            return false;
        }
        memLimit = bytes;
        return true;
    }

    /** Counts {@code bytes} as malloced already ({@code T_MEMD_INITIAL_MALLOC}): fewer fresh pages fit under the limit. */
    public void countMalloced(long bytes) {
        globalLock.lock();
        try {
            malloced += bytes;
        } finally {
            globalLock.unlock();
        }
    }

    public long totalMalloced() {
        return malloced;
    }

    public int mallocFails() {
        return mallocFails;
    }

    public ReentrantLock lock(int clsid) {
        return locks[clsid];
    }

    /**
     * Takes a chunk of class {@code clsid} for an item of {@code size} bytes, or returns 0 when the class
     * has none free and no page can be added (the caller then evicts and retries).
     */
    public long alloc(int clsid, int size) {
        ReentrantLock lock = locks[clsid];
        lock.lock();
        try {
            long chunk;
            int head = freeHead[clsid];
            if (head != 0) {
                chunk = address(head);
                freeHead[clsid] = Item.next(chunk);
                freeCount[clsid]--;
            } else {
                if (carveLeft[clsid] == 0 && !newPage(clsid)) {
                    return 0;
                }
                chunk = carveNext[clsid];
                carveNext[clsid] += chunkSize[clsid];
                carveLeft[clsid]--;
            }
            Item.iflags(chunk, 0);
            requested[clsid] += size;
            usedChunks[clsid]++;
            return chunk;
        } finally {
            lock.unlock();
        }
    }

    /** Returns a chunk to its class's free list. */
    public void free(long chunk, int clsid, int size) {
        ReentrantLock lock = locks[clsid];
        lock.lock();
        try {
            Item.iflags(chunk, Item.SLABBED);
            requested[clsid] -= size;
            usedChunks[clsid]--;
            if (pageOwner[pageOf(chunk)] == MOVING) {
                return; // its page is being emptied by the rebalancer: not for reuse
            }
            Item.next(chunk, freeHead[clsid]);
            freeHead[clsid] = ref(chunk);
            freeCount[clsid]++;
        } finally {
            lock.unlock();
        }
    }

    /** Under the class lock: adds a page to the class, from the global pool or fresh memory. */
    private boolean newPage(int clsid) {
        int page;
        globalLock.lock();
        try {
            if (poolSize > 0) {
                page = pool[--poolSize];
            } else {
                long limit = memLimit;
                if (limit > 0 && malloced + pageSize > limit && pageCount[clsid] > 0) {
                    mallocFails++;
                    return false;
                }
                if (unmappedCount > 0) {
                    page = unmapped[--unmappedCount];
                } else if (freshPages >= pageOwner.length) {
                    mallocFails++;
                    return false;
                } else {
                    page = freshPages++;
                }
                malloced += pageSize;
            }
            pageOwner[page] = (byte) clsid;
        } finally {
            globalLock.unlock();
        }
        addPage(clsid, page);
        long start = base + (long) page * pageSize;
        carveNext[clsid] = start;
        carveLeft[clsid] = perSlab[clsid];
        return true;
    }

    private void addPage(int clsid, int page) {
        int[] list = pageList[clsid];
        if (pageCount[clsid] == list.length) {
            list = java.util.Arrays.copyOf(list, list.length * 2);
            pageList[clsid] = list;
        }
        list[pageCount[clsid]++] = page;
    }

    /** Page index holding {@code address}. */
    public int pageOf(long address) {
        return (int) ((address - base) / pageSize);
    }

    /** Class that owns {@code page} (0 when in the global pool or never used). */
    public int owner(int page) {
        return pageOwner[page];
    }

    public long pageAddress(int page) {
        return base + (long) page * pageSize;
    }

    // ---- figures for stats slabs (read without locks, as memcached's are read under one briefly) ----

    public int totalPages(int clsid) {
        return pageCount[clsid];
    }

    public int freeChunks(int clsid) {
        return freeCount[clsid];
    }

    public int freeChunksEnd(int clsid) {
        return carveLeft[clsid];
    }

    public int usedChunks(int clsid) {
        return usedChunks[clsid];
    }

    public long requested(int clsid) {
        return requested[clsid];
    }

    public int globalPoolPages() {
        return poolSize;
    }

    /**
     * Rebalancer step 1, under the class lock: detaches the class's most recently added page so that no
     * new chunk is handed out from it. Returns the page index, or -1 when the class has at most one page.
     */
    int detachPage(int clsid) {
        ReentrantLock lock = locks[clsid];
        lock.lock();
        try {
            if (pageCount[clsid] <= 1) {
                return -1;
            }
            int page = pageList[clsid][--pageCount[clsid]];
            pageOwner[page] = MOVING;
            long start = pageAddress(page);
            long end = start + pageSize;
            detachedCarveEnd = end;
            if (carveLeft[clsid] > 0 && carveNext[clsid] >= start && carveNext[clsid] < end) {
                detachedCarveEnd = carveNext[clsid]; // chunks from here on were never handed out
                carveLeft[clsid] = 0;
            }
            // drop this page's chunks from the free list so that nobody takes them again
            int prevRef = 0;
            int ref = freeHead[clsid];
            while (ref != 0) {
                long chunk = address(ref);
                int next = Item.next(chunk);
                if (chunk >= start && chunk < end) {
                    if (prevRef == 0) {
                        freeHead[clsid] = next;
                    } else {
                        Item.next(address(prevRef), next);
                    }
                    freeCount[clsid]--; // stays marked SLABBED: the mover skips it
                } else {
                    prevRef = ref;
                }
                ref = next;
            }
            return page;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Rebalancer step 3 for {@code slabs reassign <src> 0}: the emptied page's memory goes back to the OS and
     * the page joins the global pool, for any class to take. A page moved to the pool itself ({@code toPool}, memcached's {@code
     * slabs reassign <src> 0}) while more is malloced than the limit (after {@code cache_memlimit} was lowered)
     * is freed instead and leaves {@code total_malloced}, as memcached frees it.
     */
    void releasePage(int page, boolean toPool) {
        Libc.madviseDontneed(pageAddress(page), pageSize);
        globalLock.lock();
        try {
            pageOwner[page] = 0;
            long limit = memLimit;
            if (toPool && limit > 0 && malloced > limit) {
                malloced -= pageSize;
                unmapped[unmappedCount++] = page;
            } else {
                pool[poolSize++] = page;
            }
        } finally {
            globalLock.unlock();
        }
    }

    /**
     * Rebalancer step 3 for {@code slabs reassign <src> <dst>} with a class as destination: memcached's
     * {@code slab_rebalance_finish} gives the emptied page to {@code dst} at once, every chunk of it on the
     * class's free list ({@code total_malloced} unchanged).
     */
    void givePage(int page, int dst) {
        Libc.madviseDontneed(pageAddress(page), pageSize);
        ReentrantLock lock = locks[dst];
        lock.lock();
        try {
            globalLock.lock();
            try {
                pageOwner[page] = (byte) dst;
            } finally {
                globalLock.unlock();
            }
            addPage(dst, page);
            long start = pageAddress(page);
            int size = chunkSize[dst];
            for (int i = perSlab[dst] - 1; i >= 0; i--) {
                long chunk = start + (long) i * size;
                Item.iflags(chunk, Item.SLABBED);
                Item.next(chunk, freeHead[dst]);
                freeHead[dst] = ref(chunk);
                freeCount[dst]++;
            }
        } finally {
            lock.unlock();
        }
    }

    /** Pages handed out in all, including those in the global pool. */
    public int pagesInUse() {
        return freshPages - 1 - unmappedCount;
    }
}
