package memfleet.console.collect;

/** A node could not be reached or answered something that is not a reply to what was sent. */
public class NodeException extends RuntimeException {
    public NodeException(String message) {
        super(message);
    }
}
