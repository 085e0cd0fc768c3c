/**
 * The integration-test harness: {@link memfleet.node.it.ServerProcess} starts a node from the built jar, or
 * Debian's memcached as the reference, on a free loopback port; {@link memfleet.node.it.TextConnection} talks to
 * it byte for byte. A test class annotated {@link memfleet.node.it.ServerTest} runs once per server and protocol
 * through {@link memfleet.node.it.ServerExtension}, which starts and stops every process it is given through
 * {@link memfleet.node.it.ServerRun}. The subpackages hold the tests, most of them run against both servers.
 */
package memfleet.node.it;
