package memfleet.node.it.differential;

import static java.util.concurrent.TimeUnit.SECONDS;
import static memfleet.node.it.differential.CommandStreamGenerator.largestValue;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import memfleet.node.it.ServerProcess;
import memfleet.node.it.ServerRun;
import memfleet.node.it.ServerTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Hand-written text-protocol scenarios, each sent to Debian's memcached and to the subject in lockstep
 * ({@link Lockstep}): the replies must be equal, and each scenario also states memcached 1.6.18's exact reply, so
 * it documents the behaviour the node must reproduce. These cover what random streams cannot: time passing
 * ({@code flush_all} with a delay), connection closes, and exact boundaries.
 */
@ServerTest(sideBySide = true)
@Timeout(value = 60, unit = SECONDS)
class TextProtocolScenariosIT {
    /** Both servers are started by the first scenario and shared by all: closed when the run ends. */
    private final ServerProcess reference;
    private final ServerProcess subject;

    TextProtocolScenariosIT(ServerRun run) {
        reference = run.sharedOf("reference", "memcached", "-m", "64", "-t", "2");
        subject = run.sharedOf("subject", Subject.kind(), "-m", "64", "-t", "2");
    }

    private Lockstep lockstep() {
        return new Lockstep(reference, subject);
    }

    @Test
    void flushAllWithADelayInvalidatesEverythingStoredBeforeTheDeadline() throws InterruptedException {
        try (Lockstep both = lockstep()) {
            assertThat(both.send("set fd_a 0 0 1\r\na\r\nset fd_b 0 0 1\r\nb\r\n")).isEqualTo("STORED\r\nSTORED\r\n");
            // in one write, so that memcached's one-second clock cannot tick between the two commands
            assertThat(both.send("flush_all 2\r\nget fd_a\r\nset fd_c 0 0 1\r\nc\r\n"))
                    .isEqualTo("OK\r\nVALUE fd_a 0 1\r\na\r\nEND\r\nSTORED\r\n");
            Thread.sleep(3000);
            // fd_c was stored after the flush_all command but before its deadline: it goes too
            assertThat(both.send("get fd_a fd_b fd_c\r\n")).isEqualTo("END\r\n");
            assertThat(both.send("set fd_d 0 0 1\r\nd\r\nget fd_d\r\n"))
                    .isEqualTo("STORED\r\nVALUE fd_d 0 1\r\nd\r\nEND\r\n");
        }
    }

    @Test
    void flushAllWithoutADelayAndItsErrors() {
        try (Lockstep both = lockstep()) {
            both.send("set fn 0 0 1\r\na\r\n");
            assertThat(both.send("flush_all\r\nget fn\r\nset fn 0 0 1\r\nb\r\nget fn\r\n"))
                    .isEqualTo("OK\r\nEND\r\nSTORED\r\nVALUE fn 0 1\r\nb\r\nEND\r\n");
            assertThat(both.send("flush_all noreply\r\nflush_all 0\r\nflush_all -1\r\nflush_all x\r\n"
                            + "flush_all x noreply\r\nflush_all 1 2 3\r\nflush_all noreply x\r\nget fn\r\n"))
                    .isEqualTo("OK\r\nOK\r\nCLIENT_ERROR invalid exptime argument\r\nERROR\r\n"
                            + "CLIENT_ERROR invalid exptime argument\r\nEND\r\n");
        }
    }

    @Test
    void casAfterFlushAndAfterAStore() {
        try (Lockstep both = lockstep()) {
            assertThat(both.send("set cf 0 0 1\r\na\r\ngets cf\r\n"))
                    .matches("STORED\r\nVALUE cf 0 1 \\d+\r\na\r\nEND\r\n");
            assertThat(both.send("flush_all\r\n")).isEqualTo("OK\r\n");
            assertThat(both.sendWithCas("cas cf 0 0 1 {cas}\r\nb\r\n", "cf")).isEqualTo("NOT_FOUND\r\n");
            assertThat(both.send("set cf 0 0 1\r\nc\r\n")).isEqualTo("STORED\r\n");
            assertThat(both.sendWithCas("cas cf 0 0 1 {cas}\r\nd\r\n", "cf")).isEqualTo("EXISTS\r\n");
            both.send("gets cf\r\n");
            assertThat(both.sendWithCas("cas cf 5 0 1 {cas}\r\ne\r\n", "cf")).isEqualTo("STORED\r\n");
            assertThat(both.sendWithCas("cas cf 0 0 1 {cas}\r\nf\r\n", "cf")).isEqualTo("EXISTS\r\n");
            assertThat(both.sendWithCas("cas cf 0 0 1 {cas} noreply\r\nf\r\nget cf\r\n", "cf"))
                    .isEqualTo("VALUE cf 5 1\r\ne\r\nEND\r\n");
            assertThat(both.send("cas cfmissing 0 0 1 1\r\nx\r\ncas cf 0 0 1 0\r\nx\r\ncas cf 0 0 1\r\nx\r\n"
                            + "cas cf 0 0 1 -1\r\nx\r\n"))
                    .isEqualTo("NOT_FOUND\r\nEXISTS\r\nERROR\r\nERROR\r\nCLIENT_ERROR bad command line format\r\n"
                            + "ERROR\r\n");
        }
    }

