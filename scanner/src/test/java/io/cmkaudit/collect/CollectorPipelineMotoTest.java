package io.cmkaudit.collect;

import static org.assertj.core.api.Assertions.assertThat;

import io.cmkaudit.config.ScannerConfig;
import io.cmkaudit.snapshot.AccountSnapshot;
import io.cmkaudit.snapshot.KmsKey;
import io.cmkaudit.snapshot.Snapshot;
import io.cmkaudit.testing.AwsProxy;
import io.cmkaudit.testing.MotoServer;
import io.cmkaudit.testing.MotoServerExtension;
import io.cmkaudit.testing.OrgSeeder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The collector is a pipeline without phase barriers (moto_server through the test proxy, which records the order of
 * the requests and slows the Organizations tree calls down, as the 5 req/s quota does on AWS): an account is scanned
 * while the organization is still being walked, and its KMS keys are read right after its own scan, before the next
 * account's, with one account at a time (the management account is left out, so the one account slot is free when the
 * first member is listed). Each key and each account region's aliases are still read once.
 */
@ExtendWith(MotoServerExtension.class)
class CollectorPipelineMotoTest {

    static final String EU = "eu-west-1";

    @Test
    void accountsAreScannedWhileTheWalkGoesOnAndTheirKeysRightAfterEach(MotoServer moto) throws Exception {
        try (OrgSeeder org = new OrgSeeder(moto.endpoint()).organization()) {
            List<String> accounts = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                String ou = org.ouUnder(org.rootId(), "Unit-" + i);
                OrgSeeder.Account a = org.bareAccount("member-" + i, ou);
                OrgSeeder.Key key = a.key(EU, "data of member-" + i);
                a.instance(EU).tag("Name", "app-" + i).volume("/dev/xvda", key.arn()).launch();
                accounts.add(a.id());
            }
            List<String> order = Collections.synchronizedList(new ArrayList<>());
            try (AwsProxy proxy = AwsProxy.start(moto.endpoint(), Duration.ZERO, r -> {
                String t = r.target() == null ? "" : r.target();
                if (t.endsWith(".ListAccountsForParent") || t.endsWith(".ListOrganizationalUnitsForParent")) {
                    order.add(t.substring(t.indexOf('.') + 1));
                    try {
                        Thread.sleep(300); // slower than the tree row's 5 requests per second
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                } else if (t.endsWith(".DescribeKey")) {
                    order.add("DescribeKey");
                } else if (r.isAction("AssumeRole")) {
                    order.add("AssumeRole");
                }
                return false;
            })) {
                ScannerConfig config = new ScannerConfig("OrganizationAccountAccessRole", null, "cmk-audit",
                        List.of(EU), List.of(), List.of(OrgSeeder.MANAGEMENT_ACCOUNT_ID), 1, "HIGH", Path.of("out"), proxy.endpoint(), 60, false);
                Snapshot s = new Collector(config, new CollectorOptions("test", false,
                        OrgSeeder.MANAGEMENT_CREDENTIALS)).collect(ProgressListener.NONE);

                assertThat(s.organization().readable()).isTrue();
                for (String id : accounts) {
                    AccountSnapshot a = s.account(id).orElseThrow();
                    assertThat(a.fullyScanned()).as(id).isTrue();
                    List<KmsKey> keys = a.region(EU).orElseThrow().kmsKeys();
                    assertThat(keys).as(id).hasSize(1);
                    assertThat(keys.get(0).keyPolicy()).as(id).isNotBlank();
                }
                // each key and each account region's aliases once, although keys are read account by account
                Map<String, Long> calls = s.run().apiCalls();
                assertThat(calls.get("KMS.DescribeKey")).isEqualTo(4L);
                assertThat(calls.get("KMS.ListAliases")).isEqualTo(4L);

                List<String> seen = List.copyOf(order);
                int firstAssume = seen.indexOf("AssumeRole");
                int lastTreeCall = Math.max(seen.lastIndexOf("ListAccountsForParent"),
                        seen.lastIndexOf("ListOrganizationalUnitsForParent"));
                assertThat(firstAssume).as("an account is scanned before the walk ends: %s", seen)
                        .isGreaterThanOrEqualTo(0).isLessThan(lastTreeCall);
                int firstKey = seen.indexOf("DescribeKey");
                int lastAssume = seen.lastIndexOf("AssumeRole");
                assertThat(firstKey).as("a key is read before the last account is started (no KMS phase): %s", seen)
                        .isGreaterThanOrEqualTo(0).isLessThan(lastAssume);
            }
        }
    }
}
