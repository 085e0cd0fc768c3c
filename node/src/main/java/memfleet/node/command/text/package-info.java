/**
 * memcached's text protocol over the command core: {@link memfleet.node.command.text.TextSession} frames
 * lines and data blocks (and {@code -Y} authentication), the classic commands, the meta commands with their
 * flags parser, and the administration commands ({@code stats}, {@code slabs}, {@code lru_crawler}, ...).
 */
package memfleet.node.command.text;
