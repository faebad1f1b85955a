package ai.track.capidispatch.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Context parsing needs no synth: plain maps stand in for the CDK context. */
class DeploymentSettingsTest {

    private static DeploymentSettings read(Map<String, Object> context, Map<String, String> environment) {
        return DeploymentSettings.fromContext(context::get, environment);
    }

    private static Map<String, Object> committed() {
        return new HashMap<>(Synthesized.readObject("cdk.context.json", null));
    }

    private static String problems(Map<String, Object> context) {
        return assertThrows(IllegalArgumentException.class, () -> read(context, Map.of())).getMessage();
    }

    @Test
    void committedContextIsCompleteAndLeavesAccountAndRegionOpen() {
        DeploymentSettings settings = read(committed(), Map.of());
        assertEquals("vpc-0123456789abcdef0", settings.vpcId());
        assertEquals(List.of("subnet-0123456789abcdef0", "subnet-0fedcba9876543210"), settings.privateSubnetIds());
        assertNull(settings.account());
        assertNull(settings.region());
        assertTrue(settings.alarmTopic().isEmpty());
        assertTrue(settings.sourceTopic().isEmpty());
    }

    @Test
    void defaultsFollowTheWorkersContract() {
        Map<String, Object> context = committed();
        List.of("graphApiVersion", "secretName", "backlogPerTaskTarget", "dispatchFailureAlarmThreshold",
                "readonlyRootFilesystem", "eventAgeP95AlarmThresholdSeconds").forEach(context::remove);
        DeploymentSettings settings = read(context, Map.of());
        assertEquals("v26.0", settings.graphApiVersion());
        assertEquals("meta-capi-credentials", settings.secretName());
        assertEquals(1000, settings.backlogPerTaskTarget());
        assertEquals(100, settings.dispatchFailureAlarmThreshold());
        assertTrue(settings.readonlyRootFilesystem());
        assertEquals(60, settings.eventAgeP95AlarmThresholdSeconds());
    }

    @Test
    void sourceTopicAndEventAgeThresholdFromContext() {
        Map<String, Object> context = committed();
        context.put("sourceTopicArn", "arn:aws:sns:eu-west-1:444455556666:conversions");
        context.put("eventAgeP95AlarmThresholdSeconds", "300");
        DeploymentSettings settings = read(context, Map.of());
        assertEquals("arn:aws:sns:eu-west-1:444455556666:conversions", settings.sourceTopic().orElseThrow());
        assertEquals(300, settings.eventAgeP95AlarmThresholdSeconds());
    }

    /** A FIFO topic delivers to FIFO queues only; capi-dispatch is a standard queue. */
    @Test
    void aFifoSourceTopicIsRefused() {
        Map<String, Object> context = committed();
        context.put("sourceTopicArn", "arn:aws:sns:eu-west-1:444455556666:conversions.fifo");
        assertTrue(problems(context).contains("sourceTopicArn must be an SNS topic ARN"));
    }

    @Test
    void everyMissingKeyIsReportedWithTheFlagToPass() {
        String message = problems(new HashMap<>());
        for (String key : List.of("vpcId", "availabilityZones", "privateSubnetIds", "imageRepository", "imageTag")) {
            assertTrue(message.contains("-c " + key + "="), message);
        }
    }

    @Test
    void listsAlsoComeAsCommaSeparatedStrings() {
        Map<String, Object> context = committed();
        context.put("availabilityZones", "eu-west-1a, eu-west-1b");
        context.put("privateSubnetIds", "subnet-0aaaaaaaaaaaaaaa1,subnet-0bbbbbbbbbbbbbbb2");
        DeploymentSettings settings = read(context, Map.of());
        assertEquals(List.of("eu-west-1a", "eu-west-1b"), settings.availabilityZones());
        assertEquals(List.of("subnet-0aaaaaaaaaaaaaaa1", "subnet-0bbbbbbbbbbbbbbb2"), settings.privateSubnetIds());
    }

    @Test
    void eachSubnetNeedsItsZone() {
        Map<String, Object> context = committed();
        context.put("availabilityZones", "us-east-1a");
        assertTrue(problems(context).contains("one zone per subnet"));
    }

    @Test
    void aMovingImageTagIsRefused() {
        Map<String, Object> context = committed();
        context.put("imageTag", "latest");
        assertTrue(problems(context).contains("imageTag must not be 'latest'"));
    }

    @Test
    void malformedValuesNameTheirKey() {
        Map<String, Object> context = committed();
        context.put("graphApiVersion", "26");
        context.put("vpcId", "my-vpc");
        context.put("backlogPerTaskTarget", "0");
        context.put("alarmTopicArn", "ops-alarms");
        context.put("readonlyRootFilesystem", "yes");
        context.put("eventAgeP95AlarmThresholdSeconds", "1.5");
        context.put("sourceTopicArn", "conversions");
        String message = problems(context);
        for (String key : List.of("graphApiVersion", "vpcId", "backlogPerTaskTarget", "alarmTopicArn", "readonlyRootFilesystem",
                "eventAgeP95AlarmThresholdSeconds", "sourceTopicArn")) {
            assertTrue(message.contains(key + " must"), key + " in: " + message);
        }
    }

    @Test
    void accountAndRegionFallBackToTheCliDefaultsAndContextWins() {
        Map<String, String> cli = Map.of("CDK_DEFAULT_ACCOUNT", "111122223333", "CDK_DEFAULT_REGION", "us-east-1");
        DeploymentSettings fromCli = read(committed(), cli);
        assertEquals("111122223333", fromCli.account());
        assertEquals("us-east-1", fromCli.region());

        Map<String, Object> context = committed();
        context.put("account", "444455556666");
        context.put("region", "eu-west-1");
        DeploymentSettings fromContext = read(context, cli);
        assertEquals("444455556666", fromContext.account());
        assertEquals("eu-west-1", fromContext.region());
    }
}
