package io.cmkaudit.shard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cmkaudit.snapshot.AccountSnapshot;
import io.cmkaudit.snapshot.Coverage;
import io.cmkaudit.snapshot.CoverageStatus;
import io.cmkaudit.snapshot.EbsSnapshot;
import io.cmkaudit.snapshot.IamSnapshot;
import io.cmkaudit.snapshot.KmsKey;
import io.cmkaudit.snapshot.LaunchSources;
import io.cmkaudit.snapshot.LaunchTemplateVersion;
import io.cmkaudit.snapshot.OrgAccount;
import io.cmkaudit.snapshot.Organization;
import io.cmkaudit.snapshot.ReadError;
import io.cmkaudit.snapshot.RegionSnapshot;
import io.cmkaudit.snapshot.RunMetadata;
import io.cmkaudit.snapshot.Snapshot;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** Plans (shard assignment, JSON) and merging partial snapshots, without AWS. */
class PlanAndMergeTest {

    static final String A = "111111111111";
    static final String B = "222222222222";
    static final String C = "333333333333";
    static final String S = "444444444444";
    static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

    static Organization org() {
        return new Organization("o-abc", A, "r-1", List.of(Organization.SCP), List.of(),
                List.of(new OrgAccount(A, "a", null, "ACTIVE", "r-1", "Root"),
                        new OrgAccount(B, "b", null, "ACTIVE", "r-1", "Root"),
                        new OrgAccount(C, "c", null, "ACTIVE", "r-1", "Root"),
                        new OrgAccount(S, "s", null, "SUSPENDED", "r-1", "Root")), List.of(), List.of(), null);
    }

    static Plan plan(List<String> accounts) {
        return new Plan(Plan.PLAN_VERSION, "test", T0, T0.plusSeconds(2), A, "arn:aws:iam::" + A + ":root", org(),
                accounts, List.of(new AccountSnapshot(S, "s", List.of(new Coverage(Coverage.GLOBAL,
                        CoverageStatus.SUSPENDED, null, "account status is SUSPENDED")), null, List.of())),
                Map.of("Organizations.ListRoots", 1L), 1, Map.of());
    }

    static KmsKey key(String owner, String id, ReadError error) {
        return new KmsKey("arn:aws:kms:eu-west-1:" + owner + ":key/" + id, id, owner, "eu-west-1", "CUSTOMER",
                "Enabled", "AWS_KMS", false, error == null ? "{}" : null, List.of(), List.of(), Map.of(), error);
    }

    static AccountSnapshot scanned(String id, List<KmsKey> keys) {
        return new AccountSnapshot(id, null, List.of(Coverage.scanned(Coverage.GLOBAL), Coverage.scanned("eu-west-1")),
                IamSnapshot.EMPTY, List.of(new RegionSnapshot("eu-west-1", false, null, null, List.of(), List.of(), keys)));
    }

    static AccountSnapshot keyOnly(String id, List<KmsKey> keys) {
        return new AccountSnapshot(id, null, List.of(new Coverage(Coverage.GLOBAL, CoverageStatus.SKIPPED,
                SnapshotMerger.OTHER_SHARD, "other shard")), IamSnapshot.EMPTY,
                List.of(new RegionSnapshot("eu-west-1", null, null, null, List.of(), List.of(), keys)));
    }

    static Snapshot part(Instant start, long calls, AccountSnapshot... accounts) {
        return new Snapshot(new RunMetadata(start, start.plusSeconds(5), "test", A, "arn", "Audit", null,
                List.of("eu-west-1"), Map.of("KMS.DescribeKey", calls)), org(), List.of(accounts), Map.of());
    }

