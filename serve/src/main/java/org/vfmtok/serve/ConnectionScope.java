package org.vfmtok.serve;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.concurrency.limits.Limit;
import io.helidon.common.task.InterruptableTask;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http1.Http1Config;
import io.helidon.webserver.http1.Http1ConnectionSelector;
import io.helidon.webserver.spi.ServerConnection;
import io.helidon.webserver.spi.ServerConnectionSelector;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * Helidon's HTTP/1.1 connection selector, wrapped so that a route handler can reach its connection: Helidon SE
 * 4 hands a handler no connection state (no "closed" callback, no socket; helidon-io/helidon#10834 asks for
 * one), but it runs the handler on the connection's own thread, inside {@link ServerConnection#handle}. The
 * wrapper binds the {@link ConnectionContext} to a {@link ScopedValue} around that call, and
 * {@link #current()} reads it back in the handler ({@link DisconnectWatch} reads the socket with it).
 *
 * <p>Registered with {@code WebServer.builder().addConnectionSelector(...)}: explicitly added selectors are
 * asked before the ones Helidon discovers, so every HTTP/1.1 connection goes through this one; it behaves
 * exactly like Helidon's own selector otherwise (it is that selector).
 */
final class ConnectionScope implements ServerConnectionSelector {
    private static final ScopedValue<ConnectionContext> CONNECTION = ScopedValue.newInstance();

    private final ServerConnectionSelector http1 = Http1ConnectionSelector.builder().config(Http1Config.create()).build();

    /** The connection of the request being handled on this thread, if it came through this selector. */
    static Optional<ConnectionContext> current() {
        return CONNECTION.isBound() ? Optional.of(CONNECTION.get()) : Optional.empty();
    }

    @Override public int bytesToIdentifyConnection() { return http1.bytesToIdentifyConnection(); }

    @Override public Support supports(BufferData request) { return http1.supports(request); }

    @Override public Set<String> supportedApplicationProtocols() { return http1.supportedApplicationProtocols(); }

    @Override
    public ServerConnection connection(ConnectionContext ctx) {
        return new Bound(http1.connection(ctx), ctx);
    }

    /** Helidon's connection with its context bound while it handles requests. */
    private record Bound(ServerConnection delegate, ConnectionContext ctx) implements ServerConnection, InterruptableTask<Void> {
        @Override
        public void handle(Limit limit) throws InterruptedException {
            ScopedValue.where(CONNECTION, ctx).call(() -> {
                delegate.handle(limit);
                return null;
            });
        }

        @Override public Duration idleTime() { return delegate.idleTime(); }

        @Override public void close(boolean interrupt) { delegate.close(interrupt); }

        /** Helidon interrupts a connection on shutdown only while it waits for a request; the same here. */
        @Override public boolean canInterrupt() { return delegate instanceof InterruptableTask<?> t && t.canInterrupt(); }
    }
}
