/**
 * memcached's binary protocol as bytes: the 24-byte header layout, opcodes, status codes with memcached's
 * error texts, and the SASL PLAIN message. Constants and pure functions over byte arrays; no sockets, no
 * threads. The node reads and writes headers in its own buffers at the offsets defined here.
 */
package memfleet.protocol.binary;
