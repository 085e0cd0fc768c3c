package memfleet.console.web;

import java.util.Map;
import org.springframework.security.core.Authentication;
import org.springframework.security.web.server.csrf.CsrfToken;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * What every page's layout needs: the CSRF token for its forms (resolved here, as WebFlux keeps it lazy), the
 * user's name and whether they may change things.
 */
@ControllerAdvice
public class PageModel {
    @ModelAttribute("_csrf")
    Mono<CsrfToken> csrf(ServerWebExchange exchange) {
        Mono<CsrfToken> token = exchange.getAttribute(CsrfToken.class.getName());
        return token == null ? Mono.empty() : token;
    }

    @ModelAttribute("user")
    Mono<Map<String, Object>> user(ServerWebExchange exchange) {
        return exchange.getPrincipal()
                .filter(Authentication.class::isInstance)
                .cast(Authentication.class)
                .map(a -> Map.<String, Object>of("name", a.getName(), "admin",
                        a.getAuthorities().stream().anyMatch(g -> g.getAuthority().equals("ROLE_ADMIN"))))
                .defaultIfEmpty(Map.of("name", "", "admin", false));
    }
}