    @Test
    void casChangesOnEveryStoreButNotOnTouch() {
        try (Lockstep both = lockstep()) {
            String reply = both.send("set cc 0 0 2\r\n12\r\ngets cc\r\ntouch cc 1000\r\ngats 2000 cc\r\nincr cc 1\r\n"
                    + "gets cc\r\nappend cc 0 0 1\r\n4\r\ngets cc\r\n");
            List<String> cas = casValues(reply);
            assertThat(reply.replaceAll("(VALUE cc \\d+ \\d+) \\d+", "$1 <cas>")).isEqualTo("STORED\r\n"
                    + "VALUE cc 0 2 <cas>\r\n12\r\nEND\r\nTOUCHED\r\nVALUE cc 0 2 <cas>\r\n12\r\nEND\r\n13\r\n"
                    + "VALUE cc 0 2 <cas>\r\n13\r\nEND\r\nSTORED\r\nVALUE cc 0 3 <cas>\r\n134\r\nEND\r\n");
            assertThat(cas.get(0)).isEqualTo(cas.get(1));
            assertThat(cas.get(2)).isNotEqualTo(cas.get(1));
            assertThat(cas.get(3)).isNotEqualTo(cas.get(2));
        }
    }

    @Test
    void incrAndDecrAt64BitEdgesRewriteTheValueInPlace() {
        try (Lockstep both = lockstep()) {
            // a shorter result keeps the value's length, padded with spaces; a longer one makes a new value
            assertThat(both.send("set n1 0 0 3\r\n100\r\ndecr n1 91\r\nget n1\r\nincr n1 991\r\nget n1\r\n"))
                    .isEqualTo("STORED\r\n9\r\nVALUE n1 0 3\r\n9  \r\nEND\r\n1000\r\nVALUE n1 0 4\r\n1000\r\nEND\r\n");
            assertThat(both.send("set n2 5 0 5\r\n   10\r\nincr n2 1\r\nget n2\r\n"))
                    .isEqualTo("STORED\r\n11\r\nVALUE n2 5 5\r\n11   \r\nEND\r\n");
            // for a stored number of 2^63 or more memcached looks for a '-' with strchr, past the number up to a
            // NUL: a NUL right after the number keeps that inside the value, a '-' anywhere after it fails it
            assertThat(both.send("set n3 0 0 21\r\n18446744073709551615\0\r\nincr n3 1\r\nget n3\r\n"
                            + "incr n3 18446744073709551615\r\nset n3 0 0 21\r\n18446744073709551615\0\r\n"
                            + "incr n3 2\r\n"))
                    .isEqualTo("STORED\r\n0\r\nVALUE n3 0 21\r\n0                    \r\nEND\r\n"
                            + "18446744073709551615\r\nSTORED\r\n1\r\n");
            assertThat(both.send("set n15 0 0 22\r\n18446744073709551615 -\r\nincr n15 1\r\n"
                            + "set n16 0 0 21\r\n1844674407370955161 -\r\nincr n16 1\r\n"))
                    .isEqualTo("STORED\r\nCLIENT_ERROR cannot increment or decrement non-numeric value\r\n"
                            + "STORED\r\n1844674407370955162\r\n");
            assertThat(both.send("set n4 0 0 1\r\n5\r\ndecr n4 6\r\ndecr n4 18446744073709551615\r\n"))
                    .isEqualTo("STORED\r\n0\r\n0\r\n");
            assertThat(both.send("set n9 7 0 1\r\n9\r\nincr n9 1\r\nget n9\r\n"))
                    .isEqualTo("STORED\r\n10\r\nVALUE n9 7 2\r\n10\r\nEND\r\n");
            assertThat(both.send("set n10 0 0 27\r\n000000000000000000000000001\r\nincr n10 1\r\nget n10\r\n"))
                    .isEqualTo("STORED\r\n2\r\nVALUE n10 0 27\r\n2                          \r\nEND\r\n");
            String notNumeric = "CLIENT_ERROR cannot increment or decrement non-numeric value\r\n";
            assertThat(both.send("set n5 0 0 3\r\nabc\r\nincr n5 1\r\nset n6 0 0 2\r\n-1\r\ndecr n6 1\r\n"
                            + "set n7 0 0 0\r\n\r\nincr n7 1\r\nset n8 0 0 20\r\n18446744073709551616\r\nincr n8 1\r\n"
                            + "set n11 0 0 3\r\n12a\r\nincr n11 1\r\n"))
                    .isEqualTo(("STORED\r\n" + notNumeric).repeat(5));
            // what strtoull accepts: leading whitespace, a sign, trailing junk after a space
            assertThat(both.send("set n12 0 0 3\r\n1 2\r\nincr n12 1\r\nset n13 0 0 2\r\n+1\r\nincr n13 1\r\n"
                            + "set n14 0 0 2\r\n-0\r\nincr n14 1\r\n"))
                    .isEqualTo("STORED\r\n2\r\nSTORED\r\n2\r\nSTORED\r\n1\r\n");
            String badDelta = "CLIENT_ERROR invalid numeric delta argument\r\n";
            assertThat(both.send("incr n4 -1\r\nincr n4 abc\r\nincr n4 18446744073709551616\r\nincr n4 1.5\r\n"
                            + "incr n4 0x1\r\nincr n4 +1\r\nincr n4 01\r\nincr nokey 1\r\ndecr nokey 1\r\n"))
                    .isEqualTo(badDelta.repeat(5) + "1\r\n2\r\nNOT_FOUND\r\nNOT_FOUND\r\n");
            assertThat(both.send("incr n4 1 noreply\r\nincr n4 abc noreply\r\nincr nokey 1 noreply\r\n"
                            + "incr n4 1 extra\r\nget n4\r\nincr\r\nincr n4\r\nincr n4 1 2 3\r\n"))
                    .isEqualTo("4\r\nVALUE n4 0 1\r\n4\r\nEND\r\nERROR\r\nERROR\r\nERROR\r\n");
        }
    }

