/**
 * Differential tests of the text protocol: the same command streams go to the subject (the memfleet node, or a
 * second memcached with {@code -Dmemfleet.it.subject=memcached}) and to Debian's memcached 1.6.18, and the replies
 * must match byte for byte after the few normalizations {@link memfleet.node.it.differential.ReplyNormalizer}
 * lists. Tests here call only the harness in {@code memfleet.node.it}.
 */
package memfleet.node.it.differential;
