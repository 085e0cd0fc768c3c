/**
 * The node's sockets on Netty: listeners for every {@code -l} address (and {@code -s} unix socket),
 * worker event loops ({@code -t}, epoll where available), connection limits, and the per-connection
 * handler that picks the protocol by the first byte and frames it (text command lines or binary headers,
 * data blocks, swallowed data), batches replies
 * into as few writes as possible and applies backpressure. Calls {@code memfleet.node.command} only.
 */
package memfleet.node.net;
