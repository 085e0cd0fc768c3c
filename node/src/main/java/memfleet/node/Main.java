package memfleet.node;

/** Entry point: {@code java -jar memfleet-node.jar [memcached flags]}. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.err.println("memfleet node: not yet wired");
        System.exit(1);
    }
}
