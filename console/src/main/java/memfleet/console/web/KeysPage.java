package memfleet.console.web;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.security.Principal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import memfleet.console.collect.NodeCommands;
import memfleet.console.fleet.Fleet;
import memfleet.console.fleet.NodeAddress;
import memfleet.console.history.History;
import memfleet.console.history.NodeStatus;
import memfleet.console.security.AuditLog;
import memfleet.protocol.text.CachedumpReply;
import memfleet.protocol.text.ItemKey;
import memfleet.protocol.text.ValueReply;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.util.MultiValueMap;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * The key browser: a slab class's keys from {@code stats cachedump <class> 0}, filtered by prefix or regex,
 * sorted by key, size or expiry, 50 to a page; an item's preview from {@code gets} (text or hex, size, flags,
 * TTL, CAS); and the admin's delete, set and touch. Every key from a request passes {@link ItemKey} first: a key
 * with whitespace, a control character or over 250 bytes gets a 400 and never reaches a node.
 */
@Controller
public class KeysPage {
    static final int PAGE = 50;
    static final int PREVIEW_BYTES = 64 * 1024;

    /** A listed key with its size and expiry as the page shows them; {@code keyHex} names a key that is not UTF-8. */
    public record KeyRow(String key, long bytes, String size, String expiry, long exptime, String keyHex) {
    }

    private final Fleet fleet;
    private final History history;
    private final NodeCommands commands;
    private final AuditLog audit;

    public KeysPage(Fleet fleet, History history, NodeCommands commands, AuditLog audit) {
        this.fleet = fleet;
        this.history = history;
        this.commands = commands;
        this.audit = audit;
    }

    @GetMapping("/keys")
    Mono<String> keys(@RequestParam String id, @RequestParam(name = "class", defaultValue = "0") int slabClass,
                      @RequestParam(defaultValue = "") String filter,
                      @RequestParam(defaultValue = "prefix") String match,
                      @RequestParam(defaultValue = "key") String sort,
                      @RequestParam(defaultValue = "asc") String dir,
                      @RequestParam(defaultValue = "1") int page,
                      @RequestParam(required = false) String msg,
                      Model model, ServerWebExchange exchange) {
        NodeAddress node = NodePage.node(fleet, id);
        NodeStatus status = history.status(node);
        List<SlabsPage.SlabRow> classes = SlabsPage.rows(status);
        model.addAttribute("node", node);
        model.addAttribute("classes", classes);
        model.addAttribute("filter", filter);
        model.addAttribute("match", match);
        model.addAttribute("sort", sort);
        model.addAttribute("dir", dir);
        model.addAttribute("msg", msg);
        int cls = slabClass > 0 ? slabClass : classes.stream().filter(c -> c.items() > 0).mapToInt(SlabsPage.SlabRow::id)
                .findFirst().orElse(classes.isEmpty() ? 1 : classes.get(0).id());
        model.addAttribute("slabClass", cls);
        Predicate<String> keep;
        try {
            keep = KeyFilter.of(match, filter);
        } catch (IllegalArgumentException e) {
            exchange.getResponse().setStatusCode(HttpStatus.BAD_REQUEST);
            model.addAttribute("error", e.getMessage());
            model.addAttribute("keys", List.of());
            model.addAttribute("pages", 1);
            model.addAttribute("page", 1);
            model.addAttribute("total", 0);
            return Mono.just("keys");
        }
        long now = nodeTime(status);
        return commands.cachedump(node, cls).map(entries -> {
            List<KeyRow> rows = new ArrayList<>();
            try {
                for (CachedumpReply.Entry e : entries) {
                    if (keep.test(e.key())) {
                        rows.add(new KeyRow(e.key(), e.bytes(), Units.bytes(e.bytes()), expiry(e.exptime(), now),
                                e.exptime(), e.keyHex()));
                    }
                }
                model.addAttribute("error", null);
            } catch (IllegalArgumentException slow) {
                exchange.getResponse().setStatusCode(HttpStatus.BAD_REQUEST);
                model.addAttribute("error", slow.getMessage());
                rows.clear();
            }
            Comparator<KeyRow> order = switch (sort) {
                case "size" -> Comparator.comparingLong(KeyRow::bytes).thenComparing(KeyRow::key);
                // never-expiring items sort last
                case "expiry" -> Comparator.comparingLong((KeyRow r) -> r.exptime() == 0 ? Long.MAX_VALUE : r.exptime())
                        .thenComparing(KeyRow::key);
                default -> Comparator.comparing(KeyRow::key);
            };
            rows.sort("desc".equals(dir) ? order.reversed() : order);
            int pages = Math.max(1, (rows.size() + PAGE - 1) / PAGE);
            int p = Math.min(Math.max(1, page), pages);
            model.addAttribute("keys", rows.subList((p - 1) * PAGE, Math.min(rows.size(), p * PAGE)));
            model.addAttribute("total", rows.size());
            model.addAttribute("page", p);
            model.addAttribute("pages", pages);
            return "keys";
        }).onErrorResume(e -> {
            exchange.getResponse().setStatusCode(HttpStatus.BAD_GATEWAY);
            model.addAttribute("error", e.getMessage());
            model.addAttribute("keys", List.of());
            model.addAttribute("total", 0);
            model.addAttribute("page", 1);
            model.addAttribute("pages", 1);
            return Mono.just("keys");
        });
    }

