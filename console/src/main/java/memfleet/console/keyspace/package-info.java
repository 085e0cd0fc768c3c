/**
 * Key-space analysis: what fills a node's memory, from its {@code lru_crawler metadump} streamed line by line —
 * keys by prefix, time-to-live, idle time and size per slab class, the biggest items, the ones that never expire.
 */
package memfleet.console.keyspace;
