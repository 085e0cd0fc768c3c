package memfleet.console.web;

import java.net.URI;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;

/**
 * Browsers ask for {@code /favicon.ico} on every response without an icon link (Spring Security's plain 403, for
 * one); pointing them at the SVG keeps that from being a 404 in the browser console.
 */
@Controller
public class Favicon {
    @GetMapping("/favicon.ico")
    ResponseEntity<Void> favicon() {
        return ResponseEntity.status(HttpStatus.MOVED_PERMANENTLY).location(URI.create("/favicon.svg")).build();
    }
}
