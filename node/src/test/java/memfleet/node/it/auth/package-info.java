/**
 * Access control against real processes: memcached's ASCII authentication ({@code -Y}), each expectation
 * checked on Debian's memcached first.
 */
package memfleet.node.it.auth;