    @Test
    void appendAndPrependKeepTheOriginalFlagsAndNeedAnItem() {
        try (Lockstep both = lockstep()) {
            assertThat(both.send("append am 0 0 1\r\na\r\nprepend am 0 0 1\r\na\r\nappend am 0 0 1 noreply\r\na\r\n"))
                    .isEqualTo("NOT_STORED\r\nNOT_STORED\r\n");
            assertThat(both.send("set ap 7 0 1\r\na\r\nappend ap 9 100 2\r\nbc\r\nprepend ap 3 -1 2\r\nxy\r\n"
                            + "get ap\r\n"))
                    .isEqualTo("STORED\r\nSTORED\r\nSTORED\r\nVALUE ap 7 5\r\nxyabc\r\nEND\r\n");
            int size = largestValue("apbig".length(), 0) - 10;
            assertThat(both.send("set apbig 0 0 " + size + "\r\n" + "a".repeat(size) + "\r\n"
                            + "append apbig 0 0 20\r\n" + "b".repeat(20) + "\r\nprepend apbig 0 0 10\r\n"
                            + "c".repeat(10) + "\r\n"))
                    .as("an append past the item size limit").isEqualTo("STORED\r\nNOT_STORED\r\nSTORED\r\n");
        }
    }

    @Test
    void expiryTimesNegativeAbsoluteAndTruncatedTo32Bits() {
        long now = System.currentTimeMillis() / 1000;
        try (Lockstep both = lockstep()) {
            assertThat(both.send("set ex 0 -1 1\r\na\r\nget ex\r\nadd ex 0 0 1\r\nb\r\nget ex\r\n"
                            + "replace exm 0 -1 1\r\na\r\n"))
                    .isEqualTo("STORED\r\nEND\r\nSTORED\r\nVALUE ex 0 1\r\nb\r\nEND\r\nNOT_STORED\r\n");
            assertThat(both.send("set ex2 0 " + (now - 40 * 86400) + " 1\r\na\r\nget ex2\r\n"
                            + "set ex3 0 " + (now + 86400) + " 1\r\na\r\nget ex3\r\n"))
                    .isEqualTo("STORED\r\nEND\r\nSTORED\r\nVALUE ex3 0 1\r\na\r\nEND\r\n");
            // up to 30 days the time is relative; above, it is a unix time (2592001 is in 1970)
            assertThat(both.send("set ex4 0 2592000 1\r\na\r\nset ex5 0 2592001 1\r\na\r\nget ex4 ex5\r\n"))
                    .isEqualTo("STORED\r\nSTORED\r\nVALUE ex4 0 1\r\na\r\nEND\r\n");
            // parsed as a long, kept as 32 bits: 2147483648 is negative, 4294968296 is 1000, -2147483649 is
            // 2147483647 (a unix time in 2038)
            assertThat(both.send("set ex6 0 2147483648 1\r\na\r\nset ex7 0 4294968296 1\r\na\r\n"
                            + "set ex8 0 -2147483649 1\r\na\r\nget ex6 ex7 ex8\r\n"))
                    .isEqualTo("STORED\r\nSTORED\r\nSTORED\r\nVALUE ex7 0 1\r\na\r\nVALUE ex8 0 1\r\na\r\nEND\r\n");
        }
    }

    @Test
    void touchAndGatSetTheExpiryAndGatReturnsTheValue() {
        try (Lockstep both = lockstep()) {
            assertThat(both.send("set tg 3 0 1\r\na\r\ntouch tg 1000\r\nget tg\r\ntouch tg -1\r\nget tg\r\n"
                            + "touch tg 1000\r\n"))
                    .isEqualTo("STORED\r\nTOUCHED\r\nVALUE tg 3 1\r\na\r\nEND\r\nTOUCHED\r\nEND\r\nNOT_FOUND\r\n");
            assertThat(both.send("set tg2 0 0 1\r\nb\r\ngat 0 tg2 tgmissing tg2\r\ngat -1 tg2\r\nget tg2\r\n"))
                    .isEqualTo("STORED\r\nVALUE tg2 0 1\r\nb\r\nVALUE tg2 0 1\r\nb\r\nEND\r\n"
                            + "VALUE tg2 0 1\r\nb\r\nEND\r\nEND\r\n");
            assertThat(both.send("set tg3 0 -1 1\r\nc\r\ngat 1000 tg3\r\nset tg3 0 1000 1\r\nc\r\ngat 0 tg3\r\n"
                            + "touch tg3 1000 noreply\r\ntouch tg3 1000 extra\r\ntouch tg3 x\r\ngat x tg3\r\n"
                            + "gat 1.5 tg3\r\ngat 10\r\ngats 10\r\ntouch tg3\r\ntouch tg3 1 2 3\r\ngat\r\n"))
                    .isEqualTo("STORED\r\nEND\r\nSTORED\r\nVALUE tg3 0 1\r\nc\r\nEND\r\nTOUCHED\r\n"
                            + "CLIENT_ERROR invalid exptime argument\r\nCLIENT_ERROR invalid exptime argument\r\n"
                            + "CLIENT_ERROR invalid exptime argument\r\nEND\r\nEND\r\nERROR\r\nERROR\r\nERROR\r\n");
        }
    }

