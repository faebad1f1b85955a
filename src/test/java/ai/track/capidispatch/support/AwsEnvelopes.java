package ai.track.capidispatch.support;

import tools.jackson.databind.json.JsonMapper;

/** A conversion body the way SNS and EventBridge deliver it to SQS, with the fields those services write. */
public final class AwsEnvelopes {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private AwsEnvelopes() {
    }

    /** What SNS delivers to SQS without raw message delivery: {@code body} as the JSON string {@code Message}. */
    public static String sns(String body) {
        return "{\"Type\":\"Notification\",\"MessageId\":\"22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324\","
                + "\"TopicArn\":\"arn:aws:sns:us-east-1:123456789012:conversions\","
                + "\"Message\":" + JSON.writeValueAsString(body) + ",\"Timestamp\":\"2025-11-28T00:00:01.000Z\","
                + "\"SignatureVersion\":\"1\",\"Signature\":\"EXAMPLE-base64-signature==\","
                + "\"SigningCertURL\":\"https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0000.pem\","
                + "\"UnsubscribeURL\":\"https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe\"}";
    }

    /** What EventBridge delivers to an SQS target: {@code body} (JSON text) as the object {@code detail}. */
    public static String eventBridge(String body) {
        return "{\"version\":\"0\",\"id\":\"6a7e8feb-b491-4cf7-a9f1-bf3703467718\",\"detail-type\":\"Conversion\","
                + "\"source\":\"com.example.shop\",\"account\":\"123456789012\",\"time\":\"2025-11-28T00:00:01Z\","
                + "\"region\":\"us-east-1\",\"resources\":[],\"detail\":" + body + "}";
    }
}
