/**
 * The binary protocol and SASL against real server processes: memccapable's binary tests, spymemcached,
 * xmemcached and folsom in binary mode (with and without SASL PLAIN), raw SASL refusals, a differential test of
 * raw packets against Debian's memcached, and a binary write replicating to a peer. Tests here call only the
 * harness in {@code memfleet.node.it} and the packet layout in {@code memfleet.protocol.binary}.
 */
package memfleet.node.it.binary;