    @Test
    void valuesAtTheItemSizeLimitAreStoredAndOneByteMoreIsRefusedWithTheDataSwallowed() {
        try (Lockstep both = lockstep()) {
            String key250 = "K".repeat(250);
            for (String[] keyAndFlags : new String[][] {
                {"tl", "0"}, {"tl", "4294967295"}, {"tl", "4294967296"}, {key250, "1"}, {key250, "0"}}) {
                String key = keyAndFlags[0];
                long flags = Long.parseLong(keyAndFlags[1]) & 0xffffffffL;
                int limit = largestValue(key.length(), flags);
                assertThat(both.send("set " + key + " " + keyAndFlags[1] + " 0 " + limit + "\r\n" + "a".repeat(limit)
                                + "\r\n"))
                        .as("%d-byte key, flags %s, %d bytes", key.length(), keyAndFlags[1], limit)
                        .isEqualTo("STORED\r\n");
                // a failed set also removes the old value
                assertThat(both.send("set " + key + " " + keyAndFlags[1] + " 0 " + (limit + 1) + "\r\n"
                                + "a".repeat(limit + 1) + "\r\nget " + key + "\r\n"))
                        .as("%d-byte key, flags %s, %d bytes", key.length(), keyAndFlags[1], limit + 1)
                        .isEqualTo("SERVER_ERROR object too large for cache\r\nEND\r\n");
            }
            both.send("set keep 0 0 1\r\na\r\n");
            String big = "x".repeat(2_000_000);
            for (String command : List.of("add", "replace", "append", "prepend")) {
                assertThat(both.send(command + " keep 0 0 2000000\r\n" + big + "\r\nget keep\r\n"))
                        .as(command)
                        .isEqualTo("SERVER_ERROR object too large for cache\r\nVALUE keep 0 1\r\na\r\nEND\r\n");
            }
            assertThat(both.send("cas keep 0 0 2000000 1\r\n" + big + "\r\nget keep\r\n"))
                    .isEqualTo("SERVER_ERROR object too large for cache\r\nVALUE keep 0 1\r\na\r\nEND\r\n");
            // the swallowed length is exact: the last two bytes need not be \r\n
            assertThat(both.send("set keep 0 0 2000000\r\n" + big + "zzget keep\r\n"))
                    .isEqualTo("SERVER_ERROR object too large for cache\r\nEND\r\n");
            assertThat(both.send("set keep 0 0 1\r\na\r\nset keep 0 0 2000000 noreply\r\n" + big + "\r\nget keep\r\n"))
                    .isEqualTo("STORED\r\nEND\r\n");
            // a negative length is a format error, and no data is swallowed
            assertThat(both.send("set keep 0 0 -1\r\nget keep\r\n"))
                    .isEqualTo("CLIENT_ERROR bad command line format\r\nEND\r\n");
        }
    }

    @Test
    void aDataBlockNotEndingInCrLfIsRefusedAndTheRestIsReadAsCommands() {
        try (Lockstep both = lockstep()) {
            both.send("set bd 0 0 3\r\nold\r\n");
            // memcached reads exactly length + 2 bytes, then parses what follows as the next command line
            assertThat(both.send("set bd 0 0 3\r\nabcde\r\nget bd\r\n"))
                    .isEqualTo("CLIENT_ERROR bad data chunk\r\nERROR\r\nVALUE bd 0 3\r\nold\r\nEND\r\n");
            assertThat(both.send("set bd 0 0 3\r\nab\r\n\r\nget bd\r\n"))
                    .isEqualTo("CLIENT_ERROR bad data chunk\r\nERROR\r\nVALUE bd 0 3\r\nold\r\nEND\r\n");
            assertThat(both.send("set bd 0 0 3\r\nabc\nXXget bd\r\n"))
                    .as("a bare \\n does not end a data block").isEqualTo("CLIENT_ERROR bad data chunk\r\nERROR\r\n");
            assertThat(both.send("set bd 0 0 3 noreply\r\nabcde\r\nget bd\r\n"))
                    .isEqualTo("ERROR\r\nVALUE bd 0 3\r\nold\r\nEND\r\n");
            assertThat(both.send("set bd 0 0 3\r\nabcdeversion\r\n", 1))
                    .isEqualTo("CLIENT_ERROR bad data chunk\r\nVERSION " + versionOf(reference) + "\r\n");
        }
    }

    @Test
    void unfinishedLinesOver2048BytesCloseTheConnectionExceptForGetAndGets() {
        try (Lockstep both = lockstep()) {
            both.write("x".repeat(2048));
            pause();
            assertThat(both.send("\r\n")).as("2048 bytes without a newline are still fine").isEqualTo("ERROR\r\n");
        }
        try (Lockstep both = lockstep()) {
            both.write("x".repeat(2049));
            assertThat(both.closedWithin(Duration.ofSeconds(2))).as("2049 bytes without a newline").isTrue();
        }
        try (Lockstep both = lockstep()) {
            both.write("set k 0 0 1 " + " ".repeat(2100));
            assertThat(both.closedWithin(Duration.ofSeconds(2))).as("a storage line").isTrue();
        }
        try (Lockstep both = lockstep()) {
            both.send("set lg 0 0 1\r\na\r\n");
            StringBuilder keys = new StringBuilder();
            for (int i = 0; i < 2000; i++) {
                keys.append(" lg").append(i % 7 == 0 ? "" : Integer.toString(i));
            }
            both.write("get" + keys.substring(0, 3000));
            pause();
            both.write(keys.substring(3000, 6000));
            pause();
            String reply = both.send(keys.substring(6000) + "\r\n");
            assertThat(reply).as("a long get line in pieces").startsWith("VALUE lg 0 1\r\na\r\n").endsWith("END\r\n");
            both.write("gets" + keys.substring(0, 3000));
            pause();
            assertThat(both.send(keys.substring(3000) + "\r\n")).startsWith("VALUE lg 0 1 ");
        }
        try (Lockstep both = lockstep()) {
            both.write("gat 0" + " lg".repeat(1000));
            assertThat(both.closedWithin(Duration.ofSeconds(2))).as("only get and gets may be long").isTrue();
        }
        try (Lockstep both = lockstep()) {
            both.write(" ".repeat(101) + "get" + " lg".repeat(1000));
            assertThat(both.closedWithin(Duration.ofSeconds(2))).as("over 100 leading spaces").isTrue();
        }
        try (Lockstep both = lockstep()) {
            // memcached reads at most 16 KB at first: no newline in them closes the connection
            assertThat(both.sendUntilClosed("x".repeat(17_000) + "\r\nversion\r\n")).isEqualTo("<closed>");
        }
    }

