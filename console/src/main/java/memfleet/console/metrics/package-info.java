/**
 * What the console exports: {@code /actuator/prometheus} series under memcached_exporter's names and labels
 * (plus {@code node} and {@code group}) and {@code memfleet_replication_*}, and the per-node {@code fleet}
 * component of {@code /actuator/health}. Reads the history's latest samples; never talks to nodes.
 */
package memfleet.console.metrics;
