package io.cmkaudit.analysis;

import io.cmkaudit.snapshot.AccountSnapshot;
import io.cmkaudit.snapshot.KmsKey;
import io.cmkaudit.snapshot.RegionSnapshot;
import io.cmkaudit.snapshot.Snapshot;

/**
 * The AWS partition of ARNs the analysis and the fixes build or recognise: {@code aws}, {@code aws-us-gov},
 * {@code aws-cn}, {@code aws-iso}, {@code aws-iso-b}. Every ARN is {@code arn:PARTITION:service:region:account:...}
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html); an account's root is
 * {@code arn:aws-us-gov:iam::111122223333:root} in AWS GovCloud (US) and {@code arn:aws-cn:...} in China
 * (https://docs.amazonaws.cn/en_us/aws/latest/userguide/ARNs.html). Pure functions; no AWS SDK.
 */
public final class Partition {

    /** The commercial partition. */
    public static final String AWS = "aws";

    private Partition() {
    }

    /**
     * @param arn an ARN, e.g. {@code arn:aws-cn:kms:cn-north-1:111122223333:key/...}; may be null
     * @return its partition; {@code aws} when null or not an ARN
     */
    public static String ofArn(String arn) {
        if (arn == null || !arn.startsWith("arn:")) {
            return AWS;
        }
        int end = arn.indexOf(':', 4);
        return end <= 4 ? AWS : arn.substring(4, end);
    }

    /**
     * @param region a region name, e.g. {@code us-gov-west-1}; may be null
     * @return its partition by the regions' documented name prefixes; {@code aws} for null
     */
    public static String ofRegion(String region) {
        if (region == null) {
            return AWS;
        }
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
        return AWS;
    }

    /**
     * The partition of a snapshot: the scanner's caller identity, else the first KMS key ARN, else {@code aws}.
     *
     * @param snapshot the snapshot
     * @return the partition id
     */
    public static String of(Snapshot snapshot) {
        if (snapshot.run() != null && snapshot.run().callerArn() != null) {
            return ofArn(snapshot.run().callerArn());
        }
        for (AccountSnapshot a : snapshot.accounts()) {
            for (RegionSnapshot r : a.regions()) {
                for (KmsKey k : r.kmsKeys()) {
                    if (k.arn() != null && k.arn().startsWith("arn:")) {
                        return ofArn(k.arn());
                    }
                }
                return ofRegion(r.region());
            }
        }
        return AWS;
    }

    /**
     * @param partition partition id
     * @return the DNS suffix of its service endpoints: {@code amazonaws.com}, {@code amazonaws.com.cn} (China),
     *         {@code c2s.ic.gov} (ISO), {@code sc2s.sgov.gov} (ISO-B)
     */
    public static String dnsSuffix(String partition) {
        return switch (partition) {
            case "aws-cn" -> "amazonaws.com.cn";
            case "aws-iso" -> "c2s.ic.gov";
            case "aws-iso-b" -> "sc2s.sgov.gov";
            default -> "amazonaws.com";
        };
    }

    /**
     * The {@code kms:ViaService} value of EC2 in a region: the name of EC2's endpoint there,
     * {@code ec2.REGION.amazonaws.com} ({@code ec2.cn-north-1.amazonaws.com.cn} in China)
     * (https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service).
     *
     * @param region region name
     * @return the value
     */
    public static String ec2ViaService(String region) {
        return "ec2." + region + "." + dnsSuffix(ofRegion(region));
    }

    /**
     * @param partition partition id
     * @param account   12-digit account id
     * @return the account's root principal ARN, {@code arn:PARTITION:iam::ACCOUNT:root}
     */
    public static String accountRoot(String partition, String account) {
        return "arn:" + partition + ":iam::" + account + ":root";
    }
}
