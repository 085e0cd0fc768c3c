/**
 * Talking to nodes over the wire: {@link memfleet.console.collect.NodeClient} pipelines text-protocol
 * commands on a non-blocking Reactor Netty connection, {@link memfleet.console.collect.StatsCollector} polls
 * every node each interval, {@link memfleet.console.collect.NodeCommands} runs the console's reads and
 * changes (cachedump, gets, delete, set, touch, flush_all, digest). Every connection honours the node group's
 * TLS and ASCII-authentication settings ({@link memfleet.console.collect.CollectProperties}). Uses shared-protocol and
 * the fleet; never web or metrics.
 */
package memfleet.console.collect;
