/**
 * Which nodes the console watches: the configured {@code host:port} list with optional groups and the
 * addresses DNS discovery finds, merged into one {@link memfleet.console.fleet.Fleet}. Calls nothing else in
 * the console; everything else asks this package which nodes there are.
 */
package memfleet.console.fleet;
