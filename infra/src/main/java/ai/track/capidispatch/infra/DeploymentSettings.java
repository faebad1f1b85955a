package ai.track.capidispatch.infra;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Everything that differs between deployments, read from CDK context ({@code -c key=value}, {@code cdk.json},
 * {@code cdk.context.json}). Nothing here is looked up in AWS, so synthesis needs no credentials.
 *
 * <p>Built only through {@link #fromContext}, which checks every value and reports all problems at once, each
 * naming its context key, so a wrong deployment fails at synth time and not half-way through CloudFormation.
 *
 * @param account AWS account to deploy to; {@code null} leaves the stack environment-agnostic
 * @param region AWS region to deploy to; {@code null} leaves the stack environment-agnostic
 * @param vpcId the existing VPC the worker runs in
 * @param availabilityZones the zones of {@code privateSubnetIds}, in the same order
 * @param privateSubnetIds private subnets (with a route to the internet or VPC endpoints) for the tasks
 * @param imageRepository name of the ECR repository holding the worker image
 * @param imageTag the image tag to run: a git SHA, never a moving tag such as {@code latest}
 * @param alarmTopicArn SNS topic for alarms; {@code null} creates one
 * @param graphApiVersion {@code META_GRAPH_API_VERSION} of the worker
 * @param secretName Secrets Manager secret with Meta's credentials ({@code META_CAPI_SECRET_NAME})
 * @param backlogPerTaskTarget messages waiting per running task that the backlog scaling policy keeps to
 * @param dispatchFailureAlarmThreshold failed Meta requests per 5 minutes above which the failure alarm fires
 * @param readonlyRootFilesystem whether the container's root filesystem is read-only (a volume backs /tmp)
 * @param eventAgeP95AlarmThresholdSeconds p95 event age (SQS sent → Meta accepted) above which the late-events
 *     alarm fires
 * @param sourceTopicArn SNS topic the producers publish conversions to, which {@code capi-dispatch} subscribes to;
 *     {@code null} subscribes to nothing (producers send to the queue directly)
 */
public record DeploymentSettings(
        String account,
        String region,
        String vpcId,
        List<String> availabilityZones,
        List<String> privateSubnetIds,
        String imageRepository,
        String imageTag,
        String alarmTopicArn,
        String graphApiVersion,
        String secretName,
        int backlogPerTaskTarget,
        int dispatchFailureAlarmThreshold,
        boolean readonlyRootFilesystem,
        int eventAgeP95AlarmThresholdSeconds,
        String sourceTopicArn) {

    /** The context keys, as given to {@code cdk ... -c KEY=VALUE}. */
    public static final class Keys {
        public static final String ACCOUNT = "account";
        public static final String REGION = "region";
        public static final String VPC_ID = "vpcId";
        public static final String AVAILABILITY_ZONES = "availabilityZones";
        public static final String PRIVATE_SUBNET_IDS = "privateSubnetIds";
        public static final String IMAGE_REPOSITORY = "imageRepository";
        public static final String IMAGE_TAG = "imageTag";
        public static final String ALARM_TOPIC_ARN = "alarmTopicArn";
        public static final String GRAPH_API_VERSION = "graphApiVersion";
        public static final String SECRET_NAME = "secretName";
        public static final String BACKLOG_PER_TASK_TARGET = "backlogPerTaskTarget";
        public static final String DISPATCH_FAILURE_ALARM_THRESHOLD = "dispatchFailureAlarmThreshold";
        public static final String READONLY_ROOT_FILESYSTEM = "readonlyRootFilesystem";
        public static final String EVENT_AGE_P95_ALARM_THRESHOLD_SECONDS = "eventAgeP95AlarmThresholdSeconds";
        public static final String SOURCE_TOPIC_ARN = "sourceTopicArn";

        private Keys() {
        }
    }

    /** The worker's own default (docs/configuration.md); Meta retires v21.0 for the Conversions API in 2027. */
    public static final String DEFAULT_GRAPH_API_VERSION = "v26.0";
    /** The contract's default secret name (contract §2). */
    public static final String DEFAULT_SECRET_NAME = "meta-capi-credentials";
    /** Placeholder figure, see docs/deploy.md "Scaling": 10 s acceptable wait × 100 messages/s per task. */
    public static final int DEFAULT_BACKLOG_PER_TASK_TARGET = 1000;
    public static final int DEFAULT_DISPATCH_FAILURE_ALARM_THRESHOLD = 100;
    /**
     * A minute: well above the 10 s of queueing the backlog target is sized for (docs/deploy.md "Scaling"), so a
     * burst that scaling is still absorbing does not page, and far inside Meta's 7-day window.
     */
    public static final int DEFAULT_EVENT_AGE_P95_ALARM_THRESHOLD_SECONDS = 60;

    private static final Pattern ACCOUNT = Pattern.compile("\\d{12}");
    private static final Pattern REGION = Pattern.compile("[a-z]{2}(-[a-z]+)+-\\d");
    private static final Pattern VPC_ID = Pattern.compile("vpc-[0-9a-f]{8,17}");
    private static final Pattern SUBNET_ID = Pattern.compile("subnet-[0-9a-f]{8,17}");
    private static final Pattern AVAILABILITY_ZONE = Pattern.compile("[a-z]{2}(-[a-z]+)+-\\d[a-z]");
    // ECR repository names: lowercase, digits, and . _ - / separators (ECR CreateRepository).
    private static final Pattern REPOSITORY = Pattern.compile("[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*");
    // Docker tag grammar.
    private static final Pattern IMAGE_TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
    // Standard topics only (no dot, so no ".fifo"): a FIFO topic delivers to FIFO queues only, and both queues
    // here are standard.
    private static final Pattern TOPIC_ARN = Pattern.compile("arn:aws[a-z-]*:sns:[a-z0-9-]+:\\d{12}:[A-Za-z0-9_-]{1,256}");
    // The worker refuses anything else at start-up (docs/configuration.md: "must look like v26.0").
    private static final Pattern GRAPH_API_VERSION = Pattern.compile("v\\d+\\.\\d+");
    private static final Pattern SECRET_NAME = Pattern.compile("[A-Za-z0-9/_+=.@-]{1,512}");

    public DeploymentSettings {
        availabilityZones = List.copyOf(availabilityZones);
        privateSubnetIds = List.copyOf(privateSubnetIds);
    }

    public Optional<String> alarmTopic() {
        return Optional.ofNullable(alarmTopicArn);
    }

    public Optional<String> sourceTopic() {
        return Optional.ofNullable(sourceTopicArn);
    }

    /**
     * Reads and checks the settings.
     *
     * @param context the CDK context ({@code app.getNode()::tryGetContext}); lists may arrive as JSON arrays
     *     (from cdk.context.json) or as comma-separated strings (from {@code -c key=a,b})
     * @param environment where {@code account} and {@code region} fall back to the cdk CLI's
     *     {@code CDK_DEFAULT_ACCOUNT} / {@code CDK_DEFAULT_REGION}
     * @throws IllegalArgumentException naming every missing or malformed key
     */
    public static DeploymentSettings fromContext(Function<String, Object> context, Map<String, String> environment) {
        Reader reader = new Reader(context);
        String account = reader.optional(Keys.ACCOUNT, ACCOUNT, "a 12-digit account id")
                .or(() -> nonBlank(environment.get("CDK_DEFAULT_ACCOUNT"))).orElse(null);
        String region = reader.optional(Keys.REGION, REGION, "a region such as eu-west-1")
                .or(() -> nonBlank(environment.get("CDK_DEFAULT_REGION"))).orElse(null);
        String vpcId = reader.required(Keys.VPC_ID, VPC_ID, "a VPC id such as vpc-0a1b2c3d4e5f67890");
        List<String> zones = reader.list(Keys.AVAILABILITY_ZONES, AVAILABILITY_ZONE, "availability zones such as eu-west-1a");
        List<String> subnets = reader.list(Keys.PRIVATE_SUBNET_IDS, SUBNET_ID, "subnet ids such as subnet-0a1b2c3d4e5f67890");
        if (!zones.isEmpty() && !subnets.isEmpty() && zones.size() != subnets.size()) {
            reader.problem(Keys.PRIVATE_SUBNET_IDS + " has " + subnets.size() + " subnets but "
                    + Keys.AVAILABILITY_ZONES + " has " + zones.size() + " zones: give one zone per subnet, in the same order");
        }
        String repository = reader.required(Keys.IMAGE_REPOSITORY, REPOSITORY, "an ECR repository name such as capi-dispatch-worker");
        String tag = reader.required(Keys.IMAGE_TAG, IMAGE_TAG, "an image tag such as the git SHA");
        if ("latest".equals(tag)) {
            // A moving tag makes "redeploy the previous tag" meaningless and lets a task restart pick up new code.
            reader.problem(Keys.IMAGE_TAG + " must not be 'latest': deploy an immutable tag such as the git SHA");
        }
        String topicArn = reader.optional(Keys.ALARM_TOPIC_ARN, TOPIC_ARN, "an SNS topic ARN").orElse(null);
        String apiVersion = reader.optional(Keys.GRAPH_API_VERSION, GRAPH_API_VERSION, "a Graph API version such as v26.0")
                .orElse(DEFAULT_GRAPH_API_VERSION);
        String secretName = reader.optional(Keys.SECRET_NAME, SECRET_NAME, "a Secrets Manager secret name")
                .orElse(DEFAULT_SECRET_NAME);
        int backlog = reader.positiveInt(Keys.BACKLOG_PER_TASK_TARGET, DEFAULT_BACKLOG_PER_TASK_TARGET);
        int failures = reader.positiveInt(Keys.DISPATCH_FAILURE_ALARM_THRESHOLD, DEFAULT_DISPATCH_FAILURE_ALARM_THRESHOLD);
        boolean readonlyRoot = reader.bool(Keys.READONLY_ROOT_FILESYSTEM, true);
        int eventAgeSeconds = reader.positiveInt(Keys.EVENT_AGE_P95_ALARM_THRESHOLD_SECONDS,
                DEFAULT_EVENT_AGE_P95_ALARM_THRESHOLD_SECONDS);
        String sourceTopicArn = reader.optional(Keys.SOURCE_TOPIC_ARN, TOPIC_ARN, "an SNS topic ARN").orElse(null);
        reader.failIfProblems();
        return new DeploymentSettings(account, region, vpcId, zones, subnets, repository, tag, topicArn, apiVersion,
                secretName, backlog, failures, readonlyRoot, eventAgeSeconds, sourceTopicArn);
    }

    private static Optional<String> nonBlank(String value) {
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
    }

    /** Collects every problem instead of stopping at the first, so one synth run shows all of them. */
    private static final class Reader {
        private final Function<String, Object> context;
        private final List<String> problems = new ArrayList<>();

        Reader(Function<String, Object> context) {
            this.context = context;
        }

        void problem(String message) {
            problems.add(message);
        }

        Optional<String> optional(String key, Pattern pattern, String expected) {
            Object raw = context.apply(key);
            if (raw == null) {
                return Optional.empty();
            }
            Optional<String> value = nonBlank(raw.toString());
            if (value.isPresent() && !pattern.matcher(value.get()).matches()) {
                problem(key + " must be " + expected + ", not '" + value.get() + "'");
                return Optional.empty();
            }
            return value;
        }

        String required(String key, Pattern pattern, String expected) {
            if (context.apply(key) == null || nonBlank(context.apply(key).toString()).isEmpty()) {
                problem(key + " is not set: pass -c " + key + "=... (" + expected + ")");
                return null;
            }
            return optional(key, pattern, expected).orElse(null);
        }

        List<String> list(String key, Pattern pattern, String expected) {
            Object raw = context.apply(key);
            List<String> values = new ArrayList<>();
            if (raw instanceof Collection<?> items) {
                items.forEach(item -> values.add(String.valueOf(item).trim()));
            } else if (raw != null) {
                Arrays.stream(raw.toString().split(",")).map(String::trim).filter(s -> !s.isEmpty()).forEach(values::add);
            }
            if (values.isEmpty()) {
                problem(key + " is not set: pass -c " + key + "=a,b (" + expected + ")");
            }
            values.stream().filter(v -> !pattern.matcher(v).matches())
                    .forEach(v -> problem(key + " must hold " + expected + ", not '" + v + "'"));
            return values;
        }

        int positiveInt(String key, int fallback) {
            Object raw = context.apply(key);
            if (raw == null) {
                return fallback;
            }
            try {
                int value = raw instanceof Number number ? number.intValue() : Integer.parseInt(raw.toString().trim());
                if (value > 0) {
                    return value;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            problem(key + " must be a positive whole number, not '" + raw + "'");
            return fallback;
        }

        boolean bool(String key, boolean fallback) {
            Object raw = context.apply(key);
            if (raw == null) {
                return fallback;
            }
            String value = raw.toString().trim();
            if (!value.equals("true") && !value.equals("false")) {
                problem(key + " must be true or false, not '" + raw + "'");
                return fallback;
            }
            return Boolean.parseBoolean(value);
        }

        void failIfProblems() {
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException("Invalid deployment context:\n  - " + String.join("\n  - ", problems));
            }
        }
    }
}
