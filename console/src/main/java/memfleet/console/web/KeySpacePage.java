package memfleet.console.web;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import memfleet.console.fleet.Fleet;
import memfleet.console.fleet.NodeAddress;
import memfleet.console.keyspace.KeySpace;
import memfleet.console.keyspace.KeySpaceAnalysis;
import memfleet.console.keyspace.KeySpaceProperties;
import memfleet.console.keyspace.PrefixTree;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Key space: what fills a node's or a group's memory, from {@link KeySpaceAnalysis}. The prefix tree one level at a
 * time ({@code prefix=} drills down, a breadcrumb goes back up), each prefix's share of memory as a bar and a link to
 * the key browser filtered to it; per slab class the items, bytes, never-read and never-expiring counts and the
 * histograms of time to live left, time since last access and item size ({@code class=} picks one, 0 = all); the
 * biggest items and the biggest that never expire. Charts are SVG drawn here, so the page needs no script.
 */
@Controller
public class KeySpacePage {
    /** A prefix row: its text as shown, counts, share of the analysed bytes, bar width (0–100) and links. */
    public record PrefixRow(String prefix, String shown, long items, String bytes, String share, double bar,
                            long neverExpire, long ownItems, boolean drill, String keysFilter) {
    }

    /** One bar of a histogram: label, count, height and top in a 0–100 box. */
    public record Bar(String label, long count, double height, double y) {
    }

    /** A histogram: its title and bars. */
    public record Histogram(String title, String unit, List<Bar> bars) {
    }

    /** A slab class row. */
    public record ClassRow(int id, long items, String bytes, String share, long neverFetched, long neverExpire) {
    }

    /** A listed item: key as shown, the key or its hex for the item page, size, class, expiry and node. */
    public record ItemRow(String shown, String key, String keyHex, String size, int slabClass, String expiry,
                          String idle, String node) {
    }

    private final Fleet fleet;
    private final KeySpaceAnalysis analysis;

    public KeySpacePage(Fleet fleet, KeySpaceAnalysis analysis) {
        this.fleet = fleet;
        this.analysis = analysis;
    }

