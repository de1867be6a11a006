package dev.fusedit.server;

import io.javalin.http.Context;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Tells a request handler when its client has gone, so that a job nobody waits for stops using
 * the model. Jetty notices a closed HTTP/1.1 connection only when it reads from it, and it does
 * not read while a handler runs (the body is already consumed), so the watch asks the connection
 * to report readability and then reads: end of stream means the client closed. The response is
 * marked {@code Connection: close}, so the connection is never reused with the watch still on it
 * (a generation takes seconds; a new connection costs nothing beside it).
 */
final class ClientDisconnect {
    private ClientDisconnect() {}

    /** Runs {@code onGone} (once, on a Jetty thread) if the client closes the connection before the response ends. */
    static void watch(Context ctx, Runnable onGone) {
        ctx.header("Connection", "close");
        EndPoint endPoint = ServletContextRequest.getServletContextRequest(ctx.req()).getConnectionMetaData().getConnection().getEndPoint();
        endPoint.tryFillInterested(Callback.from(() -> {
            ByteBuffer one = BufferUtil.allocate(1);
            try {
                // a client does not send more on a connection whose request is unanswered: anything but end of stream is left alone
                if (endPoint.fill(one) < 0) onGone.run();
            } catch (IOException e) {
                onGone.run();
            }
        }, failure -> {}));
    }
}
