/**
 * The command core: {@link memfleet.node.command.ItemOps} is the one place where a command reads or changes
 * items (lock, store, counters, {@code stats detail}, replication), whatever protocol it came in; a
 * {@link memfleet.node.command.Session} per connection frames its protocol and answers with a
 * {@link memfleet.node.command.Step} the transport obeys; {@link memfleet.node.command.ReplyMarks} tell a
 * datagram transport where replies end. The grammars live in {@code text} and {@code binary}. Calls the
 * store and stats; knows nothing about sockets.
 */
package memfleet.node.command;
