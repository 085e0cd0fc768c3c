/**
 * The pages (Thymeleaf, readable without JavaScript), their live updates over server-sent events, and the form
 * actions: fleet, node, slabs, keys, replication, admin and login. Controllers are thin: they read the history,
 * ask {@link memfleet.console.collect.NodeCommands} for anything live, write the audit log for every change,
 * and render escaped text only.
 */
package memfleet.console.web;
