package ai.track.capidispatch.dispatch;

/** The result of reading one SQS message body: a conversion message, or a precise reason it is not one. */
public sealed interface ParseResult {

    record Parsed(ConversionMessage message) implements ParseResult {
    }

    /** @param reason names the offending field or limit, never its value (the body may hold customer data) */
    record Rejected(String reason) implements ParseResult {
    }
}
