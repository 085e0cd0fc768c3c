/**
 * Replication tests: pairs and groups of three real node processes on loopback, each listing the others in
 * {@code -x}, written against the replication contract (flags, start-up, every mutation, last-writer-wins, CAS
 * as versions, backlog and full resync, {@code --min-acks}, {@code stats replication} and {@code stats digest}).
 * {@link memfleet.node.it.replication.FaultProxy} sits between peers to delay, stall and cut their links;
 * {@link memfleet.node.it.replication.ReplicaGroup} starts, kills, pauses and restarts the nodes.
 */
package memfleet.node.it.replication;