    @GetMapping("/keyspace")
    Mono<String> keySpace(@RequestParam(required = false) String id, @RequestParam(required = false) String group,
                          @RequestParam(defaultValue = "") String prefix,
                          @RequestParam(name = "sep", required = false) String sep,
                          @RequestParam(name = "class", defaultValue = "0") int slabClass,
                          @RequestParam(required = false) String fresh, Model model, ServerWebExchange exchange) {
        char separator = analysis.properties().separator();
        if (sep != null && !sep.isEmpty()) {
            if (sep.length() != 1 || KeySpaceProperties.SEPARATORS.indexOf(sep.charAt(0)) < 0) {
                throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "separator must be one of " + KeySpaceProperties.SEPARATORS);
            }
            separator = sep.charAt(0);
        }
        boolean again = "1".equals(fresh);
        model.addAttribute("separators", KeySpaceProperties.SEPARATORS.chars().mapToObj(c -> String.valueOf((char) c)).toList());
        model.addAttribute("separator", String.valueOf(separator));
        model.addAttribute("groups", fleet.groups().keySet());
        model.addAttribute("nodes", fleet.nodes());
        Mono<KeySpaceAnalysis.Result> result;
        NodeAddress node = null;
        if (id != null && !id.isEmpty()) {
            node = NodePage.node(fleet, id);
            result = analysis.node(node, separator, again);
            model.addAttribute("subject", node.id());
            model.addAttribute("node", node);
            model.addAttribute("group", null);
        } else if (group != null && !group.isEmpty()) {
            List<NodeAddress> members = fleet.groups().get(group);
            if (members == null) {
                throw new ResponseStatusException(HttpStatus.NOT_FOUND, "no such group");
            }
            result = analysis.group(group, members, separator, again);
            model.addAttribute("subject", "group " + group);
            model.addAttribute("node", null);
            model.addAttribute("group", group);
            node = members.get(0);
        } else {
            model.addAttribute("subject", null);
            model.addAttribute("node", null);
            model.addAttribute("group", null);
            model.addAttribute("error", null);
            model.addAttribute("result", null);
            return Mono.just("keyspace");
        }
        NodeAddress browse = node;
        boolean single = id != null && !id.isEmpty();
        return result.map(r -> {
            fill(model, r, prefix, slabClass, single ? browse : null);
            model.addAttribute("error", null);
            return "keyspace";
        }).onErrorResume(e -> {
            exchange.getResponse().setStatusCode(HttpStatus.BAD_GATEWAY);
            model.addAttribute("error", e.getMessage());
            model.addAttribute("result", null);
            return Mono.just("keyspace");
        });
    }

    private static void fill(Model model, KeySpaceAnalysis.Result r, String prefix, int slabClass, NodeAddress browse) {
        KeySpace ks = r.keySpace();
        PrefixTree tree = ks.prefixes();
        PrefixTree.Prefix root = tree.root();
        PrefixTree.Prefix at = tree.find(prefix);
        if (at == null) {
            at = root;
        }
        model.addAttribute("result", r);
        model.addAttribute("finished", Instant.ofEpochMilli(r.finishedMillis()).toString());
        model.addAttribute("totalItems", root.items());
        model.addAttribute("totalBytes", Units.bytes(root.bytes()));
        model.addAttribute("neverExpire", root.neverExpire());
        model.addAttribute("prefix", at.prefix());
        model.addAttribute("prefixShown", at == root ? "" : shown(at.prefix()));
        model.addAttribute("prefixItems", at.items());
        model.addAttribute("prefixBytes", Units.bytes(at.bytes()));
        model.addAttribute("prefixShare", Units.percent(share(at.bytes(), root.bytes())));
        model.addAttribute("ownItems", at.ownItems());
        List<PrefixRow> path = new ArrayList<>();
        for (PrefixTree.Prefix p : tree.path(at)) {
            path.add(row(p, root, browse));
        }
        model.addAttribute("path", path);
        List<PrefixTree.Prefix> children = at.children();
        long max = children.stream().mapToLong(PrefixTree.Prefix::bytes).max().orElse(1);
        List<PrefixRow> rows = new ArrayList<>();
        for (PrefixTree.Prefix c : children) {
            PrefixRow row = row(c, root, browse);
            rows.add(new PrefixRow(row.prefix(), row.shown(), row.items(), row.bytes(), row.share(),
                    max == 0 ? 0 : 100.0 * c.bytes() / max, row.neverExpire(), row.ownItems(), row.drill(), row.keysFilter()));
        }
        model.addAttribute("children", rows);
        model.addAttribute("prefixCount", tree.size());

        List<ClassRow> classes = new ArrayList<>();
        KeySpace.SlabClass chosen = null;
        for (KeySpace.SlabClass c : ks.classes()) {
            classes.add(new ClassRow(c.id(), c.items(), Units.bytes(c.bytes()), Units.percent(share(c.bytes(), root.bytes())),
                    c.neverFetched(), c.neverExpire()));
            if (c.id() == slabClass) {
                chosen = c;
            }
        }
        KeySpace.SlabClass h = chosen != null ? chosen : ks.total();
        model.addAttribute("classes", classes);
        model.addAttribute("slabClass", chosen != null ? chosen.id() : 0);
        model.addAttribute("neverFetched", ks.total().neverFetched());
        model.addAttribute("histograms", List.of(
                histogram("Time to live left", KeySpace.TTL_LABELS, h.ttl()),
                histogram("Time since last access", KeySpace.IDLE_LABELS, h.idle()),
                histogram("Item size (header, key and value)", KeySpace.SIZE_LABELS, h.size())));
        model.addAttribute("biggest", items(ks.biggest(), ks.now()));
        model.addAttribute("biggestNeverExpiring", items(ks.biggestNeverExpiring(), ks.now()));
    }

    private static PrefixRow row(PrefixTree.Prefix p, PrefixTree.Prefix root, NodeAddress browse) {
        String filter = p.isOther() || browse == null ? null : utf8(p.prefix());
        return new PrefixRow(p.prefix(), shown(p.prefix()), p.items(), Units.bytes(p.bytes()),
                Units.percent(share(p.bytes(), root.bytes())), 0, p.neverExpire(), p.ownItems(),
                !p.isOther() && !p.children().isEmpty(), filter);
    }

    private static double share(long part, long whole) {
        return whole == 0 ? Double.NaN : (double) part / whole;
    }

    static Histogram histogram(String title, List<String> labels, long[] counts) {
        long max = 0;
        for (long c : counts) {
            max = Math.max(max, c);
        }
        List<Bar> bars = new ArrayList<>();
        for (int i = 0; i < counts.length; i++) {
            double height = max == 0 ? 0 : 100.0 * counts[i] / max;
            bars.add(new Bar(labels.get(i), counts[i], height, 100 - height));
        }
        return new Histogram(title, "items", bars);
    }

    private static List<ItemRow> items(List<KeySpace.Item> items, long now) {
        List<ItemRow> rows = new ArrayList<>();
        for (KeySpace.Item i : items) {
            String text = utf8(i.key());
            rows.add(new ItemRow(shown(i.key()), text, text == null ? HexFormat.of().formatHex(i.key().getBytes(StandardCharsets.ISO_8859_1)) : null,
                    Units.bytes(i.size()), i.slabClass(),
                    i.exp() <= 0 ? "never" : i.exp() <= now ? "expired" : "in " + Units.duration(i.exp() - now),
                    Units.duration(Math.max(0, now - i.lastAccess())), i.node()));
        }
        return rows;
    }

    /** The key (one char per byte) read as UTF-8, or null when it is not valid UTF-8. */
    static String utf8(String latin1) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(latin1.getBytes(StandardCharsets.ISO_8859_1))).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /** The key as shown: UTF-8 when it is, control bytes (and the bytes of non-UTF-8 keys beyond ASCII) as \xNN. */
    static String shown(String latin1) {
        String text = utf8(latin1);
        String s = text != null ? text : latin1;
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f || (text == null && c > 0x7e)) {
                sb.append(String.format("\\x%02X", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
