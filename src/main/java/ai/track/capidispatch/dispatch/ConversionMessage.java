package ai.track.capidispatch.dispatch;

/**
 * The body of one SQS message (contract §3): one conversion for one pixel.
 *
 * @param pixelId the pixel to send to; {@code null} means the secret's default pixel
 * @param testEventCode Meta's {@code test_event_code}, or {@code null}
 * @param event the server event, Meta's field names and semantics
 */
public record ConversionMessage(String pixelId, String testEventCode, ServerEvent event) {

    public ConversionMessage withEvent(ServerEvent replacement) {
        return new ConversionMessage(pixelId, testEventCode, replacement);
    }
}