    @GetMapping("/keys/item")
    Mono<String> item(@RequestParam String id, @RequestParam(defaultValue = "") String key,
                      @RequestParam(defaultValue = "") String keyhex,
                      @RequestParam(name = "class", defaultValue = "0") int slabClass,
                      @RequestParam(defaultValue = "auto") String view, @RequestParam(required = false) String msg,
                      Model model, ServerWebExchange exchange) {
        NodeAddress node = NodePage.node(fleet, id);
        model.addAttribute("node", node);
        model.addAttribute("key", key);
        model.addAttribute("keyhex", null);
        model.addAttribute("slabClass", slabClass);
        model.addAttribute("msg", msg);
        Optional<ItemKey> k = key(key, keyhex, model, exchange);
        if (k.isEmpty()) {
            model.addAttribute("item", null);
            return Mono.just("item");
        }
        long now = nodeTime(history.status(node));
        Mono<Optional<CachedumpReply.Entry>> dump = slabClass > 0
                ? commands.cachedump(node, slabClass).map(l -> l.stream().filter(e -> matches(e, k.get())).findFirst())
                        .onErrorReturn(Optional.empty())
                : Mono.just(Optional.empty());
        return Mono.zip(commands.gets(node, k.get()), dump).map(t -> {
            Optional<ValueReply.Value> v = t.getT1();
            if (v.isEmpty()) {
                exchange.getResponse().setStatusCode(HttpStatus.NOT_FOUND);
                model.addAttribute("item", null);
                model.addAttribute("error", "the node has no item with this key (deleted, expired or evicted)");
                return "item";
            }
            byte[] data = v.get().data();
            String text = text(data);
            boolean hex = "hex".equals(view) || text == null && !"text".equals(view);
            byte[] shown = data.length > PREVIEW_BYTES ? java.util.Arrays.copyOf(data, PREVIEW_BYTES) : data;
            Map<String, Object> item = new java.util.LinkedHashMap<>();
            item.put("size", Units.count(data.length) + " bytes");
            item.put("flags", v.get().flags());
            item.put("cas", Long.toUnsignedString(v.get().cas()));
            item.put("ttl", t.getT2().map(e -> expiry(e.exptime(), now)).orElse("unknown (pick the slab class)"));
            item.put("hex", hex);
            item.put("isText", text != null);
            item.put("value", hex ? hexDump(shown) : new String(shown, StandardCharsets.UTF_8));
            item.put("truncated", data.length > PREVIEW_BYTES);
            model.addAttribute("item", item);
            return "item";
        }).onErrorResume(e -> {
            exchange.getResponse().setStatusCode(HttpStatus.BAD_GATEWAY);
            model.addAttribute("item", null);
            model.addAttribute("error", e.getMessage());
            return Mono.just("item");
        });
    }

    @PostMapping("/keys/delete")
    Mono<String> delete(ServerWebExchange exchange, Model model) {
        return change(exchange, model, "delete", (node, key, form) -> commands.delete(node, key));
    }

    @PostMapping("/keys/touch")
    Mono<String> touch(ServerWebExchange exchange, Model model) {
        return change(exchange, model, "touch",
                (node, key, form) -> commands.touch(node, key, number(form, "exptime", 0, Integer.MAX_VALUE)));
    }

    @PostMapping("/keys/set")
    Mono<String> set(ServerWebExchange exchange, Model model) {
        return change(exchange, model, "set", (node, key, form) -> {
            String value = Optional.ofNullable(form.getFirst("value")).orElse("");
            return commands.set(node, key, number(form, "flags", 0, 0xFFFF_FFFFL),
                    number(form, "exptime", 0, Integer.MAX_VALUE), value.getBytes(StandardCharsets.UTF_8));
        });
    }

    private interface Change {
        Mono<String> run(NodeAddress node, ItemKey key, MultiValueMap<String, String> form);
    }

