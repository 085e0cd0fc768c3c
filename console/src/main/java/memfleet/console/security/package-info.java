/**
 * Who may do what: the login, the viewer (read) and admin (change) roles with bcrypt password hashes from
 * {@code memfleet.security.users}, CSRF, the content security policy, and the audit log every change writes.
 * Web controllers call {@link memfleet.console.security.AuditLog}; nothing here calls the nodes.
 */
package memfleet.console.security;
