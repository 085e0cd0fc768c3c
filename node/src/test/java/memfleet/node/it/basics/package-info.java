/**
 * Integration tests of the node's listeners and operator commands on a real process: dual-stack
 * {@code -l}, unix sockets, {@code shutdown}, live slab page moves, the {@code -vv} trace.
 */
package memfleet.node.it.basics;