    @Test
    void anUnknownCommandEndingInAnHttpVersionClosesTheConnection() {
        try (Lockstep both = lockstep()) {
            assertThat(both.sendUntilClosed("GET / HTTP/1.1\r\nHost: x\r\n\r\n")).isEqualTo("<closed>");
        }
        try (Lockstep both = lockstep()) {
            assertThat(both.send("get / HTTP/1.1\r\n")).as("a real command").isEqualTo("END\r\n");
            assertThat(both.sendUntilClosed("POST /x HTTP/1.0x\r\nversion\r\n")).isEqualTo("<closed>");
        }
    }

    @Test
    void noreplyHidesErrorsToo() {
        try (Lockstep both = lockstep()) {
            assertThat(both.send("set nr 0 0 3 noreply\r\nabcde\r\ndelete nr 5 noreply\r\nincr nr abc noreply\r\n"
                            + "verbosity noreply\r\nflush_all x noreply\r\n"
                            + "set " + "K".repeat(251) + " 0 0 1 noreply\r\n"
                            + "1\r\nset nr abc 0 1 noreply\r\n1\r\ncache_memlimit 64 noreply\r\n"
                            + "slabs automove 1 noreply\r\ntouch nr 10 noreply\r\ndelete nr noreply\r\n"))
                    .as("only the data lines read as commands answer").isEqualTo("ERROR\r\nERROR\r\nERROR\r\n");
        }
    }

    @Test
    void lineEndsCaseAndNulBytes() {
        String version = "VERSION " + versionOf(reference) + "\r\n";
        try (Lockstep both = lockstep()) {
            assertThat(both.send("version\nversion\r\n", 2)).isEqualTo(version + version);
            // only one \r is taken off the line end; commands are case-sensitive
            assertThat(both.send("version\r\r\nVERSION\r\nGet k\r\nversion\rversion\r\n"))
                    .isEqualTo("ERROR\r\nERROR\r\nERROR\r\nERROR\r\n");
            // the line is a C string: a NUL ends it
            assertThat(both.send("version\0junk\r\nvers\0ion\r\n", 1)).isEqualTo(version + "ERROR\r\n");
            // a stray \r after a number still parses, as strtol stops at white space
            assertThat(both.send("set crcr 0 0 1\r\r\na\r\nget crcr\n"))
                    .isEqualTo("STORED\r\nVALUE crcr 0 1\r\na\r\nEND\r\n");
            assertThat(both.send("\r\n\n   \r\nx\r\nmx\r\n")).isEqualTo("ERROR\r\n".repeat(5));
            assertThat(both.send("  get   crcr  \r\n")).isEqualTo("VALUE crcr 0 1\r\na\r\nEND\r\n");
        }
    }

    @Test
    void numbersAreParsedAsMemcachedsStrtoulDoes() {
        try (Lockstep both = lockstep()) {
            // flags are parsed as 64 bits and truncated to 32
            assertThat(both.send("set f1 4294967296 0 1\r\na\r\nset f2 4294967297 0 1\r\na\r\n"
                            + "set f3 18446744073709551615 0 1\r\na\r\nset f4 +5 0 1\r\na\r\nset f5 010 0 1\r\na\r\n"
                            + "get f1 f2 f3 f4 f5\r\n"))
                    .isEqualTo("STORED\r\n".repeat(5) + "VALUE f1 0 1\r\na\r\nVALUE f2 1 1\r\na\r\n"
                            + "VALUE f3 4294967295 1\r\na\r\nVALUE f4 5 1\r\na\r\nVALUE f5 10 1\r\na\r\nEND\r\n");
            String format = "CLIENT_ERROR bad command line format\r\nERROR\r\n";
            assertThat(both.send("set f6 18446744073709551616 0 1\r\na\r\nset f6 -1 0 1\r\na\r\n"
                            + "set f6 0x10 0 1\r\na\r\nset f6 1a 0 1\r\na\r\nset f6 0 1.5 1\r\na\r\n"
                            + "set f6 0 0 1.5\r\na\r\nset f6 0 0 2147483647\r\na\r\n"))
                    .isEqualTo(format.repeat(7));
            // the length is truncated to 32 bits too: 4294967297 reads 1 byte
            assertThat(both.send("set f7 0 0 4294967297\r\na\r\nget f7\r\nset f8 0 0 01\r\nb\r\nget f8\r\n"))
                    .isEqualTo("STORED\r\nVALUE f7 0 1\r\na\r\nEND\r\nSTORED\r\nVALUE f8 0 1\r\nb\r\nEND\r\n");
            // a seventh token that is not "noreply" is ignored
            assertThat(both.send("set f9 0 0 1 extra\r\na\r\n")).isEqualTo("STORED\r\n");
            assertThat(both.send("set f9 0 0\r\nset f9 0 0 1 noreply extra\r\na\r\n"))
                    .isEqualTo("ERROR\r\nERROR\r\nERROR\r\n");
        }
    }

