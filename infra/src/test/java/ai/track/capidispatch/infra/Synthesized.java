package ai.track.capidispatch.infra;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import software.amazon.awscdk.App;
import software.amazon.awscdk.assertions.Annotations;
import software.amazon.awscdk.assertions.Template;

/**
 * The app synthesized once per JVM and shared by every test class: a synth costs seconds (jsii starts Node.js),
 * and the tests only read the result.
 *
 * <p>The context is what the cdk CLI would pass: cdk.json's {@code context} (feature flags) overlaid with the
 * committed cdk.context.json, so the tests also prove that the committed files synthesize without AWS.
 */
final class Synthesized {

    /** The producers' topic of the variant, in another account and region than the stack (eu-west-1, 1111…). */
    static final String SOURCE_TOPIC_ARN = "arn:aws:sns:us-east-1:444455556666:conversions";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static Outcome committed;
    private static Outcome variant;

    /** A synth that failed stays failed: every test reports it at once instead of synthesizing again. */
    private record Outcome(Synthesized synthesized, RuntimeException failure) {
        static Outcome of(Map<String, Object> context) {
            try {
                return new Outcome(new Synthesized(context), null);
            } catch (RuntimeException e) {
                return new Outcome(null, e);
            }
        }

        Synthesized get() {
            if (failure != null) {
                // CDK fails synthesis on error annotations; the findings themselves are printed above this.
                throw new AssertionError("synthesis failed (cdk-nag findings, if any, are printed on stderr): "
                        + failure.getMessage().lines().findFirst().orElse(""), failure);
            }
            return synthesized;
        }
    }

    final CapiDispatchStack stack;
    final Template template;
    final Map<String, Object> json;

    private Synthesized(Map<String, Object> context) {
        App app = App.Builder.create().context(context).build();
        // An empty environment: the machine's CDK_DEFAULT_* must not leak into the template.
        this.stack = CapiDispatchApp.create(app, Map.of());
        this.template = Template.fromStack(stack);
        this.json = template.toJSON();
    }

    /** The committed cdk.json + cdk.context.json, as `cdk synth` in infra/ sees them. */
    static synchronized Synthesized committed() {
        if (committed == null) {
            committed = Outcome.of(committedContext());
        }
        return committed.get();
    }

    /**
     * The other branches: account and region given, an existing alarm topic, a writable root filesystem, another
     * backlog target and event age threshold, a source topic to subscribe to, lists as the command line passes them.
     */
    static synchronized Synthesized variant() {
        if (variant == null) {
            Map<String, Object> context = committedContext();
            context.put("account", "111122223333");
            context.put("region", "eu-west-1");
            context.put("availabilityZones", "eu-west-1a,eu-west-1b");
            context.put("alarmTopicArn", "arn:aws:sns:eu-west-1:111122223333:ops-alarms");
            context.put("readonlyRootFilesystem", "false");
            context.put("backlogPerTaskTarget", "250");
            context.put("eventAgeP95AlarmThresholdSeconds", "120");
            context.put("sourceTopicArn", SOURCE_TOPIC_ARN);
            variant = Outcome.of(context);
        }
        return variant.get();
    }

    static Map<String, Object> committedContext() {
        Map<String, Object> context = new HashMap<>(readObject("cdk.json", "context"));
        context.putAll(readObject("cdk.context.json", null));
        return context;
    }

    static Map<String, Object> readObject(String file, String field) {
        try {
            Map<String, Object> all = JSON.readValue(Path.of(file).toFile(), new TypeReference<LinkedHashMap<String, Object>>() { });
            if (field == null) {
                return all;
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> nested = (Map<String, Object>) all.get(field);
            return nested;
        } catch (IOException e) {
            throw new UncheckedIOException("infra/" + file + " (tests run with infra/ as working directory)", e);
        }
    }

    Annotations annotations() {
        return Annotations.fromStack(stack);
    }

    /** The resources of one CloudFormation type, by logical id. */
    @SuppressWarnings("unchecked")
    Map<String, Map<String, Object>> resources(String type) {
        Map<String, Map<String, Object>> found = new LinkedHashMap<>();
        ((Map<String, Object>) json.get("Resources")).forEach((id, resource) -> {
            Map<String, Object> r = (Map<String, Object>) resource;
            if (type.equals(r.get("Type"))) {
                found.put(id, r);
            }
        });
        return found;
    }
}
