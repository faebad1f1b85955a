package ai.track.capidispatch.infra;

import io.github.cdklabs.cdknag.NagPackSuppression;
import io.github.cdklabs.cdknag.NagSuppressions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import software.amazon.awscdk.ArnComponents;
import software.amazon.awscdk.ArnFormat;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.ec2.ISubnet;
import software.amazon.awscdk.services.ec2.IVpc;
import software.amazon.awscdk.services.ec2.Peer;
import software.amazon.awscdk.services.ec2.Port;
import software.amazon.awscdk.services.ec2.SecurityGroup;
import software.amazon.awscdk.services.ec2.SubnetSelection;
import software.amazon.awscdk.services.ecs.AwsLogDriverProps;
import software.amazon.awscdk.services.ecs.Cluster;
import software.amazon.awscdk.services.ecs.ContainerDefinition;
import software.amazon.awscdk.services.ecs.ContainerDefinitionOptions;
import software.amazon.awscdk.services.ecs.ContainerImage;
import software.amazon.awscdk.services.ecs.ContainerInsights;
import software.amazon.awscdk.services.ecs.CpuArchitecture;
import software.amazon.awscdk.services.ecs.DeploymentCircuitBreaker;
import software.amazon.awscdk.services.ecs.FargateService;
import software.amazon.awscdk.services.ecs.FargateTaskDefinition;
import software.amazon.awscdk.services.ecs.HealthCheck;
import software.amazon.awscdk.services.ecs.LogDrivers;
import software.amazon.awscdk.services.ecs.MountPoint;
import software.amazon.awscdk.services.ecs.OperatingSystemFamily;
import software.amazon.awscdk.services.ecs.PropagatedTagSource;
import software.amazon.awscdk.services.ecs.RuntimePlatform;
import software.amazon.awscdk.services.ecs.Volume;
import software.amazon.awscdk.services.iam.Effect;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.constructs.Construct;

/**
 * The worker on Fargate: cluster, log group, execution and task roles, task definition and service.
 *
 * <p>The task role carries exactly the calls the worker makes, each on the one resource it makes them on; the
 * execution role only what ECS needs to start the task (pull the image, write its logs).
 */
public final class WorkerService extends Construct {

    public static final String CLUSTER_NAME = "capi-dispatch";
    public static final String SERVICE_NAME = "capi-dispatch-worker";
    public static final String CONTAINER_NAME = "worker";
    public static final String LOG_GROUP_NAME = "/ecs/capi-dispatch-worker";
    /** The worker's CloudWatch namespace (contract §5); PutMetricData is allowed for it alone. */
    public static final String METRICS_NAMESPACE = "Track-AI/CAPI";
    public static final int DESIRED_TASKS = 2;

    /**
     * GET /health on port 3001 with nothing but bash: the image is a JRE image without curl or Node.js. Passes
     * only on a 200 status line, so the worker's 503 (listener stopped, no credentials) fails it.
     */
    public static final String HEALTH_CHECK_COMMAND = "bash -c 'exec 3<>/dev/tcp/127.0.0.1/3001"
            + " && printf \"GET /health HTTP/1.0\\r\\n\\r\\n\" >&3 && head -1 <&3 | grep -q \" 200 \"'";

    /** The worker exits within 25 s of SIGTERM (contract §6); ECS kills it 30 s after. */
    public static final Duration STOP_TIMEOUT = Duration.seconds(30);

    private static final String TMP_VOLUME = "tmp";

    /**
     * @param vpc the VPC of the tasks
     * @param subnets private subnets; tasks get no public IP
     * @param queues the queues the worker consumes and dead-letters to
     * @param image the worker image (ECR repository and an immutable tag)
     * @param secretName name of the Secrets Manager secret with Meta's credentials
     * @param graphApiVersion {@code META_GRAPH_API_VERSION}
     * @param readonlyRootFilesystem read-only root filesystem, with a task volume on /tmp for the JVM and Tomcat
     */
    public record Props(IVpc vpc, List<ISubnet> subnets, DispatchQueues queues, ContainerImage image,
            String secretName, String graphApiVersion, boolean readonlyRootFilesystem) {
        public Props {
            Objects.requireNonNull(vpc, "vpc");
            Objects.requireNonNull(queues, "queues");
            Objects.requireNonNull(image, "image");
            Objects.requireNonNull(secretName, "secretName");
            Objects.requireNonNull(graphApiVersion, "graphApiVersion");
            subnets = List.copyOf(subnets);
            if (subnets.isEmpty()) {
                throw new IllegalArgumentException("at least one subnet is needed");
            }
        }
    }

    private final Cluster cluster;
    private final FargateService service;
    private final Role taskRole;
    private final Role executionRole;
    private final LogGroup logGroup;

