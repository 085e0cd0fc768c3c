package memfleet.console.fleet;

/**
 * One node's address and the group it belongs to ({@code "default"} when none was given). Its {@link #id()},
 * {@code host:port}, names the node in pages, URLs and metric labels.
 */
public record NodeAddress(String host, int port, String group) implements Comparable<NodeAddress> {
    public static final String DEFAULT_GROUP = "default";

    public NodeAddress {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("node address without a host");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("node port out of range: " + port);
        }
        if (group == null || group.isBlank()) {
            group = DEFAULT_GROUP;
        }
        if (!group.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new IllegalArgumentException("group name must be 1-64 of A-Z a-z 0-9 . _ -: " + group);
        }
    }

    /**
     * Parses {@code host:port}, {@code [v6]:port} or either followed by {@code @group}, as written in
     * {@code memfleet.nodes}.
     */
    public static NodeAddress parse(String spec) {
        String s = spec.strip();
        String group = DEFAULT_GROUP;
        int at = s.lastIndexOf('@');
        if (at >= 0) {
            group = s.substring(at + 1);
            s = s.substring(0, at);
        }
        int colon = s.lastIndexOf(':');
        if (colon <= 0 || colon == s.length() - 1) {
            throw new IllegalArgumentException("node must be host:port[@group]: " + spec);
        }
        String host = s.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(s.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("node port is not a number: " + spec);
        }
        return new NodeAddress(host, port, group);
    }

    /** {@code host:port}, with brackets around an IPv6 host. */
    public String id() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    @Override
    public int compareTo(NodeAddress o) {
        int g = group.compareTo(o.group);
        if (g != 0) {
            return g;
        }
        int h = host.compareTo(o.host);
        return h != 0 ? h : Integer.compare(port, o.port);
    }
}
