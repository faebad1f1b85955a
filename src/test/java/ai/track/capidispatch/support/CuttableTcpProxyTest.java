package ai.track.capidispatch.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The proxy the SQS outage test cuts: it forwards, it refuses and resets when cut, it comes back on its port. */
class CuttableTcpProxyTest {

    private ServerSocket echo;
    private CuttableTcpProxy proxy;

    @BeforeEach
    void startEchoServerBehindProxy() throws IOException {
        echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread server = new Thread(() -> {
            while (!echo.isClosed()) {
                try {
                    Socket socket = echo.accept();
                    Thread connection = new Thread(() -> {
                        try (socket) {
                            socket.getInputStream().transferTo(socket.getOutputStream());
                        } catch (IOException ended) {
                            // the proxy reset it
                        }
                    });
                    connection.setDaemon(true);
                    connection.start();
                } catch (IOException closed) {
                    return;
                }
            }
        });
        server.setDaemon(true);
        server.start();
        proxy = CuttableTcpProxy.to(echo.getLocalPort());
    }

    @AfterEach
    void stop() throws IOException {
        proxy.close();
        echo.close();
    }

    @Test
    void forwardsBytesBothWays() throws IOException {
        try (Socket socket = connect()) {
            assertThat(roundTrip(socket, "ReceiveMessage")).isEqualTo("ReceiveMessage");
            assertThat(roundTrip(socket, "DeleteMessageBatch")).isEqualTo("DeleteMessageBatch");
        }
        assertThat(proxy.acceptedConnections()).isEqualTo(1);
    }

    @Test
    void refusesNewConnectionsAndResetsLiveOnesWhenCut() throws IOException {
        try (Socket live = connect()) {
            assertThat(roundTrip(live, "before")).isEqualTo("before");

            proxy.cut();

            assertThat(proxy.isCut()).isTrue();
            assertThatThrownBy(this::connect).isInstanceOf(ConnectException.class);
            assertThat(readAfterCut(live)).as("a live connection ends (reset), it does not hang").isTrue();
        }
    }

    @Test
    void listensOnTheSamePortAgainWhenRestored() throws IOException {
        int port = proxy.port();
        proxy.cut();

        proxy.restore();

        assertThat(proxy.port()).isEqualTo(port);
        try (Socket socket = connect()) {
            assertThat(roundTrip(socket, "after")).isEqualTo("after");
        }
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), proxy.port());
        socket.setSoTimeout(5_000);
        return socket;
    }

    private static String roundTrip(Socket socket, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        socket.getOutputStream().write(bytes);
        socket.getOutputStream().flush();
        return new String(socket.getInputStream().readNBytes(bytes.length), StandardCharsets.US_ASCII);
    }

    /** True when the connection is over: end of stream or a reset, within the socket's 5 s timeout. */
    private static boolean readAfterCut(Socket socket) {
        try {
            socket.getOutputStream().write('x');
            return socket.getInputStream().read() < 0;
        } catch (SocketTimeoutException hung) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }
}
