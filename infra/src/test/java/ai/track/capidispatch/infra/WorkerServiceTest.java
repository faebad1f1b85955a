package ai.track.capidispatch.infra;

import static ai.track.capidispatch.infra.Cfn.getAtt;
import static ai.track.capidispatch.infra.Cfn.logicalId;
import static ai.track.capidispatch.infra.Cfn.ref;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

class WorkerServiceTest {

    private final Synthesized app = Synthesized.committed();
    private final Template template = app.template;
    private final WorkerService worker = app.stack.worker();

    @Test
    void taskRoleMayDoExactlyWhatTheWorkerDoes() {
        String queue = logicalId(app.stack.queues().queue());
        String dlq = logicalId(app.stack.queues().deadLetterQueue());
        String taskRole = logicalId(worker.taskRole());

        template.hasResourceProperties("AWS::IAM::Policy", Match.objectLike(Map.of(
                "Roles", List.of(ref(taskRole)),
                "PolicyDocument", Match.objectLike(Map.of("Statement", List.of(
                        Match.objectEquals(Map.of(
                                "Sid", "ConsumeDispatchQueue",
                                "Effect", "Allow",
                                // ChangeMessageVisibility: the original design forgot it
                                "Action", List.of("sqs:ChangeMessageVisibility", "sqs:DeleteMessage",
                                        "sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:ReceiveMessage",
                                        "sqs:SendMessage"),
                                "Resource", getAtt(queue, "Arn"))),
                        // write only: no Receive/Delete on the DLQ, operators redrive with their own credentials
                        Match.objectEquals(Map.of(
                                "Sid", "WriteDeadLetterQueue",
                                "Effect", "Allow",
                                "Action", List.of("sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:SendMessage"),
                                "Resource", getAtt(dlq, "Arn"))),
                        Match.objectEquals(Map.of(
                                "Sid", "ReadMetaCredentials",
                                "Effect", "Allow",
                                "Action", List.of("secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"),
                                "Resource", Cfn.arn("secretsmanager", ":secret:meta-capi-credentials-??????"))),
                        Match.objectEquals(Map.of(
                                "Sid", "PublishWorkerMetrics",
                                "Effect", "Allow",
                                "Action", "cloudwatch:PutMetricData",
                                "Resource", "*",
                                "Condition", Map.of("StringEquals", Map.of("cloudwatch:namespace", "Track-AI/CAPI"))))))))));
    }

    @Test
    void taskRoleHasNoOtherPermissions() {
        String taskRole = logicalId(worker.taskRole());
        long policies = app.resources("AWS::IAM::Policy").values().stream()
                .map(p -> (Map<?, ?>) p.get("Properties"))
                .filter(p -> ((List<?>) p.get("Roles")).contains(ref(taskRole)))
                .count();
        assertEquals(1, policies, "one policy document attached to the task role");
        template.hasResourceProperties("AWS::IAM::Role", Match.objectLike(Map.of(
                "Description", Match.stringLikeRegexp("^capi-dispatch-worker: consume.*"),
                "ManagedPolicyArns", Match.absent(),
                "Policies", Match.absent())));
    }

    @Test
    void taskRoleCanOnlyBeAssumedByThisAccountsEcsTasks() {
        template.hasResourceProperties("AWS::IAM::Role", Match.objectLike(Map.of(
                "Description", Match.stringLikeRegexp("^capi-dispatch-worker: consume.*"),
                "AssumeRolePolicyDocument", Match.objectLike(Map.of("Statement", List.of(Match.objectEquals(Map.of(
                        "Action", "sts:AssumeRole",
                        "Effect", "Allow",
                        "Principal", Map.of("Service", "ecs-tasks.amazonaws.com"),
                        "Condition", Map.of(
                                "StringEquals", Map.of("aws:SourceAccount", ref("AWS::AccountId")),
                                "ArnLike", Map.of("aws:SourceArn", Cfn.arn("ecs", ":*")))))))))));
    }

