package memfleet.node.net;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.WriteBufferWaterMark;
import memfleet.node.watch.WatchLog;

/**
 * A watching connection as the log's {@link WatchLog.Sink}: lines from any worker collect in one buffer and
 * go out in one write per turn of the connection's event loop. Its room is what the channel may still queue
 * below {@link WatchLog#WATCHER_BUF_SIZE}, less what waits here, so a client that stops reading costs at most
 * that much memory and gets {@code skipped=} lines instead.
 */
final class WatchSink implements WatchLog.Sink {
    private final Channel channel;
    private final Runnable flush = this::flush;
    private ByteBuf pending; // guarded by this
    private boolean scheduled; // guarded by this

    WatchSink(Channel channel) {
        this.channel = channel;
        channel.config().setWriteBufferWaterMark(
                new WriteBufferWaterMark(WatchLog.WATCHER_BUF_SIZE / 2, WatchLog.WATCHER_BUF_SIZE));
    }

    @Override
    public synchronized long room() {
        return channel.bytesBeforeUnwritable() - (pending == null ? 0 : pending.readableBytes());
    }

    @Override
    public synchronized void write(byte[] line) {
        if (pending == null) {
            pending = Unpooled.buffer(Math.max(4096, line.length));
        }
        pending.writeBytes(line);
        if (!scheduled) {
            scheduled = true;
            channel.eventLoop().execute(flush);
        }
    }

    private void flush() {
        ByteBuf out;
        synchronized (this) {
            scheduled = false;
            out = pending;
            pending = null;
        }
        if (out == null) {
            return;
        }
        if (channel.isActive()) {
            channel.writeAndFlush(out, channel.voidPromise());
        } else {
            out.release();
        }
    }
}
