package ai.track.capidispatch.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A lean stand-in for the Graph API (and for Secrets Manager on {@code /}): answers each events request
 * after a fixed latency, for as many events as it holds, and records when each event id first arrived.
 * Hand-written on the JDK's HTTP server rather than WireMock so the stand-in costs the machine little next
 * to the worker being measured.
 */
final class GraphStandIn implements AutoCloseable {

    private static final byte[] EVENT_ID_MARKER = "\"event_id\":\"ev-".getBytes(StandardCharsets.UTF_8);

    private final HttpServer server;
    private final ExecutorService threads = Executors.newFixedThreadPool(64);
    private final Duration latency;
    private final String secretJson;
    /** Event sequence number → arrival (nanoTime); a second arrival counts as a duplicate. */
    final ConcurrentHashMap<Long, Long> arrivals = new ConcurrentHashMap<>();
    final AtomicLong requests = new AtomicLong();
    final AtomicLong eventsReceived = new AtomicLong();
    final AtomicLong duplicates = new AtomicLong();
    final AtomicLong lastArrivalNanos = new AtomicLong();

    GraphStandIn(Duration latency, String secretJson) throws IOException {
        this.latency = latency;
        this.secretJson = secretJson;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 512);
        server.createContext("/", this::handle);
        server.setExecutor(threads);
        server.start();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange; InputStream in = exchange.getRequestBody()) {
            byte[] body = in.readAllBytes();
            if ("secretsmanager.GetSecretValue".equals(exchange.getRequestHeaders().getFirst("X-Amz-Target"))) {
                respond(exchange, "application/x-amz-json-1.1", "{\"Name\":\"meta-capi-credentials\",\"VersionId\":"
                        + "\"v1\",\"SecretString\":\"" + secretJson.replace("\"", "\\\"") + "\"}");
                return;
            }
            long now = System.nanoTime();
            int events = record(body, now);
            requests.incrementAndGet();
            eventsReceived.addAndGet(events);
            lastArrivalNanos.accumulateAndGet(now, Math::max);
            sleep(latency);
            respond(exchange, "application/json", "{\"events_received\":" + events + ",\"fbtrace_id\":\"bench\"}");
        }
    }

    /** Finds {@code "event_id":"ev-<n>"} occurrences without parsing the JSON. */
    private int record(byte[] body, long now) {
        int events = 0;
        outer:
        for (int i = 0; i <= body.length - EVENT_ID_MARKER.length; i++) {
            for (int j = 0; j < EVENT_ID_MARKER.length; j++) {
                if (body[i + j] != EVENT_ID_MARKER[j]) {
                    continue outer;
                }
            }
            long sequence = 0;
            int k = i + EVENT_ID_MARKER.length;
            while (k < body.length && body[k] >= '0' && body[k] <= '9') {
                sequence = sequence * 10 + (body[k++] - '0');
            }
            if (arrivals.putIfAbsent(sequence, now) != null) {
                duplicates.incrementAndGet();
            }
            events++;
            i = k;
        }
        return events;
    }

    private static void respond(HttpExchange exchange, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", type);
        exchange.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
