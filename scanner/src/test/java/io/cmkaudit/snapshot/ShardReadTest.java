package io.cmkaudit.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * What {@link SnapshotJson#readShard} keeps of the accounts outside a shard (the sharded report, issue 11): every
 * volume on a key of the shard's accounts with its instance, one volume per other key (it keeps the key in scope),
 * no IAM. On the embedded sample, shard = the security account 313216443421, whose key
 * {@code 8266d1b7-...} encrypts a volume of prod-app; prod-app's own key {@code da49c8f3-...} encrypts two volumes of
 * one instance. Whether the reduced read still decides the same findings is {@code ShardedReportJoinTest}'s.
 */
class ShardReadTest {

    static final String SECURITY = "313216443421";
    static final String PROD_APP = "571230300810";

    @Test
    void accountsOutsideTheShardKeepTheVolumesOnTheShardsKeysAndOneVolumePerOtherKey() throws Exception {
        byte[] sample = Files.readAllBytes(Path.of("..", "samples", "sample-org.snapshot.json"));
        Snapshot full = SnapshotJson.read(new ByteArrayInputStream(sample), "sample");
        Snapshot shard = SnapshotJson.readShard(new ByteArrayInputStream(sample), "sample", SECURITY::equals);

        List<EbsVolume> prodApp = volumes(shard, PROD_APP);
        // the volume on the security account's key is kept, with its instance (the key's findings list it)
        assertThat(prodApp).extracting(EbsVolume::volumeId).contains("vol-379154cc7f2e14f69");
        assertThat(instances(shard, PROD_APP)).contains("i-29768957de82539b0");
        // prod-app's own key encrypts two volumes: one is enough to keep the key in scope
        assertThat(prodApp).filteredOn(v -> v.kmsKeyArn().endsWith("key/da49c8f3-be18-478e-8026-c4a217a9747c"))
                .hasSize(1);
        assertThat(volumes(full, PROD_APP)).filteredOn(v -> v.kmsKeyArn() != null
                && v.kmsKeyArn().endsWith("key/da49c8f3-be18-478e-8026-c4a217a9747c")).hasSize(2);
        // unencrypted volumes and the IAM of other accounts are not read
        assertThat(prodApp).allMatch(EbsVolume::encrypted);
        assertThat(shard.accounts().stream().filter(a -> a.accountId().equals(PROD_APP)).findFirst().orElseThrow()
                .iam().users()).isEmpty();
        // every key an attached volume of any account uses is still used by one (keys in scope are the same)
        assertThat(keysInUse(shard)).isEqualTo(keysInUse(full)).isNotEmpty();
        // the shard's own account is read in full
        assertThat(volumes(shard, SECURITY)).isEqualTo(volumes(full, SECURITY));
    }

    static List<EbsVolume> volumes(Snapshot s, String account) {
        return s.accounts().stream().filter(a -> a.accountId().equals(account))
                .flatMap(a -> a.regions().stream()).flatMap(r -> r.volumes().stream()).toList();
    }

    static List<String> instances(Snapshot s, String account) {
        return s.accounts().stream().filter(a -> a.accountId().equals(account))
                .flatMap(a -> a.regions().stream()).flatMap(r -> r.instances().stream())
                .map(Ec2Instance::instanceId).toList();
    }

    static Set<String> keysInUse(Snapshot s) {
        Set<String> keys = new TreeSet<>();
        for (AccountSnapshot a : s.accounts()) {
            for (RegionSnapshot r : a.regions()) {
                Set<String> present = new TreeSet<>();
                r.instances().forEach(i -> present.add(i.instanceId()));
                for (EbsVolume v : r.volumes()) {
                    if (v.encrypted() && v.kmsKeyArn() != null
                            && v.attachments().stream().anyMatch(x -> present.contains(x.instanceId()))) {
                        keys.add(v.kmsKeyArn());
                    }
                }
            }
        }
        return keys;
    }
}
