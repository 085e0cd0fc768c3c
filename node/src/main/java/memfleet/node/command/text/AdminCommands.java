package memfleet.node.command.text;

import java.nio.charset.StandardCharsets;

import io.netty.buffer.ByteBuf;
import memfleet.node.Node;
import memfleet.node.command.Metadump;
import memfleet.node.command.Step;
import memfleet.node.stats.StatsWriter;
import memfleet.node.store.LruCrawler;
import memfleet.node.store.SlabAllocator;
import memfleet.node.store.SlabRebalancer;
import memfleet.protocol.text.Decimal;
import memfleet.protocol.text.TextReplies;
import memfleet.protocol.text.TextTokenizer;

/**
 * The operator's commands: {@code stats} and its groups, {@code slabs reassign|automove},
 * {@code lru_crawler ...}, {@code lru tune|mode|temp_ttl} and {@code cache_memlimit}, with memcached
 * 1.6.18's replies. Off the request hot path, so plain strings are fine here.
 */
final class AdminCommands {
    private final Node node;
    private final StatsWriter statsWriter;
    private final boolean[] ok = new boolean[1];
    private Metadump metadump;

    AdminCommands(Node node, StatsWriter statsWriter) {
        this.node = node;
        this.statsWriter = statsWriter;
    }

    private static String token(byte[] in, TextTokenizer t, int i) {
        return new String(in, t.start(i), t.length(i), StandardCharsets.ISO_8859_1);
    }

