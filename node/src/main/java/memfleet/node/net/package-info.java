/**
 * The node's sockets on Netty: listeners for every {@code -l} address (and {@code -s} unix socket, {@code -U}
 * UDP), worker event loops ({@code -t}, epoll where available), connection limits, and the per-connection
 * transports that hand the input to a command session, batch its replies into as few writes (or datagrams,
 * split where the session marks them) as possible and apply backpressure. No command grammar lives here.
 * Calls {@code memfleet.node.command} only.
 */
package memfleet.node.net;
