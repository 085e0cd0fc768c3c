/**
 * memcached's text protocol as bytes: the command-line tokenizer, numbers parsed exactly as memcached's
 * {@code safe_strto*} parse them, and the fixed reply strings. Works on a byte array holding one command
 * line; no sockets, no threads, no allocation per call.
 */
package memfleet.protocol.text;
