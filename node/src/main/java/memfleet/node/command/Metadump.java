package memfleet.node.command;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CancellationException;

import io.netty.buffer.ByteBuf;
import memfleet.node.Node;
import memfleet.node.store.Item;
import memfleet.node.store.ItemStore;
import memfleet.node.store.LruCrawler;
import memfleet.node.store.NativeMemory;
import memfleet.node.store.SegmentedLru;

/**
 * {@code lru_crawler metadump}: streams one line per live item ("key=... exp=... la=... cas=...
 * fetch=... cls=... size=...\n", keys URL-encoded, newline only as memcached writes them) then END, in chunks, off the event loop. Like
 * memcached's crawler writing to the client, it walks with a marker so no list stays locked, and it
 * waits for a slow reader between chunks instead of buffering the whole cache in memory.
 */
public final class Metadump {
    private static final int CHUNK = 64 * 1024;

    /** Where chunks go: {@code send} may block until the client has read enough, or throw when it left. */
    public interface Sink {
        ByteBuf newChunk();

        void send(ByteBuf chunk);
    }

    private final Node node;
    private final boolean[] classes;

    public Metadump(Node node, boolean[] classes) {
        this.node = node;
        this.classes = classes;
    }

    /** Runs the dump to its END; frees the crawler's dump slot however it ends. */
    public void run(Sink sink) {
        ItemStore store = node.store();
        LruCrawler crawler = node.crawler();
        long started = store.clock().processStarted();
        byte[] key = new byte[256];
        StringBuilder sb = new StringBuilder(256);
        ByteBuf[] chunk = {sink.newChunk()};
        try {
            for (int c = 1; c <= store.slabs().largest(); c++) {
                if (!classes[c]) {
                    continue;
                }
                int clsid = c;
                for (int seg = 0; seg < SegmentedLru.SEGMENTS; seg++) {
                    crawler.crawl(c, seg, new LruCrawler.Dump() {
                        @Override
                        public void item(long it) {
                            format(it, clsid, started, key, sb);
                            chunk[0].writeBytes(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
                        }

                        @Override
                        public void afterStep() {
                            if (chunk[0].readableBytes() >= CHUNK) {
                                sink.send(chunk[0]);
                                chunk[0] = sink.newChunk();
                            }
                        }
                    });
                }
            }
            chunk[0].writeBytes("END\r\n".getBytes(StandardCharsets.US_ASCII));
            sink.send(chunk[0]);
            chunk[0] = null;
        } catch (CancellationException gone) {
            // the client went away mid-dump: stop walking
        } finally {
            if (chunk[0] != null) {
                chunk[0].release();
            }
            crawler.endDump();
        }
    }

    private void format(long it, int clsid, long started, byte[] key, StringBuilder sb) {
        int nkey = Item.nkey(it);
        NativeMemory.copyToArray(Item.key(it), key, 0, nkey);
        sb.setLength(0);
        sb.append("key=");
        memfleet.node.watch.KeyText.uriencode(key, nkey, sb);
        int exp = Item.exptime(it);
        sb.append(" exp=").append(exp == 0 ? -1 : exp + started)
                .append(" la=").append(Item.time(it) + started)
                .append(" cas=").append(Long.toUnsignedString(Item.cas(it)))
                .append(" fetch=").append(Item.has(it, Item.FETCHED) ? "yes" : "no")
                .append(" cls=").append(clsid)
                .append(" size=").append(node.store().totalOf(it)).append('\n'); // memcached ends these with \n only
    }
}
