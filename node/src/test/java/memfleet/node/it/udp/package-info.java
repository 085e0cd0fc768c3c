/**
 * The UDP transport ({@code -U}) against a real server process on loopback, raw datagram by datagram, each
 * test class run once per server kind: Debian's memcached, which proves the test right, and the memfleet
 * node. Tests here may call only the harness in {@code memfleet.node.it}.
 */
package memfleet.node.it.udp;
