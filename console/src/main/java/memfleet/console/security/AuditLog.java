package memfleet.console.security;

import java.security.Principal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * One log line per change, on logger {@code memfleet.audit}: who, what, on which node, with which outcome.
 * Keys reach this log only after they passed the key rule, so they hold no spaces or control characters.
 */
@Component
public class AuditLog {
    private static final Logger log = LoggerFactory.getLogger("memfleet.audit");

    /** Logs {@code user action=... node=... detail result=...}. */
    public void change(Principal user, String action, String node, String detail, String result) {
        log.info("user={} action={} node={} {} result={}", user == null ? "?" : user.getName(), action, node,
                detail == null ? "" : detail, result == null ? "?" : result.replaceAll("[\\p{Cntrl}]", "?"));
    }
}