    private static void line(ByteBuf out, String s) {
        out.writeBytes((s + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
    }

    void stats(byte[] in, TextTokenizer t, int ntokens, ByteBuf out) {
        if (ntokens == 2) {
            statsWriter.general(out);
            out.writeBytes(TextReplies.END);
            return;
        }
        String sub = token(in, t, 1);
        switch (sub) {
            case "reset" -> {
                node.threadStats().forEach(memfleet.node.stats.ThreadStats::reset);
                node.store().stats().reset();
                node.connectionStats().reset();
                node.prefixStats().clear();
                out.writeBytes(TextReplies.RESET);
            }
            case "detail" -> {
                String mode = ntokens < 4 ? "" : token(in, t, 2);
                switch (mode) {
                    case "on" -> {
                        node.settings().detailEnabled = true;
                        out.writeBytes(TextReplies.OK);
                    }
                    case "off" -> {
                        node.settings().detailEnabled = false;
                        out.writeBytes(TextReplies.OK);
                    }
                    case "dump" -> out.writeBytes(node.prefixStats().dump().getBytes(StandardCharsets.ISO_8859_1));
                    default -> out.writeBytes(TextReplies.DETAIL_USAGE);
                }
            }
            case "settings" -> {
                statsWriter.settings(out);
                out.writeBytes(TextReplies.END);
            }
            case "cachedump" -> cachedump(in, t, ntokens, out);
            case "conns" -> {
                statsWriter.conns(out);
                out.writeBytes(TextReplies.END);
            }
            case "items" -> {
                statsWriter.items(out);
                out.writeBytes(TextReplies.END);
            }
            case "slabs" -> {
                statsWriter.slabs(out);
                out.writeBytes(TextReplies.END);
            }
            case "sizes" -> {
                statsWriter.sizes(out);
                out.writeBytes(TextReplies.END);
            }
            case "sizes_enable" -> {
                node.settings().trackSizes = true;
                out.writeBytes(TextReplies.OK);
            }
            case "sizes_disable" -> {
                node.settings().trackSizes = false;
                out.writeBytes(TextReplies.OK);
            }
            case "memfleet" -> {
                statsWriter.memfleet(out);
                out.writeBytes(TextReplies.END);
            }
            case "replication" -> {
                statsWriter.replication(out);
                out.writeBytes(TextReplies.END);
            }
            case "digest" -> {
                statsWriter.digest(out);
                out.writeBytes(TextReplies.END);
            }
            case "hotkeys" -> {
                statsWriter.hotKeys(out);
                out.writeBytes(TextReplies.END);
            }
            default -> out.writeBytes(TextReplies.ERROR);
        }
    }

    private void cachedump(byte[] in, TextTokenizer t, int ntokens, ByteBuf out) {
        if (!node.settings().dumpEnabled) {
            out.writeBytes(TextReplies.CACHEDUMP_NOT_ALLOWED);
            return;
        }
        if (ntokens < 5) {
            out.writeBytes(TextReplies.BAD_COMMAND_LINE);
            return;
        }
        long id = Decimal.parseUnsigned32(in, t.start(2), t.end(2), ok);
        long limit = id == Decimal.INVALID ? Decimal.INVALID : Decimal.parseUnsigned32(in, t.start(3), t.end(3), ok);
        if (limit == Decimal.INVALID) {
            out.writeBytes(TextReplies.BAD_FORMAT);
            return;
        }
        if (id >= SlabAllocator.MAX_CLASSES) {
            out.writeBytes(TextReplies.ILLEGAL_SLAB_ID);
            return;
        }
        if (id == 0 || id > node.store().slabs().largest()) {
            out.writeBytes(TextReplies.END);
            return;
        }
        out.writeBytes(node.store().cachedump((int) id, (int) limit).getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Returns whether the command carried noreply (its reply is then suppressed by the caller). */
    boolean slabs(byte[] in, TextTokenizer t, int ntokens, ByteBuf out, boolean noreply) {
        String sub = ntokens > 2 ? token(in, t, 1) : "";
        if (ntokens == 5 && sub.equals("reassign")) {
            if (!node.settings().slabReassign) {
                out.writeBytes(TextReplies.REASSIGN_DISABLED);
                return false;
            }
            long src = Decimal.parseSigned32(in, t.start(2), t.end(2));
            long dst = src == Decimal.INVALID ? Decimal.INVALID : Decimal.parseSigned32(in, t.start(3), t.end(3));
            if (dst == Decimal.INVALID) {
                out.writeBytes(TextReplies.BAD_FORMAT);
                return false;
            }
            out.writeBytes(switch (node.rebalancer().reassign((int) src, (int) dst)) {
                case SlabRebalancer.OK -> TextReplies.OK;
                case SlabRebalancer.RUNNING -> TextReplies.REASSIGN_BUSY;
                case SlabRebalancer.BADCLASS -> TextReplies.REASSIGN_BADCLASS;
                case SlabRebalancer.NOSPARE -> TextReplies.REASSIGN_NOSPARE;
                default -> TextReplies.REASSIGN_SAME;
            });
            return false;
        }
        if (ntokens >= 4 && sub.equals("automove")) {
            byte[] reply;
            if (token(in, t, 2).equals("ratio")) {
                double ratio;
                try {
                    ratio = ntokens < 5 ? Double.NaN : Double.parseDouble(token(in, t, 3));
                } catch (NumberFormatException e) {
                    ratio = Double.NaN;
                }
                if (Double.isNaN(ratio)) {
                    reply = TextReplies.ERROR;
                } else {
                    node.settings().slabAutomoveRatio = ratio;
                    reply = TextReplies.OK;
                }
            } else {
                long level = Decimal.parseUnsigned32(in, t.start(2), t.end(2), ok);
                if (level == Decimal.INVALID) {
                    reply = TextReplies.BAD_FORMAT;
                } else if (level <= 2) {
                    node.settings().slabAutomove = (int) level;
                    reply = TextReplies.OK;
                } else {
                    reply = TextReplies.ERROR;
                }
            }
            if (!noreply) {
                out.writeBytes(reply);
            }
            return noreply;
        }
        out.writeBytes(TextReplies.ERROR);
        return false;
    }

    byte[] memlimit(byte[] in, TextTokenizer t) {
        long mb = Decimal.parseUnsigned32(in, t.start(1), t.end(1), ok);
        if (mb == Decimal.INVALID) {
            return TextReplies.ERROR;
        }
        if (mb < 8) {
            return TextReplies.MEMLIMIT_TOO_SMALL;
        }
        if (mb > 1_000_000_000L) {
            return TextReplies.MEMLIMIT_NOT_BYTES;
        }
        if (node.store().slabs().adjustMemLimit(mb * 1024 * 1024)) {
            node.settings().maxBytes = mb * 1024 * 1024;
            return TextReplies.OK;
        }
        return TextReplies.MEMLIMIT_FAILED;
    }

    byte[] lru(byte[] in, TextTokenizer t, int ntokens) {
        var s = node.settings();
        String sub = token(in, t, 1);
        try {
            if (sub.equals("tune") && ntokens >= 7) {
                long hot = Long.parseLong(token(in, t, 2));
                long warm = Long.parseLong(token(in, t, 3));
                double hotFactor = Double.parseDouble(token(in, t, 4));
                double warmFactor = Double.parseDouble(token(in, t, 5));
                if (hot + warm > 80) {
                    return "ERROR hot and warm pcts must not exceed 80\r\n".getBytes(StandardCharsets.US_ASCII);
                }
                if (warmFactor <= 0 || hotFactor <= 0) {
                    return "ERROR hot/warm age factors must be greater than 0\r\n".getBytes(StandardCharsets.US_ASCII);
                }
                s.hotLruPct = (int) hot;
                s.warmLruPct = (int) warm;
                s.hotMaxFactor = hotFactor;
                s.warmMaxFactor = warmFactor;
                return TextReplies.OK;
            } else if (sub.equals("mode") && ntokens >= 4 && s.lruMaintainer) {
                switch (token(in, t, 2)) {
                    case "flat" -> s.lruSegmented = false;
                    case "segmented" -> s.lruSegmented = true;
                    default -> {
                        return TextReplies.ERROR;
                    }
                }
                return TextReplies.OK;
            } else if (sub.equals("temp_ttl") && ntokens >= 4 && s.lruMaintainer) {
                long ttl = Decimal.parseSigned32(in, t.start(2), t.end(2));
                if (ttl == Decimal.INVALID) {
                    return TextReplies.ERROR;
                }
                if (ttl < 0) {
                    s.tempLru = false;
                } else {
                    s.tempLru = true;
                    s.temporaryTtl = (int) ttl;
                }
                return TextReplies.OK;
            }
        } catch (NumberFormatException e) {
            return TextReplies.ERROR;
        }
        return TextReplies.ERROR;
    }

    Step lruCrawler(byte[] in, TextTokenizer t, int ntokens, ByteBuf out) {
        var s = node.settings();
        String sub = ntokens > 2 ? token(in, t, 1) : "";
        LruCrawler crawler = node.crawler();
        if (ntokens == 4 && sub.equals("crawl")) {
            if (!s.lruCrawler) {
                out.writeBytes(TextReplies.CRAWLER_DISABLED);
                return Step.COMMAND;
            }
            boolean[] classes = parseClasses(token(in, t, 2));
            if (classes == null) {
                out.writeBytes(TextReplies.CRAWLER_BADCLASS);
                return Step.COMMAND;
            }
            out.writeBytes(crawler.request(classes) == LruCrawler.OK ? TextReplies.OK : TextReplies.CRAWLER_BUSY);
            return Step.COMMAND;
        }
        if (ntokens == 4 && sub.equals("metadump")) {
            if (!s.lruCrawler) {
                out.writeBytes(TextReplies.CRAWLER_DISABLED);
            } else if (!s.dumpEnabled) {
                out.writeBytes(TextReplies.METADUMP_NOT_ALLOWED);
            } else {
                // commands pipelined before it are answered first (the connection flushes them), as memcached does
                boolean[] classes = parseClasses(token(in, t, 2));
                if (classes == null) {
                    out.writeBytes(TextReplies.CRAWLER_BADCLASS);
                } else if (!crawler.tryStartDump()) {
                    out.writeBytes(TextReplies.CRAWLER_BUSY);
                } else {
                    metadump = new Metadump(node, classes);
                    return Step.STREAM;
                }
            }
            return Step.COMMAND;
        }
        if (ntokens == 4 && sub.equals("tocrawl")) {
            long n = Decimal.parseUnsigned32(in, t.start(2), t.end(2), ok);
            if (n == Decimal.INVALID) {
                line(out, "CLIENT_ERROR bad command line format");
            } else {
                s.lruCrawlerTocrawl = (int) n;
                out.writeBytes(TextReplies.OK);
            }
            return Step.COMMAND;
        }
        if (ntokens == 4 && sub.equals("sleep")) {
            long n = Decimal.parseUnsigned32(in, t.start(2), t.end(2), ok);
            if (n == Decimal.INVALID) {
                line(out, "CLIENT_ERROR bad command line format");
            } else if (n > 1_000_000) {
                line(out, "CLIENT_ERROR sleep must be one second or less");
            } else {
                s.lruCrawlerSleep = (int) n;
                out.writeBytes(TextReplies.OK);
            }
            return Step.COMMAND;
        }
        if (ntokens == 3 && sub.equals("enable")) {
            if (s.lruCrawler) {
                line(out, "ERROR failed to start lru crawler thread"); // memcached: it is already running
            } else {
                s.lruCrawler = true;
                out.writeBytes(TextReplies.OK);
            }
            return Step.COMMAND;
        }
        if (ntokens == 3 && sub.equals("disable")) {
            s.lruCrawler = false;
            out.writeBytes(TextReplies.OK);
            return Step.COMMAND;
        }
        out.writeBytes(TextReplies.ERROR);
        return Step.COMMAND;
    }

    /** "all", "1", or "1,2,3": classes to crawl; null when one is not a valid class. */
    private boolean[] parseClasses(String spec) {
        int largest = node.store().slabs().largest();
        boolean[] classes = new boolean[SlabAllocator.MAX_CLASSES];
        if (spec.equals("all")) {
            java.util.Arrays.fill(classes, 1, largest + 1, true);
            return classes;
        }
        for (String p : spec.split(",")) {
            try {
                int c = Integer.parseInt(p);
                if (c < 1 || c >= SlabAllocator.MAX_CLASSES) {
                    return null;
                }
                classes[c] = true;
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return classes;
    }

    /** The metadump that the last {@link Step#STREAM} asked the connection to run. */
    Metadump takeMetadump() {
        Metadump m = metadump;
        metadump = null;
        return m;
    }
}
