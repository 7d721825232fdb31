package org.vfmtok.serve;

import io.helidon.common.buffers.DataReader;
import io.helidon.http.HeaderValues;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http.ServerResponse;
import java.util.concurrent.CancellationException;

/**
 * Notices a client that closes its connection while its request's work runs, and says so once through
 * {@code onGone} (the generate handler cancels its task there). Start it after the request body was read;
 * close it before the handler returns.
 *
 * <p>How: a virtual thread blocks reading the connection (Helidon's own {@link DataReader}, reached through
 * {@link ConnectionScope}) while the handler waits for its work. A client waiting for an answer sends nothing,
 * so the read returns only when the client closes (end of stream or a reset: gone) or pipelines its next
 * request (alive; the bytes stay in the reader's buffer). A blocked socket read cannot be called off without
 * closing the socket, so a watched response carries {@code Connection: close}: Helidon closes the connection
 * after the answer instead of reading the next request, which also ends the watcher's read. The cost is a new
 * TCP connection per watched request, small next to a generation; a pipelined request on that connection is
 * answered by the client's retry, as HTTP/1.1 prescribes for a closed connection.
 *
 * <p>Without a connection in scope (Helidon used without {@link ConnectionScope}) the watch does nothing.
 */
final class DisconnectWatch implements AutoCloseable {
    /** Thrown by a handler whose client went away: there is nobody to answer. */
    static final class ClientGone extends CancellationException {
        ClientGone(String what) { super("the client closed the connection during " + what); }
    }

    private static final DisconnectWatch NONE = new DisconnectWatch();

    private volatile boolean closed, gone;

    private DisconnectWatch() {}

    /** Watches the current request's connection; {@code onGone} runs (once, on the watcher's thread) if the client leaves before {@link #close}. */
    static DisconnectWatch start(ServerResponse res, Runnable onGone) {
        ConnectionContext ctx = ConnectionScope.current().orElse(null);
        if (ctx == null) return NONE;
        res.header(HeaderValues.CONNECTION_CLOSE);
        DisconnectWatch w = new DisconnectWatch();
        DataReader reader = ctx.dataReader();
        Thread.ofVirtual().name("vfm-serve-disconnect-watch").start(() -> {
            try {
                reader.ensureAvailable();   // returns when the client sent more: it is still there
            } catch (RuntimeException endOfStreamOrReset) {
                if (w.closed) return;       // the answer went out and Helidon closed the connection
                w.gone = true;
                onGone.run();
            }
        });
        return w;
    }

    /** Whether the client went away while watched. */
    boolean clientGone() { return gone; }

    /** Throws {@link ClientGone} when the client went away (checked before work that only the client would use). */
    void throwIfGone(String what) {
        if (gone) throw new ClientGone(what);
    }

    /** Stops reporting: what the watcher sees from now on is the connection's normal end. */
    @Override
    public void close() { closed = true; }
}
