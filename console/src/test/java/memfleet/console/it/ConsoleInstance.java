package memfleet.console.it;

import io.netty.handler.codec.http.HttpHeaders;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import memfleet.console.ConsoleApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.client.HttpClient;

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

    static final Duration TIMEOUT = Duration.ofSeconds(30);

    /** A response as the tests read it. */
    record Response(int statusCode, Map<String, List<String>> headers, String body) {
        Optional<String> location() {
            return headers.getOrDefault("location", List.of()).stream().findFirst();
        }
    }

    /**
     * A browser-like session over Reactor Netty's HTTP client: the session cookie kept, redirects not followed
     * (so tests see them). (Requests that once hung on a reused keep-alive connection were the server's doing,
     * reactor/reactor-netty#4361; see {@code HttpServerSettings}.)
     */
    final class Session {
        private final Map<String, String> cookies = new ConcurrentHashMap<>();
        private final HttpClient http = HttpClient.create().followRedirect(false).responseTimeout(TIMEOUT);

        Response get(String path) {
            return send(http.headers(this::cookies).get().uri(url(path)));
        }

        Response post(String path, Map<String, String> form) {
            StringBuilder body = new StringBuilder();
            form.forEach((k, v) -> body.append(body.isEmpty() ? "" : "&").append(enc(k)).append('=').append(enc(v)));
            return send(http.headers(h -> cookies(h).set("Content-Type", "application/x-www-form-urlencoded"))
                    .post().uri(url(path)).send(ByteBufFlux.fromString(Mono.just(body.toString()))));
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
            Response r = post("/login", Map.of("username", user, "password", password, "_csrf", csrf("/login")));
            if (r.statusCode() != 302 || r.location().orElse("").contains("error")) {
                throw new IllegalStateException("login as " + user + " failed: " + r.statusCode() + " " + r.headers());
            }
            return this;
        }

        private HttpHeaders cookies(HttpHeaders h) {
            if (!cookies.isEmpty()) {
                h.set("Cookie", String.join("; ", cookies.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList()));
            }
            return h;
        }

        private Response send(HttpClient.ResponseReceiver<?> request) {
            return request.responseSingle((resp, bytes) -> bytes.asString(StandardCharsets.UTF_8).defaultIfEmpty("").map(body -> {
                Map<String, List<String>> headers = new HashMap<>();
                resp.responseHeaders().forEach(e -> headers.computeIfAbsent(e.getKey().toLowerCase(), k -> new ArrayList<>()).add(e.getValue()));
                for (String c : resp.responseHeaders().getAll("Set-Cookie")) {
                    String pair = c.split(";", 2)[0];
                    int eq = pair.indexOf('=');
                    cookies.put(pair.substring(0, eq), pair.substring(eq + 1));
                }
                return new Response(resp.status().code(), headers, body);
            })).block(TIMEOUT.plusSeconds(5));
        }
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
