package ai.track.capidispatch.security;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import ai.track.capidispatch.resilience.QueueContents;
import ai.track.capidispatch.support.TestInfrastructure;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/** What the security tests ask of the stand-ins (ElasticMQ for SQS, WireMock for Meta and Secrets Manager). */
final class StandIns {

    /** The only requests the worker may ever make to the Graph API stand-in: the events edge of a known pixel. */
    static final Pattern ALLOWED_META_PATH = Pattern.compile("/v26\\.0/("
            + TestInfrastructure.PIXEL_ID + "|" + TestInfrastructure.SECOND_PIXEL_ID + ")/events");
    static final String META_190 = "{\"error\":{\"message\":\"Error validating access token: The session has been"
            + " invalidated\",\"type\":\"OAuthException\",\"code\":190,\"error_subcode\":460,\"fbtrace_id\":\"Auth\"}}";

    private StandIns() {
    }

    static SqsClient sqs() {
        return TestInfrastructure.sqs().client();
    }

    static int messagesOn(String queueUrl) {
        return QueueContents.messagesOn(sqs(), queueUrl);
    }

    /** Reads and deletes what is on a queue the worker does not consume (the DLQ). */
    static List<Message> takeAll(String queueUrl) {
        List<Message> messages = sqs().receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(10)
                .messageAttributeNames("All").messageSystemAttributeNames(MessageSystemAttributeName.ALL)
                .waitTimeSeconds(1)).messages();
        messages.forEach(m -> sqs().deleteMessage(b -> b.queueUrl(queueUrl).receiptHandle(m.receiptHandle())));
        return messages;
    }

    static String errorClass(Message deadLetter) {
        return deadLetter.messageAttributes().get("capi-error-class").stringValue();
    }

    static String errorMessage(Message deadLetter) {
        return deadLetter.messageAttributes().get("capi-error-message").stringValue();
    }

    /** Every GetSecretValue the Secrets Manager stand-in answered since its journal was last reset. */
    static List<LoggedRequest> secretReads() {
        return TestInfrastructure.wireMock().findAll(postRequestedFor(urlEqualTo("/"))
                .withHeader("X-Amz-Target", equalTo("secretsmanager.GetSecretValue")));
    }

    /** Asserts that the worker never called anything but the events edge of a known pixel and Secrets Manager. */
    static void assertNoUnexpectedRequests() {
        TestInfrastructure.wireMock().getAllServeEvents().forEach(event -> {
            LoggedRequest request = event.getRequest();
            boolean secretsManager = request.getUrl().equals("/")
                    && "secretsmanager.GetSecretValue".equals(request.getHeader("X-Amz-Target"));
            assertThat(secretsManager || ALLOWED_META_PATH.matcher(request.getUrl()).matches())
                    .as("%s %s", request.getMethod(), request.getUrl()).isTrue();
            assertThat(request.getMethod().getName()).isEqualTo("POST");
        });
    }

    static String secretWith(String pixelOneToken) {
        return "{\"access_token\":\"" + pixelOneToken + "\",\"pixel_id\":\"" + TestInfrastructure.PIXEL_ID
                + "\",\"app_secret\":\"" + TestInfrastructure.APP_SECRET + "\",\"pixels\":{\""
                + TestInfrastructure.SECOND_PIXEL_ID + "\":{\"access_token\":\""
                + TestInfrastructure.SECOND_ACCESS_TOKEN + "\"}}}";
    }

    static String hmacSha256Hex(String key, String message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(message.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
