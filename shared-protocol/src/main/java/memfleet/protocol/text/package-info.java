/**
 * memcached's text protocol as bytes: the command-line tokenizer, numbers parsed exactly as memcached's
 * {@code safe_strto*} parse them and the fixed reply strings (server side); reply framing and the parsed
 * {@code stats}, {@code cachedump}, {@code get} and {@code stats replication} replies and the key rule
 * (client side, used by the console). No sockets, no threads.
 */
package memfleet.protocol.text;
