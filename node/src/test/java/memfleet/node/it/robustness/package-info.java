/**
 * Robustness tests: junk input over many connections, run on each server kind, and the connection limit and the
 * memory limit, run against the subject (the memfleet node, or memcached with {@code
 * -Dmemfleet.it.subject=memcached}) and, where memcached's exact behaviour is the specification, against Debian's
 * memcached too. Tests here call only the
 * harness in {@code memfleet.node.it} and the connection helpers of {@code memfleet.node.it.differential}.
 */
package memfleet.node.it.robustness;
