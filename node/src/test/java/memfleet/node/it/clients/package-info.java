/**
 * Real memcached clients (spymemcached, xmemcached, folsom, python-memcache, pymemcache, memccapable) against a
 * real server process on loopback, each test class run once per server kind: Debian's memcached, which proves
 * the test right, and the memfleet node. Tests here may call only the harness in {@code memfleet.node.it}.
 */
package memfleet.node.it.clients;