    public WorkerService(Construct scope, String id, Props props) {
        super(scope, id);
        Stack stack = Stack.of(this);

        this.logGroup = LogGroup.Builder.create(this, "Logs")
                .logGroupName(LOG_GROUP_NAME)
                .retention(RetentionDays.ONE_WEEK)
                .build();

        this.cluster = Cluster.Builder.create(this, "Cluster")
                .clusterName(CLUSTER_NAME)
                .vpc(props.vpc())
                // RunningTaskCount for the backlog-per-task scaling policy and the task-count alarm.
                .containerInsightsV2(ContainerInsights.ENABLED)
                .build();

        // ECS itself uses this role to start the task. The image and log driver below grant it what they need:
        // ECR pull on the one repository, CreateLogStream/PutLogEvents on the one log group.
        this.executionRole = Role.Builder.create(this, "ExecutionRole")
                .assumedBy(new ServicePrincipal("ecs-tasks.amazonaws.com"))
                .description("Starts capi-dispatch-worker tasks: pulls the image, writes the logs")
                .build();

        // The worker's own credentials. The conditions stop another account's ECS tasks from assuming it.
        this.taskRole = Role.Builder.create(this, "TaskRole")
                .assumedBy(new ServicePrincipal("ecs-tasks.amazonaws.com").withConditions(Map.of(
                        "StringEquals", Map.of("aws:SourceAccount", stack.getAccount()),
                        "ArnLike", Map.of("aws:SourceArn", stack.formatArn(ArnComponents.builder()
                                .service("ecs").resource("*").arnFormat(ArnFormat.NO_RESOURCE_NAME).build())))))
                .description("capi-dispatch-worker: consume capi-dispatch, write capi-dispatch-dlq, read the Meta secret, publish metrics")
                .build();
        grantWorkerCalls(props);

        FargateTaskDefinition taskDefinition = FargateTaskDefinition.Builder.create(this, "TaskDefinition")
                .family(SERVICE_NAME)
                .cpu(256)
                .memoryLimitMiB(512)
                // X86_64: the image is built on x86-64 CI runners by a Dockerfile whose Maven stage would run under
                // emulation for ARM64; Graviton would save about $1.80 per task-month at this size (docs/deploy.md).
                .runtimePlatform(RuntimePlatform.builder()
                        .cpuArchitecture(CpuArchitecture.X86_64)
                        .operatingSystemFamily(OperatingSystemFamily.LINUX)
                        .build())
                .executionRole(executionRole)
                .taskRole(taskRole)
                .build();

        Map<String, String> environment = new LinkedHashMap<>();
        environment.put("SQS_QUEUE_URL", props.queues().queue().getQueueUrl());
        environment.put("SQS_DLQ_URL", props.queues().deadLetterQueue().getQueueUrl());
        environment.put("META_CAPI_SECRET_NAME", props.secretName());
        environment.put("AWS_REGION", stack.getRegion());
        environment.put("META_GRAPH_API_VERSION", props.graphApiVersion());

        ContainerDefinition container = taskDefinition.addContainer("Worker", ContainerDefinitionOptions.builder()
                .containerName(CONTAINER_NAME)
                .image(props.image())
                .essential(true)
                // Plain values only: the Meta credentials are read by the worker itself from Secrets Manager, so a
                // rotated secret is picked up without a restart (contract §2); ECS secret injection would freeze it.
                .environment(environment)
                .logging(LogDrivers.awsLogs(AwsLogDriverProps.builder()
                        .logGroup(logGroup)
                        .streamPrefix(CONTAINER_NAME)
                        .build()))
                .healthCheck(HealthCheck.builder()
                        .command(List.of("CMD-SHELL", HEALTH_CHECK_COMMAND))
                        .interval(Duration.seconds(30))
                        .timeout(Duration.seconds(5))
                        .retries(3)
                        // Spring Boot on a quarter vCPU takes tens of seconds to start.
                        .startPeriod(Duration.seconds(60))
                        .build())
                .stopTimeout(STOP_TIMEOUT)
                .readonlyRootFilesystem(props.readonlyRootFilesystem())
                .build());
        if (props.readonlyRootFilesystem()) {
            // The JVM (hsperfdata) and embedded Tomcat (its work directory) write to java.io.tmpdir; nothing else
            // is written. A task-scoped volume keeps /tmp writable while the image stays read-only.
            taskDefinition.addVolume(Volume.builder().name(TMP_VOLUME).build());
            container.addMountPoints(MountPoint.builder()
                    .sourceVolume(TMP_VOLUME).containerPath("/tmp").readOnly(false).build());
        }

        // No inbound rule at all: nothing connects to the worker. Outbound only HTTPS (AWS APIs, ECR, Meta).
        SecurityGroup securityGroup = SecurityGroup.Builder.create(this, "SecurityGroup")
                .vpc(props.vpc())
                .description("capi-dispatch-worker tasks: no inbound, HTTPS outbound")
                .allowAllOutbound(false)
                .build();
        securityGroup.addEgressRule(Peer.anyIpv4(), Port.tcp(443), "HTTPS to AWS APIs and graph.facebook.com");

        this.service = FargateService.Builder.create(this, "Service")
                .serviceName(SERVICE_NAME)
                .cluster(cluster)
                .taskDefinition(taskDefinition)
                .desiredCount(DESIRED_TASKS)
                // Start the new tasks before stopping old ones; stop and roll back a deployment whose tasks fail.
                .minHealthyPercent(100)
                .maxHealthyPercent(200)
                .circuitBreaker(DeploymentCircuitBreaker.builder().enable(true).rollback(true).build())
                .vpcSubnets(SubnetSelection.builder().subnets(props.subnets()).build())
                .assignPublicIp(false)
                .securityGroups(List.of(securityGroup))
                .propagateTags(PropagatedTagSource.SERVICE)
                .enableEcsManagedTags(true)
                .build();

        suppressReviewedFindings(taskDefinition);
    }