    @Property(tries = 200)
    void everyAccountIsInExactlyOneShardAndShardsDifferByAtMostOne(@ForAll @IntRange(min = 0, max = 60) int accounts,
                                                                    @ForAll @IntRange(min = 1, max = 12) int shards) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < accounts; i++) {
            ids.add(String.format("%012d", 100_000_000_000L + i * 7919L));
        }
        Plan plan = plan(ids);
        Set<String> seen = new HashSet<>();
        int min = Integer.MAX_VALUE;
        int max = 0;
        for (int i = 1; i <= shards; i++) {
            List<String> part = plan.shard(i, shards);
            assertThat(part).isSorted().isEqualTo(plan(ids).shard(i, shards));
            part.forEach(id -> assertThat(seen.add(id)).as(id + " in two shards").isTrue());
            min = Math.min(min, part.size());
            max = Math.max(max, part.size());
        }
        assertThat(seen).containsExactlyInAnyOrderElementsOf(ids);
        assertThat(max - min).isLessThanOrEqualTo(1);
    }

    @Test
    void shardSyntaxIsChecked() {
        assertThat(Plan.parseShard("3/10")).containsExactly(3, 10);
        for (String bad : new String[] {"0/3", "4/3", "3", "a/b", "-1/2", "1/0", ""}) {
            assertThatThrownBy(() -> Plan.parseShard(bad)).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> plan(List.of(A)).shard(2, 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void planJsonRoundTripsAndRejectsWhatIsNotAPlan() {
        Plan p = plan(List.of(A, B, C));
        Plan back = PlanJson.read(PlanJson.toBytes(p), "plan.json");
        assertThat(back).isEqualTo(p);
        assertThat(new String(PlanJson.accountsToBytes(p), StandardCharsets.UTF_8))
                .isEqualTo("[\"" + A + "\",\"" + B + "\",\"" + C + "\"]");
        assertThatThrownBy(() -> PlanJson.read("{\"schemaVersion\":1}".getBytes(StandardCharsets.UTF_8), "x.json"))
                .isInstanceOf(PlanFormatException.class).hasMessageContaining("x.json: not a plan")
                .hasMessageContaining("looks like a snapshot");
        String twice = new String(PlanJson.toBytes(plan(List.of(A, A))), StandardCharsets.UTF_8);
        assertThatThrownBy(() -> PlanJson.read(twice.getBytes(StandardCharsets.UTF_8), "p.json"))
                .isInstanceOf(PlanFormatException.class).hasMessageContaining("listed twice");
        String v2 = new String(PlanJson.toBytes(p), StandardCharsets.UTF_8).replace("\"planVersion\" : 1", "\"planVersion\" : 2");
        assertThatThrownBy(() -> PlanJson.read(v2.getBytes(StandardCharsets.UTF_8), "p.json"))
                .isInstanceOf(PlanFormatException.class).hasMessageContaining("unsupported planVersion 2");
        assertThatThrownBy(() -> PlanJson.read("{\"planVersion\":1".getBytes(StandardCharsets.UTF_8), "p.json"))
                .isInstanceOf(PlanFormatException.class).hasMessageContaining("not valid JSON");
    }

    @Test
    void keysReadByOtherShardsFoldIntoTheOwnersSectionAndTheRunSpansEveryPart() {
        KmsKey bOwn = key(B, "k1", null);
        KmsKey bOther = key(B, "k2", null);
        KmsKey cFailed = key(C, "k3", new ReadError("KMS.DescribeKey", "AccessDenied", "denied"));
        KmsKey cGood = key(C, "k3", null);
        KmsKey outside = key("999999999999", "k9", new ReadError("none", "OutsideOrganization", "outside"));
        Snapshot p1 = part(T0.plusSeconds(3), 4, scanned(A, List.of()), keyOnly(B, List.of(bOther)),
                keyOnly(C, List.of(cFailed)), new AccountSnapshot("999999999999", null, List.of(new Coverage(
                        Coverage.GLOBAL, CoverageStatus.SKIPPED, "OutsideOrganization", "not in org")), null,
                        List.of(new RegionSnapshot("eu-west-1", null, null, null, List.of(), List.of(), List.of(outside)))));
        Snapshot p2 = part(T0.plusSeconds(1), 6, scanned(B, List.of(bOwn)), scanned(C, List.of(cGood)));

        SnapshotMerger.Result r = SnapshotMerger.merge(plan(List.of(A, B, C)),
                List.of(new SnapshotMerger.Part("p1", p1), new SnapshotMerger.Part("p2", p2)));

        assertThat(r.problems()).isEmpty();
        Snapshot m = r.snapshot();
        assertThat(m.accounts()).extracting(AccountSnapshot::accountId).containsExactly(A, B, C, S, "999999999999");
        assertThat(m.account(B).orElseThrow().regions().get(0).kmsKeys()).containsExactly(bOwn, bOther);
        assertThat(m.account(B).orElseThrow().fullyScanned()).isTrue();
        assertThat(m.account(C).orElseThrow().regions().get(0).kmsKeys()).as("the key read without error wins")
                .containsExactly(cGood);
        assertThat(m.account(C).orElseThrow().fullyScanned()).isTrue();
        assertThat(m.account(S).orElseThrow().coverage().get(0).status()).isEqualTo(CoverageStatus.SUSPENDED);
        assertThat(m.account("999999999999").orElseThrow().regions().get(0).kmsKeys()).containsExactly(outside);
        assertThat(m.run().startedAt()).isEqualTo(T0);
        assertThat(m.run().finishedAt()).isEqualTo(T0.plusSeconds(8));
        assertThat(m.run().apiCalls()).containsEntry("KMS.DescribeKey", 10L).containsEntry("Organizations.ListRoots", 1L);
        assertThat(m.run().callerAccountId()).isEqualTo(A);
        assertThat(m.organization()).isEqualTo(org());
    }

    @Test
    void aKeyOnlyReadWithAnErrorMakesTheOwnersRegionPartial() {
        KmsKey failed = key(C, "k3", new ReadError("KMS.GetKeyPolicy", "AccessDenied", "denied"));
        Snapshot p1 = part(T0, 1, scanned(A, List.of()), keyOnly(C, List.of(failed)));
        Snapshot p2 = part(T0, 1, scanned(B, List.of()), scanned(C, List.of()));
        Snapshot m = SnapshotMerger.merge(plan(List.of(A, B, C)),
                List.of(new SnapshotMerger.Part("p1", p1), new SnapshotMerger.Part("p2", p2))).snapshot();
        Coverage eu = m.account(C).orElseThrow().coverage("eu-west-1").orElseThrow();
        assertThat(eu.status()).isEqualTo(CoverageStatus.PARTIAL);
        assertThat(eu.errorMessage()).contains("denied", failed.arn());
    }

    @Test
    void foldingKeysKeepsTheOwnersLaunchSourcesAndJoinsEbsSnapshotsById() {
        KmsKey cKey = key(C, "k3", null);
        EbsSnapshot own = new EbsSnapshot("snap-1", C, "eu-west-1", true, cKey.arn(), cKey.arn(), null);
        EbsSnapshot fromB = new EbsSnapshot("snap-2", C, "eu-west-1", true, cKey.arn(), cKey.arn(), null);
        EbsSnapshot ownFailed = new EbsSnapshot("snap-3", C, "eu-west-1", null, null, null,
                new ReadError("EC2.DescribeSnapshots", "AccessDenied", "denied"));
        EbsSnapshot readByB = new EbsSnapshot("snap-3", C, "eu-west-1", true, cKey.arn(), cKey.arn(), null);
        EbsSnapshot usEast = new EbsSnapshot("snap-4", C, "us-east-1", false, null, null, null);
        LaunchSources launch = new LaunchSources(null, null, null, List.of(new LaunchTemplateVersion("lt-1", "web", 1,
                true, true, "ami-1", null, List.of())), null, null, null, null);
        AccountSnapshot c = new AccountSnapshot(C, null, List.of(Coverage.scanned(Coverage.GLOBAL),
                Coverage.scanned("eu-west-1")), IamSnapshot.EMPTY, List.of(new RegionSnapshot("eu-west-1", true, null,
                null, List.of(), List.of(), List.of(cKey), List.of(own, ownFailed), launch)));
        AccountSnapshot cKeys = new AccountSnapshot(C, null, List.of(new Coverage(Coverage.GLOBAL,
                CoverageStatus.SKIPPED, SnapshotMerger.OTHER_SHARD, "other shard")), IamSnapshot.EMPTY, List.of(
                new RegionSnapshot("eu-west-1", null, null, null, List.of(), List.of(), List.of(cKey),
                        List.of(fromB, readByB), null),
                new RegionSnapshot("us-east-1", null, null, null, List.of(), List.of(), List.of(), List.of(usEast),
                        null)));
        Snapshot p1 = part(T0, 1, scanned(A, List.of()), scanned(B, List.of()), cKeys);
        Snapshot p2 = part(T0, 1, c);

        AccountSnapshot m = SnapshotMerger.merge(plan(List.of(A, B, C)), List.of(new SnapshotMerger.Part("p1", p1),
                new SnapshotMerger.Part("p2", p2))).snapshot().account(C).orElseThrow();

        RegionSnapshot eu = m.region("eu-west-1").orElseThrow();
        assertThat(eu.launch()).isEqualTo(launch);
        assertThat(eu.ebsEncryptionByDefault()).isTrue();
        assertThat(eu.kmsKeys()).containsExactly(cKey);
        assertThat(eu.ebsSnapshots()).as("joined by id; the one read without error wins")
                .containsExactly(own, fromB, readByB);
        assertThat(m.region("us-east-1").orElseThrow().ebsSnapshots()).containsExactly(usEast);
    }

    @Test
    void missingAndDuplicatedAccountsAreErrorRowsAndProblems() {
        Snapshot p1 = part(T0, 1, scanned(A, List.of()), scanned(B, List.of()));
        Snapshot p2 = part(T0, 1, scanned(B, List.of()));
        SnapshotMerger.Result r = SnapshotMerger.merge(plan(List.of(A, B, C)),
                List.of(new SnapshotMerger.Part("p1.json", p1), new SnapshotMerger.Part("p2.json", p2)));
        assertThat(r.problems()).hasSize(2);
        assertThat(r.problems().get(0)).contains(B, "p1.json, p2.json");
        assertThat(r.problems().get(1)).contains(C, "none of the 2 partial snapshots");
        Coverage b = r.snapshot().account(B).orElseThrow().coverage(Coverage.GLOBAL).orElseThrow();
        assertThat(b.status()).isEqualTo(CoverageStatus.ERROR);
        assertThat(b.errorCode()).isEqualTo(SnapshotMerger.DUPLICATE_ACCOUNT);
        assertThat(r.snapshot().account(B).orElseThrow().coverage("eu-west-1")).isPresent();
        Coverage c = r.snapshot().account(C).orElseThrow().coverage(Coverage.GLOBAL).orElseThrow();
        assertThat(c.status()).isEqualTo(CoverageStatus.ERROR);
        assertThat(c.errorCode()).isEqualTo(SnapshotMerger.NOT_COLLECTED);
    }

    @Test
    void partsOfAnotherOrganizationAreRefused() {
        Organization other = new Organization("o-other", A, "r-1", List.of(), List.of(), List.of(), List.of(),
                List.of(), null);
        Snapshot p = new Snapshot(part(T0, 1).run(), other, List.of(), Map.of());
        assertThatThrownBy(() -> SnapshotMerger.merge(plan(List.of(A)), List.of(new SnapshotMerger.Part("x.json", p))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("x.json: collected from organization o-other");
        assertThatThrownBy(() -> SnapshotMerger.merge(plan(List.of(A)), List.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
