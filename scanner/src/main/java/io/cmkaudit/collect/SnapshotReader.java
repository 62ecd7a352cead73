package io.cmkaudit.collect;

import io.cmkaudit.snapshot.EbsSnapshot;
import io.cmkaudit.snapshot.ReadError;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.DescribeSnapshotsResponse;
import software.amazon.awssdk.services.ec2.model.Filter;

/**
 * Reads, in the account that owns them, the EBS snapshots of AMIs shared with a launching account: sharing an AMI
 * does not share its snapshots, so only the owner sees their {@code KmsKeyId}
 * (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/sharingamis-explicit.html). One {@code ec2:DescribeSnapshots}
 * per owner region ({@code OwnerIds} the owner, a {@code snapshot-id} filter of up to 200 ids) with the owner's
 * session. An owner outside the organization, suspended, or whose role can't be assumed gets records with a
 * {@code readError} and no call. Never throws.
 */
final class SnapshotReader {

    /**
     * What was read for one owner.
     *
     * @param snapshots     every requested snapshot (read, or with a read error), sorted by region then id
     * @param regionFailure region → the failed call, for the owner's coverage
     */
    record OwnerResult(List<EbsSnapshot> snapshots, Map<String, AwsFailure> regionFailure) {
    }

    private final AwsClients clients;
    private final Sessions sessions;
    private final KeyReader.Gate gate;

    SnapshotReader(AwsClients clients, Sessions sessions, KeyReader.Gate gate) {
        this.clients = clients;
        this.sessions = sessions;
        this.gate = gate;
    }

    /**
     * @param ownerAccountId the owner
     * @param idsByRegion    region → snapshot ids to read there
     * @return the snapshots
     */
    OwnerResult read(String ownerAccountId, Map<String, Set<String>> idsByRegion) {
        List<EbsSnapshot> out = new ArrayList<>();
        Map<String, AwsFailure> failures = new TreeMap<>();
        ReadError blocked = gate.blocked(ownerAccountId);
        Sessions.Session session = null;
        if (blocked == null) {
            session = sessions.session(ownerAccountId);
            if (!session.ok()) {
                AwsFailure f = session.failure();
                blocked = new ReadError(f.operation(), f.code(), f.message());
            }
        }
        for (Map.Entry<String, Set<String>> e : new TreeMap<>(idsByRegion).entrySet()) {
            String region = e.getKey();
            if (blocked != null) {
                for (String id : new TreeSet<>(e.getValue())) {
                    out.add(new EbsSnapshot(id, ownerAccountId, region, null, null, null, blocked));
                }
                continue;
            }
            Map<String, EbsSnapshot> found = new HashMap<>();
            ReadError error = null;
            try (Ec2Client ec2 = clients.ec2(session.credentials(), ownerAccountId, region)) {
                for (List<String> chunk : LaunchReader.chunks(e.getValue())) {
                    for (DescribeSnapshotsResponse page : ec2.describeSnapshotsPaginator(r -> r.ownerIds(ownerAccountId)
                            .filters(Filter.builder().name("snapshot-id").values(chunk).build()))) {
                        for (var s : page.snapshots()) {
                            found.put(s.snapshotId(), new EbsSnapshot(s.snapshotId(), ownerAccountId, region,
                                    s.encrypted(), Boolean.TRUE.equals(s.encrypted()) && s.kmsKeyId() != null
                                    && !s.kmsKeyId().isBlank() ? s.kmsKeyId() : null, null, null));
                        }
                    }
                }
            } catch (SdkException ex) {
                AwsFailure f = AwsFailure.of("EC2.DescribeSnapshots", ex);
                failures.put(region, f);
                error = new ReadError(f.operation(), f.code(), f.message());
            }
            for (String id : new TreeSet<>(e.getValue())) {
                EbsSnapshot s = found.get(id);
                if (s == null) {
                    s = new EbsSnapshot(id, ownerAccountId, region, null, null, null, error != null ? error
                            : new ReadError("EC2.DescribeSnapshots", "NotFound", "EC2.DescribeSnapshots: snapshot "
                            + id + " not found in account " + ownerAccountId + " " + region));
                }
                out.add(s);
            }
        }
        out.sort(Comparator.comparing(EbsSnapshot::region).thenComparing(EbsSnapshot::snapshotId));
        return new OwnerResult(out, failures);
    }
}
