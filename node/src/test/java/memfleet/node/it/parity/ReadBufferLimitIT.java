package memfleet.node.it.parity;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import memfleet.node.it.ServerProcess;
import memfleet.node.it.ServerRun;
import memfleet.node.it.ServerTest;
import memfleet.node.it.TextConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code -o read_buf_mem_limit}: memcached gives each key of a get a response object from its worker thread's
 * share of the limit, 13 to a 16 KB bundle, one bundle being the connection's read buffer. With 1 MB and two
 * threads that is 13 × (32 − 1) = 403 keys; a get of more answers only {@code SERVER_ERROR out of memory writing
 * get response} (its values dropped), counts {@code response_obj_oom}, and the connection carries on.
 */
@ServerTest(args = {"-m", "64", "-t", "2", "-o", "read_buf_mem_limit=1"})
@Timeout(value = 60, unit = SECONDS)
class ReadBufferLimitIT {
    private static final int LIMIT = 403;
    private final ServerProcess server;

    ReadBufferLimitIT(ServerProcess server) {
        this.server = server;
    }

    private static String get(int keys) {
        StringBuilder sb = new StringBuilder("get");
        for (int i = 0; i < keys; i++) {
            sb.append(" k").append(i);
        }
        return sb.append("\r\n").toString();
    }

    @Test
    void aGetOfMoreKeysThanResponseObjectsFailsAndTheConnectionCarriesOn() {
        try (TextConnection c = new TextConnection(server)) {
            StringBuilder sets = new StringBuilder();
            for (int i = 0; i <= LIMIT; i++) {
                sets.append("set k").append(i).append(" 0 0 1 noreply\r\nx\r\n");
            }
            c.send(sets.toString());
            assertThat(c.call("version\r\n")).startsWith("VERSION ");
            String ok = c.send(get(LIMIT)).readUntil("END\r\n");
            assertThat(ok.split("VALUE ", -1)).hasSize(LIMIT + 1);
            assertThat(c.send(get(LIMIT + 1) + "version\r\n").readUntil("\r\nVERSION 1.6.18\r\n"))
                    .isEqualTo("SERVER_ERROR out of memory writing get response\r\nVERSION 1.6.18\r\n");
            assertThat(CountingIT.stats(c, "")).containsEntry("response_obj_oom", "1");
            assertThat(c.send("get k0\r\n").readUntil("END\r\n")).isEqualTo("VALUE k0 0 1\r\nx\r\nEND\r\n");
        }
    }
}
