/**
 * memcached's text commands executed against the store: one {@link memfleet.node.command.TextCommands} per
 * connection parses a command line in place, runs it, and writes memcached's exact reply into the
 * connection's output buffer. Calls the store and the stats writers; knows nothing about sockets.
 */
package memfleet.node.command;
