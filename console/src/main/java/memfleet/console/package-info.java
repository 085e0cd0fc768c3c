/**
 * The console's entry point. The packages below it each hold one responsibility: {@code fleet} (which nodes),
 * {@code collect} (talking to them), {@code history} (what was seen), {@code web} (pages and live updates),
 * {@code metrics} (Prometheus and health) and {@code security} (who may do what).
 */
package memfleet.console;
