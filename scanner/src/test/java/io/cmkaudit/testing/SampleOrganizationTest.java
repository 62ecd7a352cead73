package io.cmkaudit.testing;

import io.cmkaudit.snapshot.SnapshotJson;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The sample organization: the generator still produces what {@code samples/README.md} describes, and the committed
 * {@code samples/sample-org.snapshot.json} still holds it (and is readable by this version).
 */
@ExtendWith(MotoServerExtension.class)
class SampleOrganizationTest {

    @Test
    void generatorSeedsAndCollectsEveryDescribedCase(MotoServer moto) {
        SampleChecks.check(GenerateSample.collect(moto));
    }

    @Test
    void committedSampleHoldsEveryDescribedCase() {
        SampleChecks.check(SnapshotJson.read(Path.of("..", "samples", "sample-org.snapshot.json")));
    }
}
