/**
 * The node's settings and the memcached command line that fills them: {@link memfleet.node.config.Settings},
 * {@link memfleet.node.config.CommandLine}, {@link memfleet.node.config.Help}. Plain Java with no I/O beyond
 * reading the arguments; it may call nothing else in memfleet, and every other package may read it.
 */
package memfleet.node.config;