    private Mono<String> change(ServerWebExchange exchange, Model model, String action, Change change) {
        return Mono.zip(exchange.getFormData(), exchange.getPrincipal().map(p -> (Principal) p)).flatMap(t -> {
            MultiValueMap<String, String> form = t.getT1();
            Principal user = t.getT2();
            NodeAddress node = NodePage.node(fleet, Optional.ofNullable(form.getFirst("id")).orElse(""));
            String rawKey = Optional.ofNullable(form.getFirst("key")).orElse("");
            String keyHex = Optional.ofNullable(form.getFirst("keyhex")).orElse("");
            model.addAttribute("node", node);
            model.addAttribute("key", rawKey);
            model.addAttribute("keyhex", null);
            model.addAttribute("slabClass", 0);
            model.addAttribute("item", null);
            Optional<ItemKey> key = key(rawKey, keyHex, model, exchange);
            if (key.isEmpty()) {
                audit.change(user, action, node.id(), "key refused", "invalid key");
                return Mono.just("item");
            }
            Mono<String> result;
            try {
                result = change.run(node, key.get(), form);
            } catch (IllegalArgumentException e) {
                exchange.getResponse().setStatusCode(HttpStatus.BAD_REQUEST);
                model.addAttribute("error", e.getMessage());
                return Mono.just("item");
            }
            String cls = Optional.ofNullable(form.getFirst("class")).orElse("0");
            return result.onErrorResume(e -> Mono.just("failed: " + e.getMessage())).map(reply -> {
                audit.change(user, action, node.id(), "key=" + key.get().value()
                        + (key.get().isUtf8() ? "" : " keyhex=" + key.get().hex()), reply);
                String to = (action.equals("delete") ? "/keys" : "/keys/item") + "?id=" + q(node.id()) + "&class="
                        + q(cls) + "&msg=" + q(action + ": " + reply)
                        + (action.equals("delete") ? "" : "&key=" + q(key.get().value())
                        + (key.get().isUtf8() ? "" : "&keyhex=" + key.get().hex()));
                return "redirect:" + to;
            });
        });
    }

    /** A query parameter value, percent-encoded (so no brace reaches the redirect's URI template). */
    static String q(String v) {
        return java.net.URLEncoder.encode(v, StandardCharsets.UTF_8);
    }

    /**
     * The key a request names: {@code keyhex} (the bytes of a key that is not UTF-8, as listed) when given, else
     * {@code key} as text. Either way it passes the key rule, or the request gets a 400 and nothing is sent.
     */
    private static Optional<ItemKey> key(String raw, String hex, Model model, ServerWebExchange exchange) {
        String problem;
        ItemKey key = null;
        if (hex != null && !hex.isEmpty()) {
            try {
                key = ItemKey.ofHex(hex);
                problem = null;
            } catch (IllegalArgumentException e) {
                problem = e.getMessage();
            }
        } else {
            problem = ItemKey.problem(raw);
            key = problem == null ? new ItemKey(raw) : null;
        }
        if (problem != null) {
            exchange.getResponse().setStatusCode(HttpStatus.BAD_REQUEST);
            model.addAttribute("error", "refused before reaching the node: " + problem);
            return Optional.empty();
        }
        model.addAttribute("key", key.value());
        model.addAttribute("keyhex", key.isUtf8() ? null : key.hex());
        return Optional.of(key);
    }

    private static boolean matches(CachedumpReply.Entry e, ItemKey key) {
        return key.isUtf8() ? e.keyHex() == null && e.key().equals(key.value()) : key.hex().equals(e.keyHex());
    }

    private static long number(MultiValueMap<String, String> form, String name, long min, long max) {
        String v = Optional.ofNullable(form.getFirst(name)).orElse("0").strip();
        try {
            long n = Long.parseLong(v.isEmpty() ? "0" : v);
            if (n < min || n > max) {
                throw new IllegalArgumentException(name + " must be between " + min + " and " + max);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " is not a number");
        }
    }

    /** The node's clock (its {@code time} stat advanced by the console's clock since the sample), in seconds. */
    private static long nodeTime(NodeStatus status) {
        if (status.latest() == null || status.latest().stats() == null) {
            return System.currentTimeMillis() / 1000;
        }
        long time = status.latest().stats().getLong("time", System.currentTimeMillis() / 1000);
        return time + (System.currentTimeMillis() - status.latest().time()) / 1000;
    }

    static String expiry(long exptime, long now) {
        if (exptime == 0) {
            return "never";
        }
        long ttl = exptime - now;
        return ttl <= 0 ? "expired" : "in " + Units.duration(ttl);
    }

    /** The value as text when it is valid UTF-8 without control characters other than tab and newlines. */
    static String text(byte[] data) {
        try {
            String s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(data)).toString();
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (Character.isISOControl(c) && c != '\n' && c != '\r' && c != '\t') {
                    return null;
                }
            }
            return s;
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    static String hexDump(byte[] data) {
        StringBuilder sb = new StringBuilder();
        HexFormat hex = HexFormat.of();
        for (int off = 0; off < data.length; off += 16) {
            int end = Math.min(data.length, off + 16);
            sb.append(String.format("%08x  ", off));
            for (int i = off; i < off + 16; i++) {
                sb.append(i < end ? hex.toHexDigits(data[i]) + " " : "   ");
            }
            sb.append(' ');
            for (int i = off; i < end; i++) {
                sb.append(data[i] >= 0x20 && data[i] < 0x7f ? (char) data[i] : '.');
            }
            sb.append('\n');
        }
        return sb.toString();
    }
}
