package memfleet.node.it.differential;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import memfleet.node.it.differential.CommandStream.Command;

/**
 * Generates random text-protocol command streams from a seed: every text command, valid and malformed, with
 * values of random size and content (0 B to 100 KB, a few at the item size limit), random flags and expiry times.
 *
 * <p>A stream must get the same replies from any two correct servers however TCP splits it, so the generator
 * stays away from memcached behaviour that depends on timing or on how reads split the bytes:
 *
 * <ul>
 *   <li>no relative expiry below 1000 s and no {@code flush_all} delay (time passing during a stream);</li>
 *   <li>no command line over 2048 bytes except {@code get}/{@code gets} (memcached closes a connection whose
 *       buffered bytes hold more than 2048 without a newline, unless they start with {@code get }/{@code gets };
 *       whether that happens depends on how the line is split);</li>
 *   <li>a key over 250 bytes in a get-family command only right after a well-formed get-family command:
 *       memcached 1.6.18 drops every reply it has not sent yet when a get hits a too-long key, and only a
 *       well-formed get makes it send everything before reading on;</li>
 *   <li>no {@code lru_crawler crawl|metadump|enable|disable}, no {@code slabs reassign} with valid classes, no
 *       {@code watch}: their replies depend on background threads;</li>
 *   <li>malformed storage commands carry digit-only data lines, which memcached then reads as one unknown
 *       command each ({@code ERROR}), never as something that closes or hangs the connection;</li>
 *   <li>no incr/decr ever meets a stored number of 2^63 or more: for such a number memcached 1.6.18 looks for a
 *       {@code '-'} with {@code strchr}, which runs past the value into whatever memory follows it, so the
 *       answer ({@code CLIENT_ERROR cannot increment or decrement non-numeric value} or the sum) depends on
 *       garbage. Stored numbers stay at most 2^62 and incr deltas below 2^40; decr takes any delta. The 64-bit
 *       edges are in {@link TextProtocolScenariosIT}, with a NUL ending the number.</li>
 * </ul>
 */
public final class CommandStreamGenerator {
    /** memcached's default item size limit ({@code -I 1m}). */
    static final int ITEM_SIZE_MAX = 1024 * 1024;

    /** memcached 1.6.18's item header on 64-bit Linux: 48 bytes of {@code struct _stritem} plus 8 of CAS. */
    static final int ITEM_HEADER_BYTES = 56;

    /** Stored numbers stay at most 2^62, so that incr deltas below 2^40 never carry them to 2^63 or more. */
    private static final String[] NUMBERS = {
        "0", "1", "2", "10", "100", "4294967295", "4294967296", "4611686018427387904"
    };

    /** Any delta may go to decr, which only lowers a value (to 0 at least). */
    private static final String[] DECR_DELTAS = {
        "0", "1", "2", "10", "100", "4294967296", "9223372036854775807", "9223372036854775808",
        "18446744073709551614", "18446744073709551615"
    };

    private final Random random;
    private final long seed;
    private final long now;
    private final String prefix;
    private final List<String> keys = new ArrayList<>();
    private final String key250;
    private final String key251;
    private final List<Command> commands = new ArrayList<>();
    private boolean previousFlushes = true;

    private CommandStreamGenerator(long seed, long nowSeconds) {
        this.seed = seed;
        this.random = new Random(seed);
        this.now = nowSeconds;
        this.prefix = "s" + Long.toString(seed & 0xfffffffL, 36) + "_";
        for (int i = 0; i < 6; i++) {
            keys.add(prefix + "k" + i);
        }
        keys.add(prefix + "!#$%&'()*+,-./:;<=>?@[]^_`{|}~");
        keys.add(prefix + "caf\u00c3\u00a9"); // "café" as UTF-8 bytes, sent one char per byte
        key250 = prefix + "L".repeat(250 - prefix.length());
        key251 = key250 + "L";
        keys.add(key250);
    }

    /**
     * The stream for {@code seed}: up to {@code maxCommands} commands (a CAS command counts with the {@code gets}
     * that precedes it). {@code nowSeconds} anchors absolute expiry times.
     */
    public static CommandStream generate(long seed, int maxCommands, long nowSeconds) {
        CommandStreamGenerator generator = new CommandStreamGenerator(seed, nowSeconds);
        int count = 1 + generator.random.nextInt(maxCommands);
        while (generator.commands.size() < count) {
            generator.next();
        }
        if (generator.random.nextInt(20) == 0) {
            generator.add(Command.of(generator.random.nextBoolean() ? "quit\r\n" : "quit now\r\n"));
        }
        return new CommandStream(seed, List.copyOf(generator.commands));
    }

