/**
 * repcached-style replication between nodes: each node logs its own clients' changes into an off-heap
 * {@link memfleet.node.replication.Backlog}, serves them to subscribing peers ({@link
 * memfleet.node.replication.Feed}) and subscribes to every peer it is given ({@link
 * memfleet.node.replication.PeerLink}); conflicting writes resolve last-writer-wins by version. Talks to
 * the store (through {@code MutationLog} and {@code RemoteWrites}) and to sockets, never to commands.
 */
package memfleet.node.replication;
