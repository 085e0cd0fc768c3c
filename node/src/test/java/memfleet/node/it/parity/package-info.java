/**
 * Behaviours memcached 1.6.18 has that its protocol.txt does not spell out, each checked by value on
 * Debian's memcached (which proves the test right) and on the node: how gets and touches are counted,
 * {@code stats detail}, {@code stats conns}, the response-object limit of {@code -o read_buf_mem_limit}.
 */
package memfleet.node.it.parity;
