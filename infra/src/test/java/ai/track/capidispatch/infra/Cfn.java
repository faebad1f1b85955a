package ai.track.capidispatch.infra;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.CfnElement;
import software.amazon.awscdk.Stack;
import software.constructs.IConstruct;

/** CloudFormation intrinsics as they appear in the synthesized (environment-agnostic) template. */
final class Cfn {

    private Cfn() {
    }

    static Map<String, Object> ref(String logicalId) {
        return Map.of("Ref", logicalId);
    }

    static Map<String, Object> getAtt(String logicalId, String attribute) {
        return Map.of("Fn::GetAtt", List.of(logicalId, attribute));
    }

    /** {@code arn:${Partition}:service:${Region}:${AccountId}:tail}, as Stack.formatArn renders it. */
    static Map<String, Object> arn(String service, String tail) {
        List<Object> parts = new ArrayList<>(List.of("arn:", ref("AWS::Partition"), ":" + service + ":",
                ref("AWS::Region"), ":", ref("AWS::AccountId"), tail));
        return Map.of("Fn::Join", List.of("", parts));
    }

    /** The logical id of a construct's CloudFormation resource. */
    static String logicalId(IConstruct construct) {
        IConstruct resource = construct instanceof CfnElement ? construct : construct.getNode().getDefaultChild();
        return Stack.of(construct).getLogicalId((CfnElement) resource);
    }
}
