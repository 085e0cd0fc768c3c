/**
 * The training run for the JDK's ahead-of-time cache (JEP 483/514/515): a node on loopback ports serves the
 * request paths of every protocol, with waves of new connections, so that the cache written at exit holds its
 * classes loaded and linked and their methods' profiles; a node started with {@code -XX:AOTCache} then runs at
 * full speed from its first requests. {@code bin/memfleet-node} makes the cache when it is missing or older than
 * the jar.
 */
package memfleet.node.aot;
