package ai.track.capidispatch.infra;

import io.github.cdklabs.cdknag.AwsSolutionsChecks;
import io.github.cdklabs.cdknag.NagPackProps;
import java.util.Map;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Aspects;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.Tags;

/**
 * Entry point of {@code cdk synth} / {@code cdk deploy} (cdk.json runs it through {@code mvn exec:java}).
 * Settings come from CDK context; see infra/README.md for the keys.
 */
public final class CapiDispatchApp {

    public static final String STACK_ID = "CapiDispatchWorker";

    private CapiDispatchApp() {
    }

    public static void main(String[] args) {
        App app = new App();
        create(app, System.getenv());
        app.synth();
    }

    /**
     * Builds the stack into {@code app} and attaches the AwsSolutions checks, so every synth (the CLI's and the
     * tests') fails on an unsuppressed finding.
     */
    public static CapiDispatchStack create(App app, Map<String, String> environment) {
        DeploymentSettings settings = DeploymentSettings.fromContext(app.getNode()::tryGetContext, environment);
        StackProps.Builder props = StackProps.builder()
                .stackName("capi-dispatch-worker")
                .description("capi-dispatch-worker: SQS to Meta Conversions API dispatcher on Fargate");
        if (settings.account() != null || settings.region() != null) {
            props.env(Environment.builder().account(settings.account()).region(settings.region()).build());
        }
        CapiDispatchStack stack = new CapiDispatchStack(app, STACK_ID, props.build(), settings);
        Tags.of(stack).add("service", "capi-dispatch-worker");
        Aspects.of(app).add(new AwsSolutionsChecks(NagPackProps.builder().verbose(true).build()));
        return stack;
    }
}
