package ai.track.capidispatch.credentials;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.track.capidispatch.CapiDispatchWorkerApplication;
import ai.track.capidispatch.support.TestInfrastructure;
import com.github.tomakehurst.wiremock.WireMockServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;

/**
 * Without a readable secret the worker does not start: better a task that fails its deployment with a clear
 * reason than one that looks healthy and holds every message.
 */
class SecretRequiredAtStartupTest {

    private final WireMockServer secretsManager = TestInfrastructure.wireMock();

    @Test
    void failsStartupNamingTheVariableAndAwsReasonWhenTheSecretDoesNotExist() {
        secretsManager.stubFor(post(urlEqualTo("/")).atPriority(1)
                .withHeader("X-Amz-Target", equalTo("secretsmanager.GetSecretValue"))
                .withRequestBody(containing("no-such-secret"))
                .willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/x-amz-json-1.1")
                        .withBody("{\"__type\":\"ResourceNotFoundException\","
                                + "\"Message\":\"Secrets Manager can't find the specified secret.\"}")));

        assertThatThrownBy(() -> worker("--META_CAPI_SECRET_NAME=no-such-secret"))
                .satisfies(e -> assertThat(stackTrace(e))
                        .contains("Cannot read the Meta credentials secret 'no-such-secret' (META_CAPI_SECRET_NAME)")
                        .contains("ResourceNotFoundException (HTTP 400): Secrets Manager can't find the specified"));
    }

    @Test
    void failsStartupNamingTheMissingFieldWhenTheSecretIsMalformed() {
        secretsManager.stubFor(post(urlEqualTo("/")).atPriority(1)
                .withHeader("X-Amz-Target", equalTo("secretsmanager.GetSecretValue"))
                .withRequestBody(containing("malformed-secret"))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/x-amz-json-1.1")
                        .withBody("{\"Name\":\"malformed-secret\",\"VersionId\":\"v9\",\"SecretString\":"
                                + "\"{\\\"pixel_id\\\":\\\"123\\\","
                                + "\\\"app_secret\\\":\\\"app-secret-do-not-log\\\"}\"}")));

        assertThatThrownBy(() -> worker("--META_CAPI_SECRET_NAME=malformed-secret"))
                .satisfies(e -> assertThat(stackTrace(e)).contains("META_CAPI_SECRET_NAME")
                        .contains("the secret has no access_token").doesNotContain("app-secret-do-not-log"));
    }

    private void worker(String... args) {
        String[] all = java.util.stream.Stream.concat(java.util.stream.Stream.of(
                "--capi.sqs.queue-url=http://127.0.0.1:1/000000000000/q",
                "--capi.sqs.dlq-url=http://127.0.0.1:1/000000000000/dlq",
                "--spring.cloud.aws.secretsmanager.endpoint=" + secretsManager.baseUrl(),
                "--spring.cloud.aws.credentials.access-key=test", "--spring.cloud.aws.credentials.secret-key=test",
                "--management.cloudwatch.metrics.export.enabled=false"), java.util.stream.Stream.of(args))
                .toArray(String[]::new);
        new SpringApplicationBuilder(CapiDispatchWorkerApplication.class).web(WebApplicationType.NONE).run(all)
                .close();
    }

    private static String stackTrace(Throwable e) {
        StringWriter out = new StringWriter();
        e.printStackTrace(new PrintWriter(out));
        return out.toString();
    }
}
