/**
 * memcached's logger ({@code logger.c}) as the {@code watch} command sees it: log lines of item fetches,
 * stores, evictions, connection and system events, formatted as memcached 1.6.18 formats them and fanned out
 * to at most 20 watching connections, each with a bounded buffer that skips lines (and says how many) when
 * its client does not keep up. No socket code: a watcher is a {@link memfleet.node.watch.WatchLog.Sink}.
 */
package memfleet.node.watch;
