package memfleet.console.web;

import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;

/** The login form; Spring Security handles its POST. */
@Controller
public class LoginPage {
    @GetMapping("/login")
    String login() {
        return "login";
    }
}
