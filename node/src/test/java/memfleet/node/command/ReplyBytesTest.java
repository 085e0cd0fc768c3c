package memfleet.node.command;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Random;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

class ReplyBytesTest {
    @Test
    void writesUnsignedNumbersAsCDoes() {
        Random r = new Random(7);
        ByteBuf out = Unpooled.directBuffer(64);
        long[] edge = {0, 9, 10, 99, Long.MAX_VALUE, Long.MIN_VALUE, -1, -8446744073709551616L, -8446744073709551617L};
        for (long v : edge) {
            out.clear();
            ReplyBytes.decimal(out, v);
            assertThat(out.toString(StandardCharsets.US_ASCII)).isEqualTo(Long.toUnsignedString(v));
        }
        for (int i = 0; i < 10_000; i++) {
            long v = r.nextLong() >>> r.nextInt(64);
            out.clear();
            ReplyBytes.decimal(out, v);
            assertThat(out.toString(StandardCharsets.US_ASCII)).isEqualTo(Long.toUnsignedString(v));
        }
        out.release();
    }
}
