package memfleet.console.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import memfleet.console.ConsoleApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/** The console started in-process on a free port with the given arguments, and an HTTP session per user. */
final class ConsoleInstance implements AutoCloseable {
    private final ConfigurableApplicationContext context;
    private final int port;

    ConsoleInstance(String... args) {
        List<String> all = new ArrayList<>(List.of("--server.port=0", "--memfleet.collect.interval=1s",
                "--memfleet.collect.timeout=700ms", "--spring.main.banner-mode=off"));
        all.addAll(List.of(args));
        context = new SpringApplicationBuilder(ConsoleApplication.class).run(all.toArray(String[]::new));
        port = Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
    }

    String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    int port() {
        return port;
    }

    /** A browser-like session: cookies kept, redirects not followed (so tests see them). */
    Session session() {
        return new Session();
    }

    @Override
    public void close() {
        context.close();
    }

    static final java.time.Duration TIMEOUT = java.time.Duration.ofSeconds(30);

    final class Session {
        // HTTP/1.1: the JDK client's h2c upgrade attempt is not what browsers send
        private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .cookieHandler(new CookieManager()).followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(java.time.Duration.ofSeconds(10)).build();

        HttpResponse<String> get(String path) {
            return send(HttpRequest.newBuilder(URI.create(url(path))).timeout(TIMEOUT).GET().build());
        }

        HttpResponse<String> post(String path, Map<String, String> form) {
            StringBuilder body = new StringBuilder();
            form.forEach((k, v) -> body.append(body.isEmpty() ? "" : "&").append(enc(k)).append('=').append(enc(v)));
            return send(HttpRequest.newBuilder(URI.create(url(path))).timeout(TIMEOUT)
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build());
        }

        /** The CSRF token of the form on {@code path}. */
        String csrf(String path) {
            Matcher m = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"").matcher(get(path).body());
            if (!m.find()) {
                throw new IllegalStateException("no CSRF token on " + path);
            }
            return m.group(1);
        }

        Session login(String user, String password) {
            HttpResponse<String> r = post("/login", Map.of("username", user, "password", password, "_csrf", csrf("/login")));
            if (r.statusCode() != 302 || r.headers().firstValue("Location").orElse("").contains("error")) {
                throw new IllegalStateException("login as " + user + " failed: " + r.statusCode() + " " + r.headers().map());
            }
            return this;
        }

        private HttpResponse<String> send(HttpRequest request) {
            try {
                return http.send(request, HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
