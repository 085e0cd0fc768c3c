/**
 * The node's entry point ({@link memfleet.node.Main}) and its shared state ({@link memfleet.node.Node}): settings,
 * store, background workers and counters, created by the server and handed to every connection.
 */
package memfleet.node;