    private void next() {
        int w = random.nextInt(1000);
        if (w < 270) {
            storage();
        } else if (w < 330) {
            cas();
        } else if (w < 500) {
            get();
        } else if (w < 550) {
            gat();
        } else if (w < 590) {
            touch();
        } else if (w < 640) {
            delete();
        } else if (w < 740) {
            arithmetic();
        } else if (w < 755) {
            flushAll();
        } else if (w < 775) {
            line(pick("version", "version", "version extra"), eolNoStrayCr());
        } else if (w < 790) {
            verbosity();
        } else if (w < 820) {
            stats();
        } else if (w < 835) {
            line(pick("cache_memlimit 64", "cache_memlimit 100", "cache_memlimit 1000", "cache_memlimit 64 noreply",
                    "cache_memlimit 7", "cache_memlimit 0", "cache_memlimit abc", "cache_memlimit -1",
                    "cache_memlimit", "cache_memlimit 2000000000", "cache_memlimit 1000000001",
                    "cache_memlimit 64 x", "cache_memlimit 64 x y"), eol());
        } else if (w < 850) {
            line(pick("slabs automove 0", "slabs automove 1", "slabs automove 2", "slabs automove 3",
                    "slabs automove x", "slabs automove -1", "slabs automove", "slabs", "slabs foo",
                    "slabs automove 1 noreply", "slabs automove 4294967296", "slabs automove ratio",
                    "slabs automove ratio 0.5", "slabs automove ratio x y", "slabs reassign x 1",
                    "slabs reassign 1"), eol());
        } else if (w < 865) {
            line(pick("lru_crawler", "lru_crawler foo", "lru_crawler tocrawl 0", "lru_crawler tocrawl 100",
                    "lru_crawler tocrawl x", "lru_crawler tocrawl", "lru_crawler sleep 0", "lru_crawler sleep 100",
                    "lru_crawler sleep 1000000", "lru_crawler sleep 1000001", "lru_crawler sleep x",
                    "lru_crawler crawl", "lru_crawler metadump", "lru_crawler enable x", "lru_crawler a b c"),
                    eol());
        } else if (w < 875) {
            line(pick("lru", "lru x", "lru mode", "lru mode segmented", "lru mode bogus", "lru tune 20 40 0.2 2",
                    "lru tune 50 40 0.2 2", "lru tune 20 40 0 2", "lru tune x 40 0.2 2", "lru tune 1 2",
                    "lru temp_ttl x", "lru temp_ttl"), eol());
        } else if (w < 878) {
            line(pick("shutdown", "shutdown graceful", "shutdown x"), eol());
        } else if (w < 960) {
            meta();
        } else {
            malformed();
        }
    }

    // ---- storage: set add replace append prepend ----

    private void storage() {
        String command = pick("set", "set", "set", "add", "replace", "append", "prepend");
        String key = key();
        int variant = random.nextInt(100);
        if (variant < 78) {
            validStorage(command, key, null);
        } else if (variant < 82) {
            badNumberStorage(command, key);
        } else if (variant < 84) {
            badTokenCountStorage(command, key);
        } else if (variant < 86) {
            storageLine(command + " " + key251 + " 0 0 5" + maybeNoreply(), digits(5));
        } else if (variant < 92) {
            badDataChunk(command, key);
        } else if (variant < 94) {
            storageLine(pick("SET", "Set", "ADD", "Append") + " " + key + " 0 0 3", digits(3));
        } else if (variant < 96) {
            // the length is parsed as a 64-bit number and truncated to 32 bits: 4294967296 + n reads n bytes
            byte[] value = value(random.nextInt(20), command.equals("set") || command.equals("add")
                    || command.equals("replace"));
            String line = command + " " + key + " 0 0 " + (4294967296L + value.length) + "\r\n";
            add(new Command(line.getBytes(ISO_8859_1), withEnd(value), null, 0, false, false, value.length));
        } else {
            // a seventh token that is not "noreply" is ignored
            validStorage(command, key, pick("extra", "NOREPLY", "noreply2"));
        }
    }

