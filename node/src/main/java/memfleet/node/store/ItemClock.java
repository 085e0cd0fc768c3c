package memfleet.node.store;

/**
 * memcached's clock: {@code current_time} is seconds since a moment 62 s before the process started
 * ({@code process_started}), ticked by a background thread. Exptimes and access times are stored in this
 * relative form; {@link #realtime(long)} converts a client's exptime exactly as memcached does.
 */
public final class ItemClock {
    /** memcached's REALTIME_MAXDELTA: exptimes above 30 days are absolute unix times. */
    public static final long REALTIME_MAXDELTA = 60L * 60 * 24 * 30;
    /** memcached's ITEM_UPDATE_INTERVAL, also the head start of the clock. */
    public static final int ITEM_UPDATE_INTERVAL = 60;

    private final long processStarted;
    private volatile int currentTime;

    public ItemClock() {
        long now = System.currentTimeMillis() / 1000;
        processStarted = now - ITEM_UPDATE_INTERVAL - 2;
        currentTime = (int) (now - processStarted);
    }

    /** Advances {@code current_time} from the wall clock; called about once a second. */
    public void tick() {
        int t = (int) (System.currentTimeMillis() / 1000 - processStarted);
        if (t > currentTime) {
            currentTime = t;
        }
    }

    public int now() {
        return currentTime;
    }

    /** Unix time at which relative time 0 falls. */
    public long processStarted() {
        return processStarted;
    }

    /** Current unix time as memcached reports it ({@code process_started + current_time}). */
    public long unixNow() {
        return processStarted + currentTime;
    }

    /**
     * memcached's {@code realtime(EXPTIME_TO_POSITIVE_TIME(exptime))}: 0 stays 0 (never), negative means
     * already expired, up to 30 days is relative, larger is an absolute unix time.
     */
    public int realtime(int exptime) {
        long e = exptime < 0 ? REALTIME_MAXDELTA + 1 : exptime;
        if (e == 0) {
            return 0;
        }
        if (e > REALTIME_MAXDELTA) {
            if (e <= processStarted) {
                return 1;
            }
            return (int) (e - processStarted);
        }
        return (int) (e + currentTime);
    }
}
