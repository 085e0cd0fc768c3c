package memfleet.console.fleet;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * The nodes the console watches right now: the configured ones plus whatever each discovery name resolved
 * to last. Readers get an immutable sorted copy, so a poll never sees a half-updated list.
 */
@Component
public class Fleet {
    private final List<NodeAddress> configured;
    private final Map<String, List<NodeAddress>> discovered = new ConcurrentHashMap<>();
    private volatile List<NodeAddress> nodes;

    public Fleet(FleetProperties properties) {
        List<NodeAddress> list = new ArrayList<>();
        for (String spec : properties.nodes()) {
            if (!spec.isBlank()) {
                list.add(NodeAddress.parse(spec));
            }
        }
        this.configured = List.copyOf(list);
        rebuild();
    }

    /** Every node, sorted by group then address, each address once. */
    public List<NodeAddress> nodes() {
        return nodes;
    }

    public Optional<NodeAddress> find(String id) {
        return nodes.stream().filter(n -> n.id().equals(id)).findFirst();
    }

    /** Nodes by group name, groups in name order. */
    public Map<String, List<NodeAddress>> groups() {
        Map<String, List<NodeAddress>> groups = new TreeMap<>();
        for (NodeAddress n : nodes) {
            groups.computeIfAbsent(n.group(), g -> new ArrayList<>()).add(n);
        }
        return groups;
    }

    /** Replaces what discovery name {@code source} found. */
    void discovered(String source, Collection<NodeAddress> found) {
        discovered.put(source, List.copyOf(found));
        rebuild();
    }

    private synchronized void rebuild() {
        TreeSet<NodeAddress> all = new TreeSet<>(configured);
        discovered.values().forEach(all::addAll);
        Map<String, NodeAddress> byId = new TreeMap<>();
        for (NodeAddress n : all) {
            byId.putIfAbsent(n.id(), n);
        }
        List<NodeAddress> sorted = new ArrayList<>(byId.values());
        sorted.sort(null);
        nodes = List.copyOf(sorted);
    }
}
