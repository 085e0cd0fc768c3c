/**
 * Who may use a node: the {@code -Y} password file and memcached's ASCII authentication, in which a
 * client's first command is {@code set <any> <flags> <exptime> <length>} carrying {@code user password}.
 * Called by the connection before any command runs; knows nothing of the store.
 */
package memfleet.node.auth;
