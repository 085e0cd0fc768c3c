package memfleet.node.it;

/** Starts a server of one kind ({@code "memfleet"} or {@code "memcached"}) with the flags of a {@link ServerTest}. */
public interface ServerStarter {
    /** Starts server {@code kind} with {@code args} and waits until it listens. */
    ServerProcess start(String kind, String... args);

    /** The server as it is: {@link ServerProcess#of}. */
    final class Plain implements ServerStarter {
        @Override
        public ServerProcess start(String kind, String... args) {
            return ServerProcess.of(kind, args);
        }
    }
}