    private void validStorage(String command, String key, String extraToken) {
        String[] flags = flags();
        String exptime = exptime();
        long effectiveFlags = Long.parseUnsignedLong(flags[1]);
        // appending digits to digits could build a number of 2^63 or more: append/prepend get no numbers
        byte[] value = value(size(key, effectiveFlags), command.equals("set") || command.equals("add")
                || command.equals("replace"));
        String noreply = extraToken != null ? " " + extraToken : maybeNoreply();
        String eol = eol();
        String line = command + " " + key + " " + flags[0] + " " + exptime + " " + value.length + noreply + eol;
        add(new Command(line.getBytes(ISO_8859_1), withEnd(value), null, 0, false, false, value.length));
    }

    private void badNumberStorage(String command, String key) {
        String flags = "0";
        String exptime = "0";
        String length = "5";
        switch (random.nextInt(3)) {
            case 0 -> flags = pick("abc", "-1", "18446744073709551616", "0x10", "1.5", "1a", "-4294967296");
            case 1 -> exptime = pick("abc", "1.5", "9223372036854775808", "1a", "--1");
            default -> length = pick("-1", "abc", "2147483647", "2147483646", "1.5", "5a", "-2147483648");
        }
        storageLine(command + " " + key + " " + flags + " " + exptime + " " + length + maybeNoreply(), digits(5));
    }

    private void badTokenCountStorage(String command, String key) {
        String line = pick(
                command + " " + key + " 0 0",
                command + " " + key,
                command,
                command + " " + key + " 0 0 5 noreply extra",
                command + " " + key + " 0 0 5 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23");
        storageLine(line, digits(5));
    }

    /** A rejected storage line followed by a digit-only data line, which the server then reads as a command. */
    private void storageLine(String line, String digitData) {
        add(new Command((line + eol()).getBytes(ISO_8859_1), (digitData + "\r\n").getBytes(ISO_8859_1),
                null, 0, false, false, 0));
    }

    /**
     * A value whose data block does not end in {@code \r\n} where the declared length says. memcached reads
     * exactly length + 2 bytes, answers {@code CLIENT_ERROR bad data chunk} (nothing with noreply) and parses
     * the bytes after them as the next command. When the data is short, those bytes come from a digit-only guard
     * line, so what follows still parses the same everywhere.
     */
    private void badDataChunk(String command, String key) {
        int length = random.nextInt(30);
        String data = letters(length);
        String guard = digits(12) + "\r\n";
        String payload = switch (random.nextInt(5)) {
            case 0 -> data + digits(1 + random.nextInt(3)) + "\r\n"; // too long
            case 1 -> length == 0 ? "\r\n" + guard : data.substring(0, length - 1) + "\r\n" + guard; // too short
            case 2 -> data + pick("ab", "\n\r", "\r\r", "\n\n", "  ");   // wrong terminator
            case 3 -> data + "\n" + guard;                                 // bare \n: eats the guard's first byte
            default -> data + "\r" + guard;                                // bare \r
        };
        String line = command + " " + key + " 0 0 " + length + maybeNoreply() + eol();
        add(new Command(line.getBytes(ISO_8859_1), payload.getBytes(ISO_8859_1), null, 0, false, false, length));
    }

    // ---- meta commands: mg ms md ma mn me ----

    /** Flags every meta command takes, and the ones that only read (safe to repeat in quiet pipelines). */
    private static final String[] MG_FLAGS = {"v", "c", "f", "k", "s", "t", "h", "l", "u", "q", "O", "T", "N", "R", "b"};
    private static final String[] MS_FLAGS = {"c", "k", "O", "q", "T", "F", "C", "I", "M", "b"};
    private static final String[] MD_FLAGS = {"k", "O", "q", "C", "I", "T", "b"};
    private static final String[] MA_FLAGS = {"v", "c", "t", "k", "O", "q", "N", "J", "D", "T", "M", "C", "b"};

