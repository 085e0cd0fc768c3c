package memfleet.node.it.parity;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import memfleet.node.it.ServerProcess;
import memfleet.node.it.ServerRun;
import memfleet.node.it.ServerTest;
import memfleet.node.it.TextConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code stats conns} as memcached 1.6.18 writes it: the TCP listener first, then one entry per UDP socket
 * (marked {@code UDP UDP}, state {@code conn_read}), then the clients, each in the state memcached gives it:
 * half a data block {@code conn_nread}, a
 * refused block being discarded {@code conn_swallow}, and the connection asking {@code conn_parse_cmd}. A
 * connection that has sent nothing yet is {@code conn_new_cmd}; one waiting for its next command after one,
 * or in the middle of a command line, is {@code conn_read}.
 */
@ServerTest(shared = false)
@Timeout(value = 60, unit = SECONDS)
class StatsConnsIT {
    /** The UDP port, chosen free before the server starts: the tests look for its listener's line. */
    private final int udpPort;
    private final ServerProcess server;

    private final ServerRun run;

    StatsConnsIT(ServerRun run) {
        this.run = run;
        this.udpPort = run.once("udp port", ServerProcess::freePort);
        this.server = run.once("server", () -> ServerProcess.of(run.kind(), "-m", "64", "-t", "2", "-U",
                Integer.toString(udpPort)));
    }

