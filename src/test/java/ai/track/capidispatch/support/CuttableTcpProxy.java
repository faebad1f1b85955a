package ai.track.capidispatch.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy on 127.0.0.1 that a test can cut like a network outage: {@link #cut()} stops listening (new
 * connects are refused) and resets every live connection, {@link #restore()} listens again on the same port.
 * What sits behind it (the embedded SQS) keeps running and keeps its state. Bytes are forwarded unchanged, both
 * ways, by two threads per connection.
 */
public final class CuttableTcpProxy implements AutoCloseable {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private final int targetPort;
    private final int port;
    private final Set<Socket> live = ConcurrentHashMap.newKeySet();
    private final AtomicInteger accepted = new AtomicInteger();
    private volatile ServerSocket listening;
    /** Guarded by this: holds the port while cut. */
    private Socket placeholder;

    private CuttableTcpProxy(int targetPort) {
        this.targetPort = targetPort;
        this.listening = bind(0);
        this.port = listening.getLocalPort();
        startAccepting(listening);
    }

    /** Listens on a free port of 127.0.0.1 and forwards to {@code targetPort} on 127.0.0.1. */
    public static CuttableTcpProxy to(int targetPort) {
        return new CuttableTcpProxy(targetPort);
    }

    public int port() {
        return port;
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    /** Connections accepted since start, across cuts. */
    public int acceptedConnections() {
        return accepted.get();
    }

    public boolean isCut() {
        return listening == null;
    }

    /** Refuses new connections and resets the live ones (RST, not an orderly close), as a network outage does. */
    public synchronized void cut() {
        ServerSocket server = listening;
        listening = null;
        if (server != null) {
            closeQuietly(server);
            placeholder = reserveOnceClosed(port);
        }
        for (Socket socket : live) {
            reset(socket);
        }
        live.clear();
    }

    /** Listens again on the same port. */
    public synchronized void restore() {
        if (listening == null) {
            closeQuietly(placeholder);
            placeholder = null;
            listening = bind(port);
            startAccepting(listening);
        }
    }

    @Override
    public synchronized void close() {
        cut();
        closeQuietly(placeholder);
        placeholder = null;
    }

    /**
     * Holds the port while cut, bound but not listening: connections to it are refused, and no other socket of
     * this machine (a server binding port 0, a client's ephemeral source port) can take it meanwhile, which
     * once let a connection through a cut proxy.
     */
    private static Socket reserve(int port) {
        Socket socket = new Socket();
        try {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(LOOPBACK, port));
            return socket;
        } catch (IOException e) {
            closeQuietly(socket);
            return null;
        }
    }

    /**
     * {@link ServerSocket#close()} can return while the kernel still listens: the acceptor thread is inside
     * {@code accept}, and the socket goes only when that thread has been woken and left it. Meanwhile a client's
     * connection still completes (a cut proxy once let one through), and the port cannot be bound. So the cut is
     * complete only once the port can be reserved.
     */
    private static Socket reserveOnceClosed(int port) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (true) {
            Socket placeholder = reserve(port);
            if (placeholder != null) {
                return placeholder;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("127.0.0.1:" + port + " still taken 5 s after the cut");
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while cutting", e);
            }
        }
    }

    private static ServerSocket bind(int port) {
        try {
            ServerSocket server = new ServerSocket();
            server.setReuseAddress(true); // the port was ours a moment ago; TIME_WAIT must not keep it
            server.bind(new InetSocketAddress(LOOPBACK, port));
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on 127.0.0.1:" + port, e);
        }
    }

    private void startAccepting(ServerSocket server) {
        Thread acceptor = new Thread(() -> accept(server), "proxy-accept-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    private void accept(ServerSocket server) {
        while (!server.isClosed()) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException closed) {
                return; // cut
            }
            accepted.incrementAndGet();
            Socket upstream = new Socket();
            try {
                upstream.connect(new InetSocketAddress(LOOPBACK, targetPort), 2_000);
            } catch (IOException e) {
                reset(client);
                closeQuietly(upstream);
                continue;
            }
            synchronized (this) {
                if (listening != server) { // cut while connecting
                    reset(client);
                    reset(upstream);
                    return;
                }
                live.add(client);
                live.add(upstream);
            }
            pump(client, upstream);
            pump(upstream, client);
        }
    }

    /** Copies {@code from} to {@code to} until either side ends, then closes both. */
    private void pump(Socket from, Socket to) {
        Thread thread = new Thread(() -> {
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                byte[] buffer = new byte[16 * 1024];
                int read;
                while ((read = in.read(buffer)) >= 0) {
                    out.write(buffer, 0, read);
                    out.flush();
                }
            } catch (IOException ended) {
                // reset by a cut, or closed by the other pump
            } finally {
                live.remove(from);
                live.remove(to);
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "proxy-pump-" + from.getPort() + "-" + to.getPort());
        thread.setDaemon(true);
        thread.start();
    }

    private static void reset(Socket socket) {
        try {
            socket.setSoLinger(true, 0); // close with RST
        } catch (SocketException alreadyClosed) {
            // nothing to reset
        }
        closeQuietly(socket);
    }

    private static void closeQuietly(AutoCloseable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (Exception ignored) {
            // closing is best effort
        }
    }
}
