package ai.track.capidispatch.infra;

import java.util.List;
import software.amazon.awscdk.Annotations;
import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.services.ec2.ISubnet;
import software.amazon.awscdk.services.ec2.IVpc;
import software.amazon.awscdk.services.ec2.Vpc;
import software.amazon.awscdk.services.ec2.VpcAttributes;
import software.amazon.awscdk.services.ecr.Repository;
import software.amazon.awscdk.services.ecs.ContainerImage;
import software.amazon.awscdk.services.sns.Topic;
import software.constructs.Construct;

/**
 * capi-dispatch-worker in one stack: queues, service, scaling, alarms, dashboard. The VPC, the ECR repository, the
 * Meta secret and, when one is used, the producers' SNS topic exist before it (docs/deploy.md, "First deployment")
 * and are referenced by id, name or ARN only, so synthesis never calls AWS.
 */
public final class CapiDispatchStack extends Stack {

    private final DispatchQueues queues;
    private final WorkerService worker;
    private final WorkerScaling scaling;
    private final WorkerAlarms alarms;
    private final WorkerDashboard dashboard;

    public CapiDispatchStack(Construct scope, String id, StackProps props, DeploymentSettings settings) {
        super(scope, id, props);

        // From context, not Vpc.fromLookup: a lookup would call EC2 at synth time.
        IVpc vpc = Vpc.fromVpcAttributes(this, "Vpc", VpcAttributes.builder()
                .vpcId(settings.vpcId())
                .availabilityZones(settings.availabilityZones())
                .privateSubnetIds(settings.privateSubnetIds())
                .build());
        // Nothing in this stack reads the subnets' route tables (it creates no routes or endpoints), so their ids
        // are not asked for.
        Annotations.of(vpc).acknowledgeWarning("@aws-cdk/aws-ec2:noSubnetRouteTableId",
                "No routes or VPC endpoints are created; the route tables are never read");
        List<ISubnet> subnets = vpc.getPrivateSubnets();

        ContainerImage image = ContainerImage.fromEcrRepository(
                Repository.fromRepositoryName(this, "ImageRepository", settings.imageRepository()), settings.imageTag());

        this.queues = new DispatchQueues(this, "Queues");
        settings.sourceTopic().ifPresent(arn -> queues.subscribeTo(Topic.fromTopicArn(this, "SourceTopic", arn)));
        this.worker = new WorkerService(this, "Worker", new WorkerService.Props(vpc, subnets, queues, image,
                settings.secretName(), settings.graphApiVersion(), settings.readonlyRootFilesystem()));
        this.scaling = new WorkerScaling(this, "Scaling",
                new WorkerScaling.Props(worker.service(), queues.queue(), settings.backlogPerTaskTarget()));
        Duration eventAgeP95Threshold = Duration.seconds(settings.eventAgeP95AlarmThresholdSeconds());
        this.alarms = new WorkerAlarms(this, "Alarms", new WorkerAlarms.Props(queues, worker.service(),
                settings.alarmTopic().orElse(null), settings.dispatchFailureAlarmThreshold(), eventAgeP95Threshold));
        this.dashboard = new WorkerDashboard(this, "Dashboard", new WorkerDashboard.Props(queues, worker.service(),
                scaling, alarms, eventAgeP95Threshold));

        // Stack-level, so the output keys are these names and not path-derived ids.
        CfnOutput.Builder.create(this, "DashboardName")
                .description("CloudWatch dashboard of the worker (docs/operations.md, \"Dashboard\")")
                .value(dashboard.dashboardName())
                .build();
        CfnOutput.Builder.create(this, "DashboardUrl")
                .description("The dashboard in the CloudWatch console")
                .value(dashboard.consoleUrl())
                .build();
    }

    public DispatchQueues queues() {
        return queues;
    }

    public WorkerService worker() {
        return worker;
    }

    public WorkerScaling scaling() {
        return scaling;
    }

    public WorkerAlarms alarms() {
        return alarms;
    }

    public WorkerDashboard dashboard() {
        return dashboard;
    }
}
