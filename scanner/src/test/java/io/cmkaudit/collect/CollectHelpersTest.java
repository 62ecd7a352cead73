package io.cmkaudit.collect;

import static org.assertj.core.api.Assertions.assertThat;

import io.cmkaudit.collect.KeyReader.KeyRef;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;

class CollectHelpersTest {

    @Test
    void policyTextDecodesPercentEscapesAsUtf8AndKeepsPlus() {
        assertThat(PolicyText.decode("%7B%22Sid%22%3A%22a+b%20%C3%A9%22%7D")).isEqualTo("{\"Sid\":\"a+b é\"}");
    }

    @Test
    void policyTextLeavesRawJsonAndMalformedEscapesAlone() {
        assertThat(PolicyText.decode("{\"a\":\"100%\"}")).isEqualTo("{\"a\":\"100%\"}");
        assertThat(PolicyText.decode("  {\"a\":1}")).isEqualTo("  {\"a\":1}");
        assertThat(PolicyText.decode("%7B%ZZ")).isEqualTo("%7B%ZZ");
        assertThat(PolicyText.decode("%7")).isEqualTo("%7");
        assertThat(PolicyText.decode(null)).isNull();
    }

    @Test
    void keyReferencesResolveToTheirOwnerAccountAndRegion() {
        assertThat(KeyRef.parse("arn:aws:kms:eu-west-1:222222222222:key/abc", "111111111111", "us-east-1"))
                .isEqualTo(new KeyRef("222222222222", "eu-west-1", "abc", null));
        assertThat(KeyRef.parse("arn:aws:kms:eu-west-1:222222222222:alias/app", "111111111111", "eu-west-1"))
                .isEqualTo(new KeyRef("222222222222", "eu-west-1", null, "alias/app"));
        assertThat(KeyRef.parse("alias/aws/ebs", "111111111111", "eu-west-1"))
                .isEqualTo(new KeyRef("111111111111", "eu-west-1", null, "alias/aws/ebs"));
        assertThat(KeyRef.parse("1234abcd-12ab-34cd-56ef-1234567890ab", "111111111111", "eu-west-1"))
                .isEqualTo(new KeyRef("111111111111", "eu-west-1", "1234abcd-12ab-34cd-56ef-1234567890ab", null));
        assertThat(KeyRef.parse("mrk-1234", "111111111111", "eu-west-1"))
                .isEqualTo(new KeyRef("111111111111", "eu-west-1", "mrk-1234", null));
    }

    @Test
    void arnsUseTheRegionsPartition() {
        assertThat(Arns.instance("eu-west-1", "111111111111", "i-1")).isEqualTo("arn:aws:ec2:eu-west-1:111111111111:instance/i-1");
        assertThat(Arns.kmsKey("cn-north-1", "111111111111", "k")).isEqualTo("arn:aws-cn:kms:cn-north-1:111111111111:key/k");
        assertThat(Arns.partition("us-gov-west-1")).isEqualTo("aws-us-gov");
        assertThat(Arns.partition("us-iso-east-1")).isEqualTo("aws-iso");
        assertThat(Arns.partition("us-isob-east-1")).isEqualTo("aws-iso-b");
        assertThat(Arns.lastSegment("arn:aws:iam::aws:policy/service-role/AmazonEC2RoleforSSM")).isEqualTo("AmazonEC2RoleforSSM");
        assertThat(Arns.policyPath("arn:aws:iam::aws:policy/service-role/AmazonEC2RoleforSSM")).isEqualTo("/service-role/");
        assertThat(Arns.policyPath("arn:aws:iam::111111111111:policy/StartTagged")).isEqualTo("/");
    }

    @Test
    void failuresKeepTheAwsErrorCodeAndOneLine() {
        AwsServiceException denied = AwsServiceException.builder().statusCode(403)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode("AccessDeniedException")
                        .errorMessage("User: x is not authorized\nto perform kms:GetKeyPolicy").build()).build();
        assertThat(AwsFailure.of("KMS.GetKeyPolicy", denied)).isEqualTo(new AwsFailure("KMS.GetKeyPolicy",
                "AccessDeniedException", "KMS.GetKeyPolicy: User: x is not authorized to perform kms:GetKeyPolicy", true));
        AwsServiceException noCode = AwsServiceException.builder().statusCode(500)
                .awsErrorDetails(AwsErrorDetails.builder().errorMessage("boom").build()).build();
        assertThat(AwsFailure.of("EC2.GetEbsDefaultKmsKeyId", noCode).code()).isEqualTo("HTTP 500");
        assertThat(AwsFailure.of("EC2.GetEbsDefaultKmsKeyId", noCode).denied()).isFalse();
        assertThat(AwsFailure.of("IAM.GetPolicy", ApiCallTimeoutException.create(1000)).code()).isEqualTo("Timeout");
        assertThat(AwsFailure.of("IAM.GetPolicy", SdkClientException.create("connection refused")))
                .isEqualTo(new AwsFailure("IAM.GetPolicy", "ClientError", "IAM.GetPolicy: connection refused", false));
    }

    @Test
    void serviceNamesAreWrittenAsAwsWritesThem() {
        assertThat(CallCounter.serviceName("Ec2")).isEqualTo("EC2");
        assertThat(CallCounter.serviceName("Kms")).isEqualTo("KMS");
        assertThat(CallCounter.serviceName("Iam")).isEqualTo("IAM");
        assertThat(CallCounter.serviceName("Sts")).isEqualTo("STS");
        assertThat(CallCounter.serviceName("Organizations")).isEqualTo("Organizations");
    }
}