    @Test
    void keysOf250BytesWorkAnd251AreRefusedByEveryCommand() {
        String ok = "K".repeat(250);
        String tooLong = "K".repeat(251);
        String format = "CLIENT_ERROR bad command line format\r\n";
        try (Lockstep both = lockstep()) {
            assertThat(both.send("set " + ok + " 0 0 1\r\na\r\nget " + ok + "\r\n"))
                    .isEqualTo("STORED\r\nVALUE " + ok + " 0 1\r\na\r\nEND\r\n");
            assertThat(both.send("set " + tooLong + " 0 0 1\r\na\r\n")).isEqualTo(format + "ERROR\r\n");
            assertThat(both.send("cas " + tooLong + " 0 0 1 1\r\na\r\n")).isEqualTo(format + "ERROR\r\n");
            for (String command : List.of("get ", "gets ", "gat 0 ", "gats 0 ", "delete ", "touch ", "incr ")) {
                String suffix = command.equals("touch ") || command.equals("incr ") ? " 1" : "";
                assertThat(both.send(command + tooLong + suffix + "\r\n")).as(command).isEqualTo(format);
            }
            // one too-long key fails the whole get, hits before it included
            assertThat(both.send("get " + ok + " " + tooLong + "\r\n")).isEqualTo(format);
        }
    }

    @Test
    void deleteAcceptsOnlyAZeroHoldTime() {
        String usage = "CLIENT_ERROR bad command line format.  Usage: delete <key> [noreply]\r\n";
        try (Lockstep both = lockstep()) {
            assertThat(both.send("set d1 0 0 1\r\na\r\ndelete d1 0\r\ndelete d1\r\nset d1 0 0 1\r\na\r\n"
                            + "delete d1 noreply\r\ndelete d1 0 noreply\r\nget d1\r\n"))
                    .isEqualTo("STORED\r\nDELETED\r\nNOT_FOUND\r\nSTORED\r\nEND\r\n");
            assertThat(both.send("delete d1 5\r\ndelete d1 5 noreply\r\ndelete d1 0 0\r\ndelete d1 noreply 0\r\n"
                            + "delete d1 x\r\ndelete\r\ndelete d1 0 0 0\r\n"))
                    .isEqualTo(usage + usage + usage + usage + "ERROR\r\nERROR\r\n");
        }
    }

    @Test
    void multiGetReturnsEveryHitInOrderWithRepeats() {
        try (Lockstep both = lockstep()) {
            both.send("set mg1 1 0 1\r\na\r\nset mg2 2 0 2\r\nbb\r\n");
            assertThat(both.send("get mg1 mg2 mgx mg1\r\n"))
                    .isEqualTo("VALUE mg1 1 1\r\na\r\nVALUE mg2 2 2\r\nbb\r\nVALUE mg1 1 1\r\na\r\nEND\r\n");
            // more keys than memcached's 24 tokens per pass
            assertThat(both.send("get" + " mg1".repeat(30) + "\r\n"))
                    .isEqualTo("VALUE mg1 1 1\r\na\r\n".repeat(30) + "END\r\n");
            assertThat(both.send("bget mg2\r\n")).isEqualTo("VALUE mg2 2 2\r\nbb\r\nEND\r\n");
        }
    }

    @Test
    void adminCommandsAndTheirErrors() {
        try (Lockstep both = lockstep()) {
            assertThat(both.send("verbosity 1\r\nverbosity 0 x\r\nverbosity\r\nverbosity x\r\nverbosity 0 0 0\r\n"))
                    .isEqualTo("OK\r\nOK\r\nERROR\r\nCLIENT_ERROR bad command line format\r\nERROR\r\n");
            assertThat(both.send("cache_memlimit 100\r\ncache_memlimit 7\r\ncache_memlimit abc\r\n"
                            + "cache_memlimit 1000000001\r\ncache_memlimit\r\ncache_memlimit 64\r\n"))
                    .isEqualTo("OK\r\nMEMLIMIT_TOO_SMALL cannot set maxbytes to less than 8m\r\nERROR\r\n"
                            + "MEMLIMIT_ADJUST_FAILED input value is megabytes not bytes\r\nERROR\r\nOK\r\n");
            assertThat(both.send("slabs automove 0\r\nslabs automove 2\r\nslabs automove 3\r\nslabs automove x\r\n"
                            + "slabs automove ratio 0.5\r\nslabs automove\r\nslabs reassign x 1\r\n"
                            + "slabs automove 1\r\n"))
                    .isEqualTo("OK\r\nOK\r\nERROR\r\nCLIENT_ERROR bad command line format\r\nOK\r\nERROR\r\n"
                            + "CLIENT_ERROR bad command line format\r\nOK\r\n");
            assertThat(both.send("lru_crawler tocrawl 100\r\nlru_crawler sleep 1000001\r\nlru_crawler sleep x\r\n"
                            + "lru_crawler\r\nlru_crawler foo\r\nlru_crawler sleep 100\r\nlru_crawler tocrawl 0\r\n"))
                    .isEqualTo("OK\r\nCLIENT_ERROR sleep must be one second or less\r\n"
                            + "CLIENT_ERROR bad command line format\r\nERROR\r\nERROR\r\nOK\r\nOK\r\n");
            assertThat(both.send("stats foo\r\nstats detail\r\nstats cachedump 1\r\nstats cachedump 99 1\r\n"
                            + "stats cachedump x 1\r\nSTATS\r\nstats reset\r\n"))
                    .isEqualTo("ERROR\r\nCLIENT_ERROR usage: stats detail on|off|dump\r\n"
                            + "CLIENT_ERROR bad command line\r\nCLIENT_ERROR Illegal slab id\r\n"
                            + "CLIENT_ERROR bad command line format\r\nERROR\r\nRESET\r\n");
            assertThat(both.send("shutdown\r\nshutdown graceful\r\n"))
                    .isEqualTo("ERROR: shutdown not enabled\r\n".repeat(2));
            assertThat(both.send("stats sizes\r\n")).isEqualTo("STAT sizes_status disabled\r\nEND\r\n");
        }
    }