    @Test
    void executionRoleMayOnlyPullTheImageAndWriteTheLogs() {
        template.hasResourceProperties("AWS::IAM::Policy", Match.objectLike(Map.of(
                "Roles", List.of(ref(logicalId(worker.executionRole()))),
                "PolicyDocument", Match.objectLike(Map.of("Statement", List.of(
                        Match.objectEquals(Map.of(
                                "Effect", "Allow",
                                "Action", List.of("ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage",
                                        "ecr:GetDownloadUrlForLayer"),
                                "Resource", Cfn.arn("ecr", ":repository/capi-dispatch-worker"))),
                        Match.objectEquals(Map.of(
                                "Effect", "Allow",
                                "Action", "ecr:GetAuthorizationToken",
                                "Resource", "*")),
                        Match.objectEquals(Map.of(
                                "Effect", "Allow",
                                "Action", List.of("logs:CreateLogStream", "logs:PutLogEvents"),
                                "Resource", getAtt(logicalId(worker.logGroup()), "Arn")))))))));
    }

    @Test
    void taskIsAQuarterVcpuWithHalfAGigabyteOnX86() {
        template.hasResourceProperties("AWS::ECS::TaskDefinition", Match.objectLike(Map.of(
                "Family", "capi-dispatch-worker",
                "Cpu", "256",
                "Memory", "512",
                "NetworkMode", "awsvpc",
                "RequiresCompatibilities", List.of("FARGATE"),
                "RuntimePlatform", Map.of("CpuArchitecture", "X86_64", "OperatingSystemFamily", "LINUX"),
                "TaskRoleArn", getAtt(logicalId(worker.taskRole()), "Arn"),
                "ExecutionRoleArn", getAtt(logicalId(worker.executionRole()), "Arn"))));
    }

    @Test
    void containerGetsTheContractsEnvironment() {
        template.hasResourceProperties("AWS::ECS::TaskDefinition", Match.objectLike(Map.of(
                "ContainerDefinitions", List.of(Match.objectLike(Map.of(
                        "Name", "worker",
                        "Essential", true,
                        "Environment", List.of(
                                Map.of("Name", "SQS_QUEUE_URL", "Value", ref(logicalId(app.stack.queues().queue()))),
                                Map.of("Name", "SQS_DLQ_URL", "Value", ref(logicalId(app.stack.queues().deadLetterQueue()))),
                                Map.of("Name", "META_CAPI_SECRET_NAME", "Value", "meta-capi-credentials"),
                                Map.of("Name", "AWS_REGION", "Value", ref("AWS::Region")),
                                Map.of("Name", "META_GRAPH_API_VERSION", "Value", "v26.0")),
                        "Secrets", Match.absent(),
                        "Image", Match.objectLike(Map.of("Fn::Join", List.of("", Match.arrayWith(List.of(
                                "/capi-dispatch-worker:0000000000000000000000000000000000000000")))))))))));
    }

    @Test
    void containerHealthCheckAsksForHealthWithBashOnly() {
        template.hasResourceProperties("AWS::ECS::TaskDefinition", Match.objectLike(Map.of(
                "ContainerDefinitions", List.of(Match.objectLike(Map.of(
                        "HealthCheck", Match.objectEquals(Map.of(
                                "Command", List.of("CMD-SHELL", "bash -c 'exec 3<>/dev/tcp/127.0.0.1/3001 && printf"
                                        + " \"GET /health HTTP/1.0\\r\\n\\r\\n\" >&3 && head -1 <&3 | grep -q \" 200 \"'"),
                                "Interval", 30,
                                "Timeout", 5,
                                "Retries", 3,
                                "StartPeriod", 60))))))));
    }

    @Test
    void healthCheckCommandPassesOnlyWhileHealthAnswers200() throws Exception {
        assertEquals(0, runHealthCheckAgainst(200), "passes on 200");
        assertNotEquals(0, runHealthCheckAgainst(503), "fails on 503");
    }

