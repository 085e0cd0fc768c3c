package memfleet.console.security;

import java.util.ArrayList;
import java.util.List;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.annotation.web.reactive.EnableWebFluxSecurity;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.core.userdetails.MapReactiveUserDetailsService;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.security.web.server.header.ReferrerPolicyServerHttpHeadersWriter;

/**
 * Pages need a login; changes (key delete/set/touch, flush_all) need the admin role; every form carries a CSRF
 * token; the content security policy allows scripts and styles from the console itself only, so even an escaping
 * mistake could not run a script named by a key.
 */
@Configuration
@EnableWebFluxSecurity
public class SecurityConfiguration {
    static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    @Bean
    PasswordEncoder passwordEncoder() {
        return new BCryptPasswordEncoder();
    }

    @Bean
    MapReactiveUserDetailsService users(SecurityProperties properties) {
        List<UserDetails> users = new ArrayList<>();
        for (SecurityProperties.User u : properties.users()) {
            String role = u.role().toLowerCase();
            if (!role.equals("viewer") && !role.equals("admin")) {
                throw new IllegalArgumentException("memfleet.security.users: role must be viewer or admin, not " + u.role());
            }
            if (u.passwordHash() == null || !u.passwordHash().startsWith("$2")) {
                throw new IllegalArgumentException("memfleet.security.users: " + u.name() + " needs a bcrypt password-hash");
            }
            users.add(User.withUsername(u.name()).password(u.passwordHash())
                    .roles(role.equals("admin") ? new String[] {"ADMIN", "VIEWER"} : new String[] {"VIEWER"})
                    .build());
        }
        if (users.isEmpty()) {
            throw new IllegalArgumentException("memfleet.security.users is empty: nobody could log in");
        }
        return new MapReactiveUserDetailsService(users);
    }

    @Bean
    SecurityWebFilterChain filterChain(ServerHttpSecurity http, SecurityProperties properties) {
        return http
                .authorizeExchange(ex -> {
                    ex.pathMatchers("/login", "/console/**", "/webjars/**", "/favicon.svg", "/favicon.ico", "/actuator/health",
                            "/actuator/health/**").permitAll();
                    if (properties.publicMetrics()) {
                        ex.pathMatchers("/actuator/prometheus").permitAll();
                    }
                    ex.pathMatchers(HttpMethod.POST, "/keys/**", "/admin/**").hasRole("ADMIN")
                            .pathMatchers("/admin", "/admin/**").hasRole("ADMIN")
                            .anyExchange().hasRole("VIEWER");
                })
                .formLogin(form -> form.loginPage("/login"))
                .logout(logout -> logout.logoutUrl("/logout"))
                .headers(h -> h
                        .contentSecurityPolicy(csp -> csp.policyDirectives(CSP))
                        .referrerPolicy(r -> r.policy(ReferrerPolicyServerHttpHeadersWriter.ReferrerPolicy.SAME_ORIGIN)))
                .build();
    }
}