    private Socket open(String send) {
        try {
            Socket s = new Socket(server.host(), server.port());
            s.getOutputStream().write(send.getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Each entry's lines (without its fd) in the order given, keyed by its address. */
    private static Map<String, List<String>> entries(String reply) {
        Map<String, List<String>> byFd = new LinkedHashMap<>();
        for (String line : reply.split("\r\n")) {
            if (!line.startsWith("STAT ")) {
                continue;
            }
            String rest = line.substring(5);
            String fd = rest.substring(0, rest.indexOf(':'));
            byFd.computeIfAbsent(fd, k -> new ArrayList<>()).add(rest.substring(fd.length() + 1));
        }
        Map<String, List<String>> byAddress = new LinkedHashMap<>();
        for (List<String> lines : byFd.values()) {
            String addr = lines.stream().filter(l -> l.startsWith("addr ")).findFirst().orElseThrow().substring(5);
            byAddress.put(addr + (byAddress.containsKey(addr) ? "#" + byAddress.size() : ""), lines);
        }
        return byAddress;
    }

    private static String state(List<String> lines) {
        return lines.stream().filter(l -> l.startsWith("state ")).findFirst().orElseThrow().substring(6);
    }

    /** The state of {@code s}'s entry, or "" while it is not listed. */
    private static String stateOf(Map<String, List<String>> entries, Socket s) {
        List<String> lines = entries.get(client(s));
        return lines == null ? "" : state(lines);
    }

    private static String client(Socket s) {
        return "tcp:127.0.0.1:" + s.getLocalPort();
    }

    @Test
    void listenersComeFirstAndEveryClientShowsItsState() throws Exception {
        try (TextConnection asking = new TextConnection(server);
                Socket fresh = open("");
                Socket idle = open("version\r\n");
                Socket partialLine = open("get some");
                Socket partialData = open("set k 0 0 10\r\nabc");
                Socket swallowing = open("set big 0 0 2000000\r\n" + "x".repeat(1000))) {
            idle.getInputStream().readNBytes("VERSION 1.6.18\r\n".length());
            Map<String, List<String>> e = Map.of();
            for (int i = 0; i < 100; i++) {
                e = entries(asking.send("stats conns\r\n").readUntil("END\r\n"));
                // a client the server has not accepted yet is not listed: wait for it as for its state
                if (stateOf(e, swallowing).equals("conn_swallow") && stateOf(e, partialData).equals("conn_nread")
                        && stateOf(e, partialLine).equals("conn_read") && stateOf(e, fresh).equals("conn_new_cmd")) {
                    break;
                }
                Thread.sleep(50);
            }
            List<String> addresses = new ArrayList<>(e.keySet());
            assertThat(addresses.get(0)).isEqualTo("tcp:127.0.0.1:" + server.port());
            assertThat(e.get(addresses.get(0))).containsExactly("addr tcp:127.0.0.1:" + server.port(),
                    "state conn_listening", e.get(addresses.get(0)).get(2));
            List<String> udp = addresses.subList(1, addresses.size()).stream().filter(a -> a.startsWith("udp:")).toList();
            assertThat(udp).isNotEmpty();
            assertThat(addresses.subList(1, 1 + udp.size())).isEqualTo(udp);
            for (String a : udp) {
                List<String> lines = e.get(a);
                assertThat(lines.get(0)).isEqualTo("UDP UDP");
                assertThat(lines.get(1)).isEqualTo("addr udp:127.0.0.1:" + udpPort);
                assertThat(lines.get(2)).isEqualTo("state conn_read");
            }
            assertThat(state(e.get(client(fresh)))).isEqualTo("conn_new_cmd");
            assertThat(state(e.get(client(idle)))).isEqualTo("conn_read");
            assertThat(state(e.get(client(partialLine)))).isEqualTo("conn_read");
            assertThat(state(e.get(client(partialData)))).isEqualTo("conn_nread");
            assertThat(state(e.get(client(swallowing)))).isEqualTo("conn_swallow");
            assertThat(e.get(client(idle))).contains("listen_addr tcp:127.0.0.1:" + server.port());
            List<String> parse = e.values().stream().map(StatsConnsIT::state).filter("conn_parse_cmd"::equals).toList();
            assertThat(parse).hasSize(1);
        }
    }

    /**
     * memcached allocates one connection structure per file descriptor the first time it serves one (listener,
     * UDP socket or client) and keeps it: {@code connection_structures} counts the descriptors ever used, at least
     * every entry of {@code stats conns}, and clients that come after others closed reuse their descriptors and add
     * nothing. (Exact values depend on whether the start-up probe's descriptor was free again in time.)
     */
    @Test
    void connectionStructuresCountEveryDescriptorEverServed() throws Exception {
        ServerProcess fresh = run.start("-m", "64", "-t", "2", "-U", Integer.toString(ServerProcess.freePort()));
        try (TextConnection asking = new TextConnection(fresh)) {
            // the start-up probe's connection may still be open: counted until the server has seen it close
            await().atMost(10, SECONDS).until(() -> clientsListed(asking) == 1);
            long idle = asking.stat("curr_connections");
            long before = asking.stat("connection_structures");
            assertThat(before).isGreaterThanOrEqualTo(servedNow(asking)); // listener, 2 UDP sockets, asking
            long withFive = withClientsOpen(fresh, asking, idle, 5, () -> {
                assertThat(asking.stat("connection_structures")).isGreaterThanOrEqualTo(servedNow(asking));
            });
            assertThat(withFive).isBetween(before + 1, before + 5);
            long again = withClientsOpen(fresh, asking, idle, 5, () -> { });
            assertThat(again).isEqualTo(withFive);
        }
    }

    /** The client connections {@code stats conns} lists (not the listeners or UDP sockets). */
    private static long clientsListed(TextConnection asking) {
        return entries(asking.send("stats conns\r\n").readUntil("END\r\n")).values().stream()
                .filter(lines -> !lines.contains("state conn_listening") && !lines.contains("UDP UDP"))
                .count();
    }

    private int servedNow(TextConnection asking) {
        return entries(asking.send("stats conns\r\n").readUntil("END\r\n")).size();
    }

    /** Opens {@code n} clients, runs {@code check} while they are open, closes them; the structures then. */
    private static long withClientsOpen(ServerProcess server, TextConnection asking, long idle, int n, Runnable check)
            throws IOException {
        List<Socket> clients = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                clients.add(new Socket(server.host(), server.port()));
            }
            await().atMost(10, SECONDS).until(() -> asking.stat("curr_connections") == idle + n);
            check.run();
            return asking.stat("connection_structures");
        } finally {
            for (Socket s : clients) {
                s.close();
            }
            await().atMost(10, SECONDS).until(() -> asking.stat("curr_connections") == idle);
        }
    }
}
