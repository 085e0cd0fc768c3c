package memfleet.console.web;

import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The console's HTTP server answers every request on its own connection ({@code Connection: close}).
 *
 * <p>Reactor Netty 1.3.x before the fix for reactor/reactor-netty#4361 (PR #4347, not in any release this build can
 * fetch) can stop reading a keep-alive connection for good: when a request arrives before the previous one's
 * operations have terminated it is buffered with its trailing empty content, and if draining that queue ends on the
 * content rather than a request, nobody asks the channel for the next read. The browser's next request on that
 * connection then waits forever (seen here as a login click or a page load hanging until the client gives up, more
 * often when the machine is busy). Without keep-alive there is no next request on a connection to lose; server-sent
 * events are one long response each and are unaffected. The cost is a TCP handshake per request, nothing for a
 * console. Remove this when Reactor Netty is upgraded past the fix.
 */
@Configuration
public class HttpServerSettings {
    @Bean
    NettyServerCustomizer oneRequestPerConnection() {
        return server -> server.maxKeepAliveRequests(1);
    }
}
