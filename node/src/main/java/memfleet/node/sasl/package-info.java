/**
 * SASL for the binary protocol ({@code -S}): the PLAIN mechanism checked against memcached's plaintext
 * password file ({@code MEMCACHED_SASL_PWDB}). Called by the binary commands; reads only that file.
 */
package memfleet.node.sasl;
