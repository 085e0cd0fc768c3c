package memfleet.node.it.clients;

import net.spy.memcached.CachedData;
import net.spy.memcached.transcoders.Transcoder;

/**
 * A spymemcached transcoder that passes bytes and flags through untouched: no compression, no serialization, so
 * what the test sends is exactly what the server stores (spymemcached's default would gzip values over 16 KB).
 */
final class FlaggedBytesTranscoder implements Transcoder<FlaggedBytes> {
    /** Larger than any item memcached accepts by default, so oversized values reach the server to be refused. */
    private static final int MAX_SIZE = 4 * 1024 * 1024;

    @Override
    public boolean asyncDecode(CachedData d) {
        return false;
    }

    @Override
    public CachedData encode(FlaggedBytes value) {
        return new CachedData(value.flags(), value.data(), MAX_SIZE);
    }

    @Override
    public FlaggedBytes decode(CachedData d) {
        return new FlaggedBytes(d.getFlags(), d.getData());
    }

    @Override
    public int getMaxSize() {
        return MAX_SIZE;
    }
}
