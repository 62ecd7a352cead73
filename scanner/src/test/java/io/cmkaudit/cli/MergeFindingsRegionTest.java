package io.cmkaudit.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The region {@code merge-findings --security-hub} files and imports findings in: {@code --region}; else the SDK's
 * region (AWS_REGION on ECS) when it is in the caller's partition; else the first scanned region. A Security Hub
 * finding's ProductArn must be of the region the call goes to
 * (https://docs.aws.amazon.com/securityhub/latest/userguide/securityhub-findings-format-syntax.html).
 */
class MergeFindingsRegionTest {

    String saved;

    @BeforeEach
    void sdkRegion() {
        saved = System.getProperty("aws.region");
        // the SDK's region chain reads the system property before the environment
        System.setProperty("aws.region", "eu-central-1");
    }

    @AfterEach
    void restore() {
        if (saved == null) {
            System.clearProperty("aws.region");
        } else {
            System.setProperty("aws.region", saved);
        }
    }

    @Test
    void theOptionWinsAndMustBeARegionName() {
        assertThat(MergeFindingsCommand.homeRegion("us-gov-west-1", "aws-us-gov", List.of("us-gov-east-1")))
                .isEqualTo("us-gov-west-1");
        assertThatThrownBy(() -> MergeFindingsCommand.homeRegion("US-EAST-1", "aws", List.of()))
                .isInstanceOf(UsageException.class).hasMessage("--region: not a region name: `US-EAST-1`");
    }

    @Test
    void theSdkRegionWhenItIsInTheCallersPartition() {
        assertThat(MergeFindingsCommand.homeRegion(null, "aws", List.of("us-east-1"))).isEqualTo("eu-central-1");
        assertThat(MergeFindingsCommand.homeRegion(null, null, List.of("us-east-1"))).isEqualTo("eu-central-1");
    }

    @Test
    void elseTheFirstScannedRegionOfThePartition() {
        assertThat(MergeFindingsCommand.homeRegion(null, "aws-cn", List.of("cn-northwest-1", "cn-north-1")))
                .isEqualTo("cn-northwest-1");
        assertThat(MergeFindingsCommand.homeRegion(null, "aws-us-gov", List.of())).isEqualTo("us-gov-west-1");
    }
}