    private void meta() {
        String key = key();
        int variant = random.nextInt(100);
        if (variant < 30) {
            line("mg " + metaKey(key) + metaFlags(MG_FLAGS, key), eolNoStrayCr());
        } else if (variant < 55) {
            byte[] value = value(random.nextInt(3) == 0 ? random.nextInt(20) : size(key, 0), true);
            String line = "ms " + metaKey(key) + " " + value.length + metaFlags(MS_FLAGS, key) + eolNoStrayCr();
            add(new Command(line.getBytes(ISO_8859_1), withEnd(value), null, 0, false, false, value.length));
        } else if (variant < 65) {
            line("md " + metaKey(key) + metaFlags(MD_FLAGS, key), eolNoStrayCr());
        } else if (variant < 80) {
            line("ma " + metaKey(key) + metaFlags(MA_FLAGS, key), eolNoStrayCr());
        } else if (variant < 88) {
            line("mn", eolNoStrayCr());
        } else if (variant < 93) {
            line("me " + key + pick("", "", " b"), eolNoStrayCr());
        } else {
            // malformed: no key, unknown or duplicate flags, bad tokens, too many flags, a bad data length
            String bad = pick("mg", "ms " + key, "md", "ma", "me", "mz " + key, "mg " + key + " v v", "mg " + key + " !",
                    "mg " + key + " Tabc", "ma " + key + " Dabc", "ma " + key + " MX", "md " + key + " q q",
                    "mg " + key + " " + "O" + "x".repeat(40), "mg " + key251 + " v",
                    "mg " + key + " a b c d e f g h i j k l m n o p q r s t u v w",
                    "ms " + key + " abc T0", "ms " + key + " -1");
            storageLine(bad, digits(3));
        }
    }

    /** The key as sent: sometimes base64 (the b flag is added by {@link #metaFlags} then). */
    private String metaKey(String key) {
        return key;
    }

    /** A few distinct flags from {@code choices}, with tokens where they take one. */
    private String metaFlags(String[] choices, String key) {
        StringBuilder out = new StringBuilder();
        List<String> shuffled = new ArrayList<>(List.of(choices));
        java.util.Collections.shuffle(shuffled, random);
        int n = random.nextInt(Math.min(6, shuffled.size()) + 1);
        for (int i = 0; i < n; i++) {
            String f = shuffled.get(i);
            if (f.equals("b")) {
                continue; // base64 keys are in the scenarios
            }
            out.append(' ').append(f).append(switch (f) {
                case "O" -> letters(1 + random.nextInt(10));
                case "T", "N", "R" -> pick("0", Integer.toString(1000 + random.nextInt(100_000)), "-1");
                case "F" -> flags()[0];
                case "C" -> pick("0", "1", "18446744073709551615", "abc");
                case "M" -> pick("S", "E", "A", "P", "R", "I", "D", "+", "-", "X");
                case "J" -> pick("0", "10", "4611686018427387904"); // stays below 2^63, see the class comment
                case "D" -> pick("1", "10", "0", "4294967296");
                default -> "";
            });
        }
        return out.toString();
    }

    // ---- cas ----

    private void cas() {
        String key = key();
        int variant = random.nextInt(100);
        String casToken;
        if (variant < 55) {
            get("gets", List.of(key));
            casToken = CommandStream.CAS_PLACEHOLDER;
        } else if (variant < 75) {
            // never a live CAS: memcached's counter starts at 1 and these are far beyond any test's stores
            casToken = pick("0", "18446744073709551615", Long.toUnsignedString(random.nextLong() | (1L << 62)));
        } else if (variant < 85) {
            storageLine("cas " + key + " 0 0 5 " + pick("-1", "abc", "18446744073709551616", "1.5") + maybeNoreply(),
                    digits(5));
            return;
        } else if (variant < 92) {
            storageLine("cas " + key + " 0 0 5", digits(5));
            return;
        } else {
            storageLine("cas " + key251 + " 0 0 5 1" + maybeNoreply(), digits(5));
            return;
        }
        String[] flags = flags();
        byte[] value = value(size(key, Long.parseUnsignedLong(flags[1])), true);
        String line = "cas " + key + " " + flags[0] + " " + exptime() + " " + value.length + " " + casToken
                + maybeNoreply() + eol();
        String casKey = casToken.equals(CommandStream.CAS_PLACEHOLDER) ? key : null;
        add(new Command(line.getBytes(ISO_8859_1), withEnd(value), casKey, 0, false, false, value.length));
    }

    // ---- retrieval ----

