/**
 * memcached's binary protocol over the command core: {@link memfleet.node.command.binary.BinarySession}
 * frames request headers and bodies, runs each opcode through {@link memfleet.node.command.ItemOps} and
 * writes the response packets, STAT groups and SASL PLAIN included.
 */
package memfleet.node.command.binary;