    /** Runs the container's CMD-SHELL command as Docker does (sh -c) against a local /health on a free port. */
    private static int runHealthCheckAgainst(int status) throws IOException, InterruptedException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/health", exchange -> {
            byte[] body = "{\"status\":\"UP\"}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        try {
            String command = WorkerService.HEALTH_CHECK_COMMAND.replace("/3001", "/" + server.getAddress().getPort());
            Process process = new ProcessBuilder("sh", "-c", command).redirectErrorStream(true).start();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("health check command hung");
            }
            return process.exitValue();
        } finally {
            server.stop(0);
        }
    }

    @Test
    void containerStopsGracefullyOnAReadOnlyRootWithAWritableTmp() {
        template.hasResourceProperties("AWS::ECS::TaskDefinition", Match.objectLike(Map.of(
                "Volumes", List.of(Map.of("Name", "tmp")),
                "ContainerDefinitions", List.of(Match.objectLike(Map.of(
                        // the worker exits within 25 s of SIGTERM
                        "StopTimeout", 30,
                        "ReadonlyRootFilesystem", true,
                        "MountPoints", List.of(Map.of("SourceVolume", "tmp", "ContainerPath", "/tmp", "ReadOnly", false))))))));
    }

    @Test
    void writableRootNeedsNoTmpVolume() {
        Synthesized.variant().template.hasResourceProperties("AWS::ECS::TaskDefinition", Match.objectLike(Map.of(
                "Volumes", Match.absent(),
                "ContainerDefinitions", List.of(Match.objectLike(Map.of(
                        "ReadonlyRootFilesystem", false,
                        "MountPoints", Match.absent()))))));
    }

    @Test
    void containerLogsToTheWeekLongLogGroup() {
        String logGroup = logicalId(worker.logGroup());
        template.hasResource("AWS::Logs::LogGroup", Match.objectLike(Map.of(
                "DeletionPolicy", "Retain",
                "Properties", Match.objectLike(Map.of(
                        "LogGroupName", "/ecs/capi-dispatch-worker",
                        "RetentionInDays", 7)))));
        template.hasResourceProperties("AWS::ECS::TaskDefinition", Match.objectLike(Map.of(
                "ContainerDefinitions", List.of(Match.objectLike(Map.of(
                        "LogConfiguration", Match.objectLike(Map.of(
                                "LogDriver", "awslogs",
                                "Options", Match.objectLike(Map.of("awslogs-group", ref(logGroup)))))))))));
    }

    @Test
    void serviceRunsTwoTasksInPrivateSubnetsWithoutPublicIp() {
        template.hasResourceProperties("AWS::ECS::Service", Match.objectLike(Map.of(
                "ServiceName", "capi-dispatch-worker",
                "LaunchType", "FARGATE",
                "DesiredCount", 2,
                "NetworkConfiguration", Map.of("AwsvpcConfiguration", Match.objectLike(Map.of(
                        "AssignPublicIp", "DISABLED",
                        "Subnets", List.of("subnet-0123456789abcdef0", "subnet-0fedcba9876543210")))))));
    }

    @Test
    void deploymentsKeepFullCapacityAndRollBackOnFailure() {
        template.hasResourceProperties("AWS::ECS::Service", Match.objectLike(Map.of(
                "DeploymentConfiguration", Match.objectEquals(Map.of(
                        "DeploymentCircuitBreaker", Map.of("Enable", true, "Rollback", true),
                        "MinimumHealthyPercent", 100,
                        "MaximumPercent", 200)))));
    }

    @Test
    void clusterHasContainerInsights() {
        template.hasResourceProperties("AWS::ECS::Cluster", Match.objectLike(Map.of(
                "ClusterName", "capi-dispatch",
                "ClusterSettings", List.of(Map.of("Name", "containerInsights", "Value", "enabled")))));
    }

    @Test
    void tasksAcceptNoConnectionsAndOnlyTalkHttps() {
        template.hasResourceProperties("AWS::EC2::SecurityGroup", Match.objectLike(Map.of(
                "VpcId", "vpc-0123456789abcdef0",
                "SecurityGroupIngress", Match.absent(),
                "SecurityGroupEgress", List.of(Match.objectLike(Map.of(
                        "CidrIp", "0.0.0.0/0", "IpProtocol", "tcp", "FromPort", 443, "ToPort", 443))))));
        template.resourceCountIs("AWS::EC2::SecurityGroupIngress", 0);
        template.resourceCountIs("AWS::EC2::SecurityGroupEgress", 0);
    }

    @Test
    void nothingIsHardCodedToAnAccount() {
        String json = String.valueOf(app.json);
        assertFalse(json.matches("(?s).*\\b\\d{12}\\b.*"), "no 12-digit account id in the template");
        assertEquals("aws://unknown-account/unknown-region", app.stack.getEnvironment(),
                "the committed context leaves account and region to the deployment");
    }

    @Test
    void accountAndRegionFromContextPinTheStack() {
        Synthesized variant = Synthesized.variant();
        assertEquals("aws://111122223333/eu-west-1", variant.stack.getEnvironment());
        variant.template.hasResourceProperties("AWS::ECS::TaskDefinition", Match.objectLike(Map.of(
                "ContainerDefinitions", List.of(Match.objectLike(Map.of(
                        "Environment", Match.arrayWith(List.of(Map.of("Name", "AWS_REGION", "Value", "eu-west-1")))))))));
    }
}
