package memfleet.node.command;

import io.netty.buffer.ByteBuf;

/**
 * Where one reply ends and when memcached transmits, as the command layer knows it: memcached builds a
 * response object per command (per key of a multi-get) and writes them out at fixed points. Over TCP the
 * replies run together and none of this matters ({@link #NONE}); over UDP every reply is its own message,
 * so the transport splits the output where the commands mark it instead of re-reading what they wrote.
 */
public interface ReplyMarks {
    /** What the command wrote since the last mark is one reply; nothing written is a skipped reply (noreply). */
    void reply(ByteBuf out);

    /** What the command wrote since the last mark is one reply, which may be empty (a missed key, quit). */
    void emptyReply(ByteBuf out);

    /** memcached writes out its replies here (after a get that answered END, after {@code mn}). */
    void transmit();

    /** The command dropped the replies not yet transmitted (memcached's {@code conn_release_items}). */
    void discard();

    /** For stream transports: no marks. */
    ReplyMarks NONE = new ReplyMarks() {
        @Override
        public void reply(ByteBuf out) {
        }

        @Override
        public void emptyReply(ByteBuf out) {
        }

        @Override
        public void transmit() {
        }

        @Override
        public void discard() {
        }
    };
}