    @Test
    void lruCrawlerEnableDisableCrawlAndMetadump() {
        try (Lockstep both = lockstep()) {
            both.send("flush_all\r\nset md1 0 0 1\r\na\r\nset md2 0 1000 2\r\nbb\r\nset md:3-_.~% 0 0 1\r\nc\r\nget md1\r\n");
            assertThat(both.send("lru_crawler enable\r\n")).as("already running")
                    .isEqualTo("ERROR failed to start lru crawler thread\r\n");
            assertThat(both.send("lru_crawler disable\r\n")).isEqualTo("OK\r\n");
            // the crawler thread stops on its own time: until it has, a crawl may still start
            String disabled = "CLIENT_ERROR lru crawler disabled\r\n";
            assertThat(both.sendUntil("lru_crawler crawl all\r\n", disabled::equals)).isEqualTo(disabled);
            assertThat(both.send("lru_crawler metadump all\r\nlru_crawler crawl 1\r\n")).isEqualTo(disabled + disabled);
            assertThat(both.sendUntil("lru_crawler enable\r\n", "OK\r\n"::equals)).isEqualTo("OK\r\n");
            // a crawl already running (memcached starts its own) makes any crawl answer BUSY
            Predicate<String> notBusy = reply -> !reply.startsWith("BUSY currently processing crawler request");
            assertThat(both.sendUntil("lru_crawler crawl 0\r\n", notBusy)).isEqualTo("BADCLASS invalid class id\r\n");
            assertThat(both.sendUntil("lru_crawler crawl x\r\n", notBusy)).isEqualTo("BADCLASS invalid class id\r\n");
            assertThat(both.sendUntil("lru_crawler crawl all\r\n", notBusy)).isEqualTo("OK\r\n");
            // one line per live item, ended by \n only, in the crawler's order; la and exp are unix times; keys
            // URL-encoded as memcached's uriencode does (all but alphanumerics and "-._~")
            List<String> dumps = both.sendReadingUntilLine("lru_crawler metadump all\r\n",
                    line -> line.equals("END\r\n") || line.contains("ERROR"));
            List<String> reference = metadumpLines(dumps.get(0));
            assertThat(metadumpLines(dumps.get(1))).isEqualTo(reference);
            assertThat(dumps.get(0)).endsWith("\nEND\r\n");
            assertThat(reference).containsExactly(
                    "key=md%3A3-_.~%25 exp=-1 la=<time> cas=<cas> fetch=no cls=<class> size=<size>",
                    "key=md1 exp=-1 la=<time> cas=<cas> fetch=yes cls=<class> size=<size>",
                    "key=md2 exp=<time> la=<time> cas=<cas> fetch=no cls=<class> size=<size>");
            // a command pipelined before the dump is answered first
            Predicate<String> secondEnd = new Predicate<>() {
                private int ends;

                @Override
                public boolean test(String line) {
                    if (line.equals("END\r\n") && ++ends == 2) {
                        ends = 0;
                        return true;
                    }
                    return line.contains("ERROR");
                }
            };
            List<String> piped = both.sendReadingUntilLine("get md2\r\nlru_crawler metadump all\r\n", secondEnd);
            assertThat(piped.get(0)).startsWith("VALUE md2 0 2\r\nbb\r\nEND\r\nkey=");
            assertThat(piped.get(1)).startsWith("VALUE md2 0 2\r\nbb\r\nEND\r\nkey=");
            assertThat(metadumpLines(piped.get(1))).isEqualTo(metadumpLines(piped.get(0)));
            assertThat(both.send("version\r\n", 1)).startsWith("VERSION ");
        }
    }

    /** The lines of a metadump, sorted, with times, CAS, slab class and item size masked. */
    private static List<String> metadumpLines(String dump) {
        List<String> lines = new ArrayList<>();
        for (String line : dump.split("\n")) {
            if (line.startsWith("key=")) {
                lines.add(line.replaceAll(" exp=\\d+", " exp=<time>").replaceAll(" la=\\d+", " la=<time>")
                        .replaceAll(" cas=\\d+", " cas=<cas>").replaceAll(" cls=\\d+", " cls=<class>")
                        .replaceAll(" size=\\d+", " size=<size>"));
            }
        }
        lines.sort(null);
        return lines;
    }

    @Test
    void quitClosesTheConnection() {
        try (Lockstep both = lockstep()) {
            assertThat(both.sendUntilClosed("quit\r\nversion\r\n")).isEqualTo("<closed>");
        }
        try (Lockstep both = lockstep()) {
            assertThat(both.sendUntilClosed("version\r\nquit now\r\n"))
                    .isEqualTo("VERSION " + versionOf(reference) + "\r\n<closed>");
        }
    }

