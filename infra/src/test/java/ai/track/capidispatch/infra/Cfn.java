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

    /** How {@link #joined} writes {@code {"Ref": logicalId}}. */
    static String refText(String logicalId) {
        return "${Ref:" + logicalId + "}";
    }

    /** How {@link #joined} writes {@code {"Fn::GetAtt": [logicalId, attribute]}}. */
    static String getAttText(String logicalId, String attribute) {
        return "${GetAtt:" + logicalId + "." + attribute + "}";
    }

    /**
     * A string as CloudFormation will assemble it, with each intrinsic written as {@link #refText} or
     * {@link #getAttText}, so a JSON document built with {@code Fn::Join} (a dashboard body) can be parsed and
     * asserted on. The placeholders hold no quote or backslash: JSON stays JSON.
     */
    static String joined(Object value) {
        if (value instanceof String text) {
            return text;
        }
        Map<?, ?> intrinsic = (Map<?, ?>) value;
        if (intrinsic.containsKey("Fn::Join")) {
            List<?> join = (List<?>) intrinsic.get("Fn::Join");
            StringBuilder text = new StringBuilder();
            List<?> parts = (List<?>) join.get(1);
            for (int i = 0; i < parts.size(); i++) {
                text.append(i == 0 ? "" : join.get(0)).append(joined(parts.get(i)));
            }
            return text.toString();
        }
        if (intrinsic.containsKey("Ref")) {
            return refText((String) intrinsic.get("Ref"));
        }
        if (intrinsic.containsKey("Fn::GetAtt")) {
            List<?> getAtt = (List<?>) intrinsic.get("Fn::GetAtt");
            return getAttText((String) getAtt.get(0), (String) getAtt.get(1));
        }
        throw new IllegalArgumentException("not a string, Fn::Join, Ref or Fn::GetAtt: " + value);
    }

    /** The logical id of a construct's CloudFormation resource. */
    static String logicalId(IConstruct construct) {
        IConstruct resource = construct instanceof CfnElement ? construct : construct.getNode().getDefaultChild();
        return Stack.of(construct).getLogicalId((CfnElement) resource);
    }
}