    /** cdk-nag findings that were reviewed and are intended; each says why. */
    private void suppressReviewedFindings(FargateTaskDefinition taskDefinition) {
        NagSuppressions.addResourceSuppressions(taskRole, List.of(NagPackSuppression.builder()
                .id("AwsSolutions-IAM5")
                .reason("cloudwatch:PutMetricData has no resource-level permissions (its only resource is *); the"
                        + " statement is limited by the cloudwatch:namespace condition to Track-AI/CAPI.")
                .appliesTo(List.of("Resource::*"))
                .build()), true);
        NagSuppressions.addResourceSuppressions(executionRole, List.of(NagPackSuppression.builder()
                .id("AwsSolutions-IAM5")
                .reason("ecr:GetAuthorizationToken has no resource-level permissions (its only resource is *); the"
                        + " image-layer actions are limited to the one repository by the statement beside it.")
                .appliesTo(List.of("Resource::*"))
                .build()), true);
        NagSuppressions.addResourceSuppressions(taskDefinition, List.of(NagPackSuppression.builder()
                .id("AwsSolutions-ECS2")
                .reason("The environment holds no secrets: queue URLs, the secret's name, region and Graph API version."
                        + " The credentials themselves are read by the worker from Secrets Manager at run time, so that"
                        + " a rotated secret takes effect without a restart (contract section 2).")
                .build()));
    }

    private void grantWorkerCalls(Props props) {
        Stack stack = Stack.of(this);
        taskRole.addToPolicy(PolicyStatement.Builder.create()
                .sid("ConsumeDispatchQueue")
                .effect(Effect.ALLOW)
                // ChangeMessageVisibility: the worker's backoff and release-on-shutdown; the original design lacked it.
                // SendMessage: a retry goes back on the queue as a delayed copy that counts its attempts.
                .actions(List.of("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility",
                        "sqs:SendMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl"))
                .resources(List.of(props.queues().queue().getQueueArn()))
                .build());
        // Write only: operators inspect and redrive the DLQ with their own credentials.
        taskRole.addToPolicy(PolicyStatement.Builder.create()
                .sid("WriteDeadLetterQueue")
                .effect(Effect.ALLOW)
                .actions(List.of("sqs:SendMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl"))
                .resources(List.of(props.queues().deadLetterQueue().getQueueArn()))
                .build());
        taskRole.addToPolicy(PolicyStatement.Builder.create()
                .sid("ReadMetaCredentials")
                .effect(Effect.ALLOW)
                .actions(List.of("secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"))
                .resources(List.of(secretArnPattern(stack, props.secretName())))
                .build());
        taskRole.addToPolicy(PolicyStatement.Builder.create()
                .sid("PublishWorkerMetrics")
                .effect(Effect.ALLOW)
                .actions(List.of("cloudwatch:PutMetricData"))
                .resources(List.of("*"))
                .conditions(Map.of("StringEquals", Map.of("cloudwatch:namespace", METRICS_NAMESPACE)))
                .build());
    }

    /**
     * The secret's ARN by name: Secrets Manager appends a dash and six random characters to the name, so the
     * policy matches exactly those six and nothing longer (a {@code *} would also match {@code name-other}).
     */
    static String secretArnPattern(Stack stack, String secretName) {
        return stack.formatArn(ArnComponents.builder()
                .service("secretsmanager")
                .resource("secret")
                .resourceName(secretName + "-??????")
                .arnFormat(ArnFormat.COLON_RESOURCE_NAME)
                .build());
    }

    public Cluster cluster() {
        return cluster;
    }

    public FargateService service() {
        return service;
    }

    public Role taskRole() {
        return taskRole;
    }

    public Role executionRole() {
        return executionRole;
    }

    public LogGroup logGroup() {
        return logGroup;
    }
}