    private static void pause() {
        try {
            Thread.sleep(150);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String versionOf(ServerProcess server) {
        try (WireConnection connection = new WireConnection(server)) {
            return connection.call("version\r\n").substring("VERSION ".length());
        }
    }

    private static List<String> casValues(String reply) {
        Matcher m = Pattern.compile("VALUE \\S+ \\d+ \\d+ (\\d+)\r\n").matcher(reply);
        List<String> values = new ArrayList<>();
        while (m.find()) {
            values.add(m.group(1));
        }
        return values;
    }

    // ---------------------------------------------------------------- meta commands

    @Test
    void metaQuietModeAnswersOnlyWhatIsNotNominal() {
        try (Lockstep both = lockstep()) {
            assertThat(both.send("ms mq_a 1 q\r\na\r\nmg mq_a q v k\r\nmg mq_none q v\r\nmd mq_none q\r\n"
                    + "md mq_a q\r\nma mq_n q\r\nmn\r\n"))
                    .isEqualTo("VA 1 kmq_a\r\na\r\nNF\r\nNF\r\nMN\r\n");
            // errors are sent even in quiet mode
            assertThat(both.send("mg mq_a q v v\r\nms mq_a 1 q MZ\r\nb\r\nmn\r\n"))
                    .isEqualTo("CLIENT_ERROR duplicate flag\r\nCLIENT_ERROR invalid mode for ms M token\r\nMN\r\n");
        }
    }

    @Test
    void metaBase64KeysAndOpaques() {
        try (Lockstep both = lockstep()) {
            // "mb\x00\xff" in base64 is bWIA/w==
            assertThat(both.send("ms bWIA/w== 2 b O42 k\r\nhi\r\nmg bWIA/w== b v k O7\r\nme bWIA/w== b\r\n"
                            + "md bWIA/w== b q\r\nmg bWIA/w== b v\r\nmg !!!! b v\r\n").replaceAll("exp=-?\\d+ la=\\d+ cas=\\d+", "exp la cas")
                            .replaceAll("cls=\\d+ size=\\d+", "cls size"))
                    .isEqualTo("HD O42 kbWIA/w== b\r\nVA 2 kbWIA/w== b O7\r\nhi\r\n"
                            + "ME bWIA/w== exp la cas fetch=yes cls size\r\nEN\r\nCLIENT_ERROR error decoding key\r\n");
        }
    }

    @Test
    void metaRecacheAndStaleWhileRevalidate() {
        try (Lockstep both = lockstep()) {
            // vivify on miss: the first client wins the right to fill the key, the next sees Z
            assertThat(both.send("mg mr_a N1000 v t\r\nmg mr_a N1000 v t\r\n"))
                    .isEqualTo("VA 0 t1000 W\r\n\r\nVA 0 t1000 Z\r\n\r\n");
            // recache: a TTL below the token wins once
            assertThat(both.send("ms mr_b 1 T1500\r\nb\r\nmg mr_b R2000 v\r\nmg mr_b R2000 v\r\nmg mr_b R1000 v\r\n"))
                    .isEqualTo("HD\r\nVA 1 W\r\nb\r\nVA 1 Z\r\nb\r\nVA 1 Z\r\nb\r\n");
            // invalidate: the item stays, stale, and the next reader wins the recache
            assertThat(both.send("ms mr_c 3\r\nold\r\nmd mr_c I T1200\r\nmg mr_c v t\r\nmg mr_c v\r\n"))
                    .isEqualTo("HD\r\nHD\r\nVA 3 t1200 X W\r\nold\r\nVA 3 Z X\r\nold\r\n");
            // a set with an older CAS and I stores the value, still stale; CAS 0 is not older, it is a mismatch
            assertThat(both.send("gets mr_c\r\n")).startsWith("VALUE mr_c 0 3 ");
            assertThat(both.send("ms mr_c 3 C1 I\r\nnew\r\nms mr_c 3 C0 I\r\nxxx\r\nmg mr_c v\r\n"))
                    .isEqualTo("HD\r\nEX\r\nVA 3 Z X\r\nnew\r\n");
            assertThat(both.sendWithCas("ms mr_c 3 C{cas}\r\nnow\r\n", "mr_c")).isEqualTo("EX\r\n");
            assertThat(both.send("gets mr_c\r\n")).startsWith("VALUE mr_c 0 3 ");
            assertThat(both.sendWithCas("ms mr_c 3 C{cas}\r\nnow\r\nmg mr_c v\r\n", "mr_c"))
                    .isEqualTo("HD\r\nVA 3\r\nnow\r\n");
        }
    }

    @Test
    void metaArithmeticAndModes() {
        try (Lockstep both = lockstep()) {
            assertThat(both.send("ma ma_n\r\nma ma_n N0 J41 v\r\nma ma_n v\r\nma ma_n MD D50 v\r\nma ma_n M+ D5 v t\r\n"))
                    .isEqualTo("NF\r\nVA 2\r\n41\r\nVA 2\r\n42\r\nVA 1\r\n0\r\nVA 1 t-1\r\n5\r\n");
            assertThat(both.send("ms ma_s 2 ME\r\nab\r\nms ma_s 2 ME\r\ncd\r\nms ma_s 1 MA\r\nZ\r\nms ma_s 1 MP\r\nA\r\n"
                            + "ms ma_none 1 MR\r\nx\r\nmg ma_s v f\r\nms ma_s 1 F7 T0 MS\r\ny\r\nmg ma_s v f s\r\n"))
                    .isEqualTo("HD\r\nNS\r\nHD\r\nHD\r\nNS\r\nVA 4 f0\r\nAabZ\r\nHD\r\nVA 1 f7 s1\r\ny\r\n");
            assertThat(both.send("ma ma_s\r\nma ma_n Dx\r\nma ma_n MX\r\n"))
                    .isEqualTo("CLIENT_ERROR cannot increment or decrement non-numeric value\r\n"
                            + "CLIENT_ERROR invalid or duplicate flag\r\nCLIENT_ERROR invalid mode for ma M token\r\n");
        }
    }
}
