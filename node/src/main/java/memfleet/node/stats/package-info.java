/**
 * Counters and the {@code stats} groups: per worker thread counters written without locks by their
 * owning event loop ({@link memfleet.node.stats.ThreadStats}), connection counters, and the writers that
 * print every group with memcached 1.6.18's names and order. Reads the store's figures; never changes
 * the store.
 */
package memfleet.node.stats;
