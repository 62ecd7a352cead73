package io.cmkaudit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.cmkaudit.collect.CollectException;
import org.junit.jupiter.api.Test;

/** A transient collection failure, however wrapped, is exit 75 (EX_TEMPFAIL), not 64. */
class TemporaryFailureExitTest {

    @Test
    void aTransientCollectExceptionIsFoundThroughWrappers() {
        CollectException throttled = new CollectException("AWS STS is throttling", null, true);
        assertThat(Main.transientCause(new UsageException(throttled.getMessage(), throttled))).isSameAs(throttled);
        assertThat(Main.transientCause(new UsageException("bad credentials",
                new CollectException("cannot use the scanner's own AWS credentials", null)))).isNull();
        assertThat(ExitCodes.TEMPORARY_FAILURE).isEqualTo(75);
    }
}
