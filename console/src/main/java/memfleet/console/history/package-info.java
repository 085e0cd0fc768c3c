/**
 * What the console remembers: the latest sample of each node with its rates ({@link
 * memfleet.console.history.NodeStatus}) and, for charts, ring buffers of points at the poll interval for the
 * last hour and minute averages for 24 hours. Fed by the collector; read by web and metrics.
 */
package memfleet.console.history;
