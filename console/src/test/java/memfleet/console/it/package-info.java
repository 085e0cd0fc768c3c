/**
 * Integration tests: real node processes started from {@code node/target/memfleet-node.jar}, the console started
 * in-process on a free port, spoken to over HTTP and through a headless Chromium. Nothing is mocked.
 */
package memfleet.console.it;
