package io.cmkaudit.collect;

/** ARN helpers (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html). */
final class Arns {
    private Arns() {
    }

    /**
     * @param region a region name
     * @return its partition: {@code aws}, {@code aws-cn}, {@code aws-us-gov}, {@code aws-iso}, {@code aws-iso-b}
     */
    static String partition(String region) {
        if (region.startsWith("cn-")) {
            return "aws-cn";
        }
        if (region.startsWith("us-gov-")) {
            return "aws-us-gov";
        }
        if (region.startsWith("us-isob-")) {
            return "aws-iso-b";
        }
        if (region.startsWith("us-iso-")) {
            return "aws-iso";
        }
        return "aws";
    }

    static String instance(String region, String accountId, String instanceId) {
        return "arn:" + partition(region) + ":ec2:" + region + ":" + accountId + ":instance/" + instanceId;
    }

    static String kmsKey(String region, String accountId, String keyId) {
        return "arn:" + partition(region) + ":kms:" + region + ":" + accountId + ":key/" + keyId;
    }

    static String role(String partition, String accountId, String roleName) {
        return "arn:" + partition + ":iam::" + accountId + ":role/" + roleName;
    }

    /** The last {@code /}-separated segment of an ARN's resource, e.g. the policy name of a policy ARN. */
    static String lastSegment(String arn) {
        int slash = arn.lastIndexOf('/');
        return slash < 0 ? arn.substring(arn.lastIndexOf(':') + 1) : arn.substring(slash + 1);
    }

    /** The path of a policy ARN {@code arn:aws:iam::123:policy/path/Name}: {@code /path/}; {@code /} when none. */
    static String policyPath(String arn) {
        int start = arn.indexOf(":policy/");
        int end = arn.lastIndexOf('/');
        if (start < 0 || end <= start + 7) {
            return "/";
        }
        return arn.substring(start + 7, end + 1);
    }
}
