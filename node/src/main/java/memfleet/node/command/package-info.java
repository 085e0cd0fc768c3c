/**
 * memcached's commands executed against the store: one {@link memfleet.node.command.TextCommands} per text
 * connection parses a command line in place, one {@link memfleet.node.command.BinaryCommands} per binary
 * connection runs a request header in place; both write memcached's exact reply into the connection's output
 * buffer. Calls the store, the stats writers and the SASL password file; knows nothing about sockets.
 */
package memfleet.node.command;
