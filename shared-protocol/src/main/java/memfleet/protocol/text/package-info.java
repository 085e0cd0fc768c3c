/**
 * memcached's text protocol as bytes: the command-line tokenizer, numbers parsed and printed exactly as
 * memcached's {@code safe_strto*} and {@code itoa} do, and the fixed reply strings. Works on Netty
 * {@code ByteBuf}s in place; no sockets, no threads, no allocation per call.
 */
package memfleet.protocol.text;
