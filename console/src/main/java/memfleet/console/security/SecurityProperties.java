package memfleet.console.security;

import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code memfleet.security}: the console's users, each with a bcrypt hash ({@code htpasswd -nbBC 10 '' pw} or
 * {@code BCryptPasswordEncoder}) and role {@code viewer} or {@code admin}; and whether {@code /actuator/prometheus}
 * may be scraped without a login.
 */
@ConfigurationProperties("memfleet.security")
public record SecurityProperties(@DefaultValue List<User> users, @DefaultValue("true") boolean publicMetrics) {

    /** One login. */
    public record User(String name, String passwordHash, @DefaultValue("viewer") String role) {
    }
}