    private void get() {
        String command = pick("get", "get", "get", "gets", "gets", "gets", "bget");
        int n = random.nextInt(100);
        int count = n < 45 ? 1
                : n < 85 ? 2 + random.nextInt(4)
                : n < 97 ? 6 + random.nextInt(25)
                : 31 + random.nextInt(70);
        List<String> chosen = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            chosen.add(key());
        }
        if (previousFlushes && random.nextInt(12) == 0) {
            chosen.add(random.nextInt(chosen.size() + 1), key251);
        }
        get(command, chosen);
    }

    private void get(String command, List<String> keysToGet) {
        List<String> chosen = new ArrayList<>(keysToGet);
        String separator = random.nextInt(20) == 0 ? "   " : " ";
        String lead = random.nextInt(40) == 0 ? "  " : "";
        if (!command.equals("get") && !command.equals("gets")) {
            // only get/gets lines may outgrow 2048 bytes unfinished in memcached (bget may not)
            while (chosen.size() > 1 && String.join(separator, chosen).length() > 1900) {
                chosen.remove(chosen.size() - 1);
            }
        }
        String line = lead + command + separator + String.join(separator, chosen) + eolNoStrayCr();
        boolean flushes = !chosen.contains(key251);
        add(new Command(line.getBytes(ISO_8859_1), new byte[0], null, 0, false, flushes, 0));
    }

    private void gat() {
        String command = random.nextBoolean() ? "gat" : "gats";
        boolean badExptime = random.nextInt(15) == 0;
        String exptime = badExptime ? pick("abc", "1.5", "", "1a") : exptime();
        List<String> chosen = new ArrayList<>();
        int count = random.nextInt(8);
        for (int i = 0; i < count; i++) {
            chosen.add(key());
        }
        if (previousFlushes && random.nextInt(12) == 0) {
            chosen.add(key251);
        }
        // stay below 2048 bytes: memcached closes longer unfinished lines unless they are get/gets
        while (chosen.size() > 1 && String.join(" ", chosen).length() > 1900) {
            chosen.remove(chosen.size() - 1);
        }
        StringBuilder line = new StringBuilder(command);
        if (!exptime.isEmpty()) {
            line.append(' ').append(exptime);
        }
        chosen.forEach(k -> line.append(' ').append(k));
        line.append(eolNoStrayCr());
        boolean flushes = !badExptime && !chosen.contains(key251);
        add(new Command(line.toString().getBytes(ISO_8859_1), new byte[0], null, 0, false, flushes, 0));
    }

    // ---- touch, delete, incr/decr, flush_all ----

    private void touch() {
        String key = random.nextInt(25) == 0 ? key251 : key();
        line(switch (random.nextInt(10)) {
            case 0 -> "touch " + key;
            case 1 -> "touch " + key + " " + pick("abc", "1.5", "1a");
            case 2 -> "touch " + key + " 1000 2 3";
            case 3 -> "touch " + key + " 1000 extra";
            default -> "touch " + key + " " + exptime() + maybeNoreply();
        }, eol());
    }

    private void delete() {
        String key = random.nextInt(25) == 0 ? key251 : key();
        line(pick(
                "delete " + key, "delete " + key, "delete " + key + " 0", "delete " + key + " noreply",
                "delete " + key + " 0 noreply", "delete " + key + " 5", "delete " + key + " 5 noreply",
                "delete " + key + " 0 0", "delete " + key + " noreply 0", "delete", "delete " + key + " 0 0 0",
                "delete " + key + " x"), eol());
    }

    private void arithmetic() {
        String key = key();
        if (random.nextInt(10) < 4) {
            byte[] value = numeric().getBytes(ISO_8859_1);
            String line = "set " + key + " " + flags()[0] + " 0 " + value.length + "\r\n";
            add(new Command(line.getBytes(ISO_8859_1), withEnd(value), null, 0, false, false, value.length));
        }
        String command = random.nextBoolean() ? "incr" : "decr";
        int n = random.nextInt(24);
        String delta;
        if (n < 3) {
            delta = pick("-1", "abc", "18446744073709551616", "1a", "1.5", "0x10", "");
        } else if (n < 6) {
            delta = pick("+1", "01", "007");
        } else if (n < 10) {
            delta = command.equals("decr") ? pick(DECR_DELTAS) : Long.toString(random.nextLong() >>> 24);
        } else {
            delta = Integer.toString(random.nextInt(1000));
        }
        String line = switch (random.nextInt(20)) {
            case 0 -> command + " " + key;
            case 1 -> command + " " + key + " 1 2 3";
            case 2 -> command + " " + key251 + " 1";
            case 3 -> command + " " + key + " " + delta + " extra";
            default -> command + " " + key + (delta.isEmpty() ? "" : " " + delta) + maybeNoreply();
        };
        line(line, eol());
    }

    private void flushAll() {
        line(pick("flush_all", "flush_all", "flush_all 0", "flush_all noreply", "flush_all 0 noreply",
                "flush_all -1", "flush_all -5", "flush_all 2147483648", "flush_all x", "flush_all x noreply",
                "flush_all 1 2 3", "flush_all noreply x", "flush_all 0 x"), eol());
    }

    // ---- admin ----

    private void verbosity() {
        line(pick("verbosity 0", "verbosity 1", "verbosity 1 noreply", "verbosity 0 noreply", "verbosity",
                "verbosity x", "verbosity -1", "verbosity 0 0 0", "verbosity noreply", "verbosity 0 x",
                "verbosity 4294967296", "verbosity 0"), eol());
    }

    private void stats() {
        String stats = pick("stats", "stats", "stats settings", "stats items", "stats slabs", "stats sizes",
                "stats foo", "stats a b c", "STATS", "stats noreply", "stats detail", "stats detail x",
                "stats detail on", "stats detail off", "stats cachedump", "stats cachedump x 1",
                "stats cachedump 1", "stats cachedump 9999 1", "stats reset", "stats  ", "stats items x");
        if (stats.startsWith("stats items") || stats.equals("stats slabs")) {
            // an item that surely exists, so that both servers list at least one slab class
            String line = "set " + prefix + "anchor 0 0 1\r\n";
            add(new Command(line.getBytes(ISO_8859_1), "a\r\n".getBytes(ISO_8859_1), null, 0, false, false, 1));
        }
        line(stats, eolNoStrayCr());
    }

    private void malformed() {
        line(switch (random.nextInt(16)) {
            case 0 -> "";
            case 1 -> "   ";
            case 2 -> pick("GET " + key(), "Get " + key(), "VERSION", "Delete " + key(), "INCR " + key() + " 1");
            case 3 -> pick("get", "gets", "gat", "gats", "bget");
            case 4 -> pick("incr " + key(), "decr", "touch " + key(), "touch", "incr", "verbosity 0 0 0");
            case 5 -> pick("x", "m", "mx " + key(), "a", "zz");
            case 6 -> pick("misbehave", "debugtime 1", "watchx", "versions", "getx " + key(), "sett k 0 0 1");
            case 7 -> "cas " + key() + " 0 0";
            default -> junkLine();
        }, eol());
    }

    /** Uppercase words and digits: never a real command (those are lowercase) nor an {@code HTTP/} line. */
    private String junkLine() {
        int tokens = 1 + random.nextInt(6);
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < tokens; i++) {
            if (i > 0) {
                line.append(' ');
            }
            int length = 1 + random.nextInt(12);
            for (int j = 0; j < length; j++) {
                line.append("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_".charAt(random.nextInt(37)));
            }
        }
        return line.toString();
    }

    // ---- parts ----

    private void line(String line, String eol) {
        add(Command.of(line + eol));
    }

    private void add(Command command) {
        commands.add(command);
        previousFlushes = command.flushesReplies();
    }

    private String key() {
        return keys.get(random.nextInt(keys.size()));
    }

    /** A flags token and the 32-bit value memcached stores for it (it parses 64 bits and truncates). */
    private String[] flags() {
        int n = random.nextInt(100);
        if (n < 40) {
            return new String[] {"0", "0"};
        }
        if (n < 60) {
            String small = Integer.toString(random.nextInt(100));
            return new String[] {small, small};
        }
        if (n < 65) {
            return new String[] {"4294967295", "4294967295"};
        }
        if (n < 90) {
            String any = Long.toString(random.nextLong() & 0xffffffffL);
            return new String[] {any, any};
        }
        if (n < 96) {
            String wide = pick("4294967296", "4294967297", "18446744073709551615", "8589934593",
                    Long.toUnsignedString(random.nextLong()));
            return new String[] {wide, Long.toString(Long.parseUnsignedLong(wide) & 0xffffffffL)};
        }
        String odd = pick("+5", "007", "-0");
        return new String[] {odd, odd.equals("-0") ? "0" : Long.toString(Long.parseLong(odd))};
    }

    /** An expiry time that means the same on two servers whenever during the stream it is read. */
    private String exptime() {
        int n = random.nextInt(100);
        if (n < 50) {
            return "0";
        }
        if (n < 70) {
            return Integer.toString(1000 + random.nextInt(100_000));
        }
        if (n < 78) {
            return pick("-1", "-1000", Integer.toString(-1 - random.nextInt(Integer.MAX_VALUE)));
        }
        if (n < 84) {
            return Long.toString(now - 40L * 86400 - random.nextInt(1_000_000_000)); // absolute, past
        }
        if (n < 90) {
            return Long.toString(now + 86400 + random.nextInt(10_000_000)); // absolute, future
        }
        if (n < 95) {
            return pick("2592000", "2592001"); // 30 days: the last relative value, the first absolute one (1970)
        }
        // 32-bit truncation: 2147483648 wraps negative (expired), 4294968296 to 1000, -2147483649 to far future
        return pick("2147483648", "4294968296", "-2147483649", "+1000", "01000");
    }

    /**
     * A value size: mostly small, some up to 100 KB, and a few exactly around the item size limit for this key
     * and flags, where memcached answers {@code SERVER_ERROR object too large for cache}.
     */
    private int size(String key, long flags) {
        int n = random.nextInt(1000);
        if (n < 50) {
            return 0;
        }
        if (n < 550) {
            return 1 + random.nextInt(100);
        }
        if (n < 800) {
            return 100 + random.nextInt(9_900);
        }
        if (n < 988) {
            return 10_000 + random.nextInt(90_001);
        }
        return largestValue(key.length(), flags) - 2 + random.nextInt(5);
    }

    /**
     * The largest value memcached 1.6.18 stores with the default {@code -I 1m}: header, key, its NUL, the value's
     * {@code \r\n} and 4 bytes of flags unless they are 0 must fit in 1 MiB.
     */
    static int largestValue(int keyLength, long flags) {
        return ITEM_SIZE_MAX - ITEM_HEADER_BYTES - keyLength - 1 - 2 - (flags != 0 ? 4 : 0);
    }

    private byte[] value(int size, boolean mayBeNumber) {
        if (mayBeNumber && size <= 24 && random.nextInt(3) == 0) {
            return numeric().getBytes(ISO_8859_1);
        }
        byte[] value = new byte[size];
        if (random.nextBoolean()) {
            random.nextBytes(value);
        } else {
            for (int i = 0; i < size; i++) {
                value[i] = (byte) (random.nextInt(40) == 0 ? '\n' : 'a' + random.nextInt(26));
            }
            if (size > 10 && random.nextInt(4) == 0) {
                // reply-like bytes inside a value: a reader that does not go by the length gets lost here
                byte[] trap = "\r\nEND\r\nVALUE x 0 1\r\n".getBytes(ISO_8859_1);
                int at = random.nextInt(size);
                System.arraycopy(trap, 0, value, at, Math.min(trap.length, size - at));
            }
        }
        return value;
    }

    /** A value for incr/decr: numbers up to 2^62, with spaces, signs, too large, or not a number at all. */
    private String numeric() {
        return pick(pick(NUMBERS), Long.toString(random.nextLong() >>> 2), Integer.toString(random.nextInt(1000)),
                "18446744073709551616", "   10", "10  ", "007", "-1", "-0", "+5", "abc", "12abc", "", "1 2",
                "000000000000000000000000001", "99", "100", "9");
    }

    private String digits(int length) {
        StringBuilder out = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            out.append((char) ('0' + random.nextInt(10)));
        }
        return out.toString();
    }

    private String letters(int length) {
        StringBuilder out = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            out.append((char) ('a' + random.nextInt(26)));
        }
        return out.toString();
    }

    private String maybeNoreply() {
        return random.nextInt(5) == 0 ? " noreply" : "";
    }

    /** Mostly {@code \r\n}, sometimes a bare {@code \n} (memcached accepts both), rarely {@code \r\r\n}. */
    private String eol() {
        int n = random.nextInt(100);
        return n < 85 ? "\r\n" : n < 98 ? "\n" : "\r\r\n";
    }

    /** A line end for lines whose last token must not gain a {@code \r} (keys, the version command). */
    private String eolNoStrayCr() {
        return random.nextInt(100) < 85 ? "\r\n" : "\n";
    }

    private static byte[] withEnd(byte[] value) {
        byte[] out = new byte[value.length + 2];
        System.arraycopy(value, 0, out, 0, value.length);
        out[value.length] = '\r';
        out[value.length + 1] = '\n';
        return out;
    }

    @SafeVarargs
    private <T> T pick(T... choices) {
        return choices[random.nextInt(choices.length)];
    }

    @Override
    public String toString() {
        return "CommandStreamGenerator[seed=" + seed + "]";
    }
}
