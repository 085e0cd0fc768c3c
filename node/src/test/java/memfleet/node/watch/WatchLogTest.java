package memfleet.node.watch;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The fan-out of {@link WatchLog}: flags, formats, the bounded room with its skipped= line, the watcher limit. */
class WatchLogTest {
    /** A sink with a fixed room, recording what it got. */
    private static final class Lines implements WatchLog.Sink {
        final List<String> got = new ArrayList<>();
        long room = Long.MAX_VALUE;

        @Override
        public long room() {
            return room;
        }

        @Override
        public void write(byte[] line) {
            got.add(new String(line, StandardCharsets.ISO_8859_1));
        }
    }

    @Test
    void nothingIsLoggedUntilSomeoneWatchesAndOnlyWhatTheyAskFor() {
        WatchLog log = new WatchLog();
        assertThat(log.wants(WatchLog.FETCHERS)).isFalse();
        log.connNew("127.0.0.1", 5000, "tcp", 9);
        assertThat(log.workerWritten()).isZero();

        Lines conns = new Lines();
        Object h = log.add(conns, WatchLog.CONNEVENTS);
        assertThat(log.wants(WatchLog.CONNEVENTS)).isTrue();
        assertThat(log.wants(WatchLog.FETCHERS)).isFalse();
        log.slabMove(3, 0); // sysevents: nobody asked
        log.connClose("::1", 6000, "tcp", "idle_timeout", 11);
        assertThat(conns.got).hasSize(2);
        assertThat(conns.got.get(0)).isEqualTo("OK\r\n");
        assertThat(conns.got.get(1)).matches(
                "ts=\\d+\\.\\d{1,6} gid=\\d+ type=conn_close rip=::1 rport=6000 transport=tcp reason=idle_timeout cfd=11\n");
        assertThat(log.watcherSent()).isEqualTo(1);
        assertThat(log.watchers()).isEqualTo(1);

        log.remove(h);
        assertThat(log.wants(WatchLog.CONNEVENTS)).isFalse();
        assertThat(log.watchers()).isZero();
    }

    @Test
    void aWatcherWithoutRoomSkipsLinesAndHearsHowManyWithTheNextThatFits() {
        WatchLog log = new WatchLog();
        Lines slow = new Lines();
        log.add(slow, WatchLog.SYSEVENTS);
        slow.room = 100; // a line needs its length plus 128
        log.slabMove(1, 2);
        log.slabMove(1, 3);
        assertThat(slow.got).containsExactly("OK\r\n");
        assertThat(log.watcherSkipped()).isEqualTo(2);
        slow.room = Long.MAX_VALUE;
        log.slabMove(1, 4);
        assertThat(slow.got).hasSize(3);
        assertThat(slow.got.get(1)).isEqualTo("skipped=2\n");
        assertThat(slow.got.get(2)).endsWith(" type=slab_move src=1 dst=4\n");
    }

    @Test
    void gidsCountEveryLineAndEveryWatcherAdded() {
        WatchLog log = new WatchLog();
        Lines a = new Lines();
        log.add(a, WatchLog.SYSEVENTS); // gid 1
        log.slabMove(1, 0); // gid 2
        Lines b = new Lines();
        log.add(b, WatchLog.SYSEVENTS); // gid 3
        log.slabMove(2, 0); // gid 4
        assertThat(a.got.get(1)).contains(" gid=2 ");
        assertThat(a.got.get(2)).contains(" gid=4 ");
        assertThat(b.got).hasSize(2);
        assertThat(b.got.get(1)).contains(" gid=4 ");
    }

    @Test
    void twentyWatchersAtMost() {
        WatchLog log = new WatchLog();
        for (int i = 0; i < WatchLog.WATCHER_LIMIT; i++) {
            assertThat(log.add(new Lines(), WatchLog.FETCHERS)).isNotNull();
        }
        assertThat(log.add(new Lines(), WatchLog.FETCHERS)).isNull();
    }

    @Test
    void keysAreUriencodedAsMemcachedEncodesThem() {
        StringBuilder sb = new StringBuilder();
        byte[] key = "a:b c<d>~-._\u0001".getBytes(StandardCharsets.ISO_8859_1);
        KeyText.uriencode(key, key.length, sb);
        assertThat(sb).hasToString("a%3Ab%20c%3Cd%3E~-._%01");
    }

    @Test
    void optionsAreMemcachedsNames() {
        assertThat(WatchLog.option("fetchers")).isEqualTo(WatchLog.FETCHERS);
        assertThat(WatchLog.option("mutations")).isEqualTo(WatchLog.MUTATIONS);
        assertThat(WatchLog.option("evictions")).isEqualTo(WatchLog.EVICTIONS);
        assertThat(WatchLog.option("connevents")).isEqualTo(WatchLog.CONNEVENTS);
        assertThat(WatchLog.option("sysevents")).isEqualTo(WatchLog.SYSEVENTS);
        assertThat(WatchLog.option("deletions")).isZero(); // not in 1.6.18
        assertThat(WatchLog.option("noreply")).isZero();
    }
}
