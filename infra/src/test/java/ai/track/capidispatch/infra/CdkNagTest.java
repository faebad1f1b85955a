package ai.track.capidispatch.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.cdklabs.cdknag.AwsSolutionsChecks;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Aspects;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Annotations;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.services.sqs.Queue;

/** The AwsSolutions pack runs on every synth (CapiDispatchApp adds it); nothing may be left unanswered. */
class CdkNagTest {

    @Test
    void noUnsuppressedFindings() {
        Annotations annotations = Synthesized.committed().annotations();
        assertEquals(List.of(), annotations.findError("*", Match.anyValue()), "errors");
        assertEquals(List.of(), annotations.findWarning("*", Match.anyValue()), "warnings");
    }

    @Test
    void noUnsuppressedFindingsWithAnExistingTopic() {
        Annotations annotations = Synthesized.variant().annotations();
        assertEquals(List.of(), annotations.findError("*", Match.anyValue()), "errors");
        assertEquals(List.of(), annotations.findWarning("*", Match.anyValue()), "warnings");
    }

    /** A new suppression must be a decision: it has to be added here, next to the reason it was reviewed for. */
    @Test
    void onlyTheReviewedFindingsAreSuppressedAndEachSaysWhy() {
        Set<String> suppressed = new TreeSet<>();
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> resources = (Map<String, Map<String, Object>>) Synthesized.committed().json.get("Resources");
        resources.forEach((id, resource) -> {
            Map<?, ?> metadata = (Map<?, ?>) resource.get("Metadata");
            if (metadata == null || metadata.get("cdk_nag") == null) {
                return;
            }
            for (Object rule : (List<?>) ((Map<?, ?>) metadata.get("cdk_nag")).get("rules_to_suppress")) {
                Map<?, ?> r = (Map<?, ?>) rule;
                String reason = String.valueOf(r.get("reason"));
                assertTrue(reason.length() >= 60, id + " " + r.get("id") + ": a reason, not a label: " + reason);
                suppressed.add(resource.get("Type") + " " + r.get("id") + " " + r.get("applies_to"));
            }
        });
        assertEquals(new TreeSet<>(List.of(
                "AWS::IAM::Role AwsSolutions-IAM5 [Resource::*]",
                "AWS::IAM::Policy AwsSolutions-IAM5 [Resource::*]",
                "AWS::ECS::TaskDefinition AwsSolutions-ECS2 null",
                "AWS::SNS::Topic AwsSolutions-SNS2 null")), suppressed);
    }

    /** Proves the check above can fail: the same pack flags a queue made without this project's settings. */
    @Test
    void thePackFlagsAQueueWithoutTlsEnforcementOrDeadLetterQueue() {
        App app = new App();
        Stack stack = new Stack(app, "Bare");
        Queue.Builder.create(stack, "Bare").build();
        Aspects.of(app).add(new AwsSolutionsChecks());
        List<?> errors = Annotations.fromStack(stack).findError("*", Match.stringLikeRegexp("AwsSolutions-SQS.*"));
        assertFalse(errors.isEmpty(), "AwsSolutions flags a bare queue");
    }
}
