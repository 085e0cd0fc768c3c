package memfleet.node.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PortFileTest {
    @TempDir
    Path dir;

    @Test
    void linesAreMemcachedsTcpFirstWithTheAddressFamily() throws Exception {
        Path file = dir.resolve("ports");
        PortFile pf = new PortFile(file);
        pf.udpBound(new InetSocketAddress("127.0.0.1", 4000));
        pf.tcpBound(new InetSocketAddress("127.0.0.1", 5000));
        pf.tcpBound(new InetSocketAddress("::1", 5001));
        pf.write();
        assertThat(Files.readString(file)).isEqualTo("TCP INET: 5000\nTCP INET6: 5001\nUDP INET: 4000\n");
        assertThat(dir.resolve("ports.lck")).doesNotExist();
    }
}
