package ai.track.capidispatch.dispatch;

/**
 * Port to Meta's Conversions API, implemented in {@code meta}.
 */
public interface ConversionsGateway {

    /**
     * Sends one request. Never throws for Meta's or the network's failures: every answer, timeout and open
     * circuit comes back as a classified result, so the caller decides the fate of each message in one place.
     */
    GatewayResult send(PixelBatch batch);
}
