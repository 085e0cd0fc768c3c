/**
 * The wire format between replicating nodes: frame types, the handshake fields and the layout of a
 * mutation record, which is the same in a node's backlog and on the wire. Constants and layout only;
 * the node does the I/O.
 */
package memfleet.protocol.replication;
