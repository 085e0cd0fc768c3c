/**
 * TLS ({@code -Z}) against real processes with certificates made by {@code openssl} in the test: served on
 * memcached and memfleet alike, client certificates, {@code refresh_certs}, and replication over TLS.
 */
package memfleet.node.it.tls;
