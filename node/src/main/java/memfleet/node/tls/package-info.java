/**
 * TLS for a node ({@code -Z} with {@code -o ssl_*}): the server context clients and peers are served
 * with, reloadable by {@code refresh_certs}, and the client context the replication links dial peers with.
 * Built on Netty's {@code SslContext} over the JDK's TLS engine.
 */
package memfleet.node.tls;
