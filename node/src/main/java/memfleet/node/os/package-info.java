/**
 * The node's calls into the operating system: libc through the Foreign Function and Memory API (anonymous
 * memory, madvise, mlockall, rlimits, user identity, CPU usage), the pid file and daemon start. It calls only
 * the JDK and libc; {@code store}, {@code stats} and {@code Main} call it, never the protocol layers.
 */
package memfleet.node.os;
