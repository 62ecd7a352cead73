package io.cmkaudit.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cmkaudit.testing.SampleTree;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Issue 14 items 6–9 on the sample organization: wrong types are rejected instead of coerced, an account needs
 * its {@code global} coverage, dangling references are rejected or reported as coverage, and every message is one
 * line naming the place and what was expected.
 */
class StrictSnapshotTest {

    static Snapshot read(String text) {
        return SnapshotJson.read(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), "snap.json");
    }

    static Snapshot read(Consumer<ObjectNode> damage) {
        ObjectNode tree = SampleTree.load();
        damage.accept(tree);
        return read(SampleTree.text(tree));
    }

    static String rejection(Consumer<ObjectNode> damage) {
        Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> read(damage));
        assertThat(t).isInstanceOf(SnapshotFormatException.class);
        assertThat(t.getMessage()).doesNotContain("\n").startsWith("snap.json: ")
                .doesNotContain("io.cmkaudit").doesNotContain("Cannot construct");
        return t.getMessage();
    }

    /** Every volume of the sample, with its JSON path. */
    static List<ObjectNode> volumes(ObjectNode tree) {
        List<ObjectNode> out = new ArrayList<>();
        for (JsonNode a : tree.path("accounts")) {
            for (JsonNode r : a.path("regions")) {
                for (JsonNode v : r.path("volumes")) {
                    out.add((ObjectNode) v);
                }
            }
        }
        return out;
    }

    /**
     * @return {@code at} as a rejection names it: a path inside {@code accounts[N]} is followed by that account's id,
     *         {@code accounts[1].iam.roles (account 123456789012)}
     */
    static String where(ObjectNode tree, String at) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^accounts\\[(\\d+)]\\.").matcher(at);
        return m.find() ? at + " (account " + tree.path("accounts").path(Integer.parseInt(m.group(1)))
                .path("accountId").asText() + ")" : at;
    }

    static String firstVolumePath(ObjectNode tree) {
        ArrayNode accounts = (ArrayNode) tree.path("accounts");
        for (int i = 0; i < accounts.size(); i++) {
            ArrayNode regions = (ArrayNode) accounts.get(i).path("regions");
            for (int j = 0; j < regions.size(); j++) {
                if (!regions.get(j).path("volumes").isEmpty()) {
                    return "accounts[" + i + "].regions[" + j + "].volumes[0]";
                }
            }
        }
        throw new IllegalStateException("the sample has volumes");
    }

    @Test
    void aNumberWhereABooleanBelongsIsRejectedNotCoerced() {
        ObjectNode tree = SampleTree.load();
        String at = firstVolumePath(tree);
        assertThat(rejection(t -> volumes(t).forEach(v -> v.put("encrypted", 0))))
                .startsWith("snap.json: " + where(tree, at + ".encrypted") + ": expected true or false, got 0")
                .contains("more problems in the snapshot");
    }

    @Test
    void aNullListIsRejectedNotReadAsEmpty() {
        assertThat(rejection(t -> ((ObjectNode) t.path("accounts").get(1).path("iam")).putNull("roles")))
                .isEqualTo("snap.json: " + where(SampleTree.load(), "accounts[1].iam.roles")
                        + ": expected a list, got null");
    }

    @Test
    void numbersAndBooleansWhereStringsBelongAreRejected() {
        assertThat(rejection(t -> volumes(t).get(0).put("kmsKeyArn", 5)))
                .endsWith(where(SampleTree.load(), firstVolumePath(SampleTree.load()) + ".kmsKeyArn")
                        + ": expected a string, got 5");
        assertThat(rejection(t -> volumes(t).get(0).put("state", 5)))
                .endsWith(where(SampleTree.load(), firstVolumePath(SampleTree.load()) + ".state") + ": expected one of creating, available, in-use, deleting, deleted, error (or null), "
                        + "got 5");
        assertThat(rejection(t -> ((ObjectNode) t.path("organization")).put("id", true)))
                .isEqualTo("snap.json: organization.id: expected a string, got true");
        assertThat(rejection(t -> ((ObjectNode) t.path("accounts").get(0).path("coverage").get(0))
                .put("status", "scanned")))
                .isEqualTo("snap.json: " + where(SampleTree.load(), "accounts[0].coverage[0].status")
                        + ": expected one of SCANNED, ASSUME_ROLE_DENIED, "
                        + "PARTIAL, SUSPENDED, SKIPPED, ERROR, got \"scanned\" (did you mean `SCANNED`?)");
        assertThat(rejection(t -> ((ObjectNode) t.path("run").path("apiCalls")).putNull("KMS.DescribeKey")))
                .isEqualTo("snap.json: run.apiCalls[\"KMS.DescribeKey\"]: expected a whole number of calls, 0 or more, "
                        + "got null");
        assertThat(rejection(t -> ((ObjectNode) t.path("run").path("apiCalls")).put("KMS.DescribeKey", "")))
                .endsWith("expected a whole number of calls, 0 or more, got \"\"");
        assertThat(rejection(t -> ((ObjectNode) t.path("run")).put("startedAt", "yesterday")))
                .isEqualTo("snap.json: run.startedAt: expected an ISO-8601 time such as 2026-03-01T10:00:42.500Z, "
                        + "got \"yesterday\"");
    }

    /** The path of the first element of {@code list} in any region of the sample. */
    static String firstInRegion(ObjectNode tree, String list) {
        ArrayNode accounts = (ArrayNode) tree.path("accounts");
        for (int i = 0; i < accounts.size(); i++) {
            ArrayNode regions = (ArrayNode) accounts.get(i).path("regions");
            for (int j = 0; j < regions.size(); j++) {
                if (!regions.get(j).path(list).isEmpty()) {
                    return "accounts[" + i + "].regions[" + j + "]." + list + "[0]";
                }
            }
        }
        throw new IllegalStateException("the sample has " + list);
    }

    static void eachInRegion(ObjectNode tree, String list, Consumer<ObjectNode> change) {
        for (JsonNode a : tree.path("accounts")) {
            for (JsonNode r : a.path("regions")) {
                r.path(list).forEach(n -> change.accept((ObjectNode) n));
            }
        }
    }

    /**
     * KMS key states are case-sensitive names (KeyState of
     * https://docs.aws.amazon.com/kms/latest/APIReference/API_KeyMetadata.html): {@code enabled} is rejected with a
     * hint, not read as an unusable key (which made every key START_BLOCKED_KEY_UNUSABLE).
     */
    @Test
    void aKeyStateOutsideKmsKeyStatesIsRejectedWithAHint() {
        ObjectNode tree = SampleTree.load();
        String at = firstInRegion(tree, "kmsKeys");
        assertThat(rejection(t -> eachInRegion(t, "kmsKeys", k -> k.put("keyState", "enabled"))))
                .startsWith("snap.json: " + where(tree, at + ".keyState") + ": expected one of Creating, Enabled, Disabled, "
                        + "PendingDeletion, PendingImport, PendingReplicaDeletion, Unavailable, Updating (or null), "
                        + "got \"enabled\" (did you mean `Enabled`?)");
        assertThat(rejection(t -> eachInRegion(t, "kmsKeys", k -> k.put("keyState", 1))))
                .startsWith("snap.json: " + where(tree, at + ".keyState") + ": expected one of Creating, Enabled");
        assertThat(rejection(t -> eachInRegion(t, "kmsKeys", k -> k.put("keyManager", "Customer"))))
                .startsWith("snap.json: " + where(tree, at + ".keyManager") + ": expected one of AWS, CUSTOMER (or null), got "
                        + "\"Customer\" (did you mean `CUSTOMER`?)");
    }

    /** EC2 instance state names (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_InstanceState.html). */
    @Test
    void anInstanceStateOutsideEc2StateNamesIsRejected() {
        ObjectNode tree = SampleTree.load();
        String at = firstInRegion(tree, "instances");
        assertThat(rejection(t -> eachInRegion(t, "instances", i -> i.put("state", "exploded"))))
                .startsWith("snap.json: " + where(tree, at + ".state") + ": expected one of pending, running, shutting-down, "
                        + "terminated, stopping, stopped, unknown, got \"exploded\"")
                .doesNotContain("did you mean");
        assertThat(rejection(t -> eachInRegion(t, "instances", i -> i.put("state", "Shutting_Down"))))
                .contains("(did you mean `shutting-down`?)");
        String vol = firstVolumePath(SampleTree.load());
        assertThat(rejection(t -> volumes(t).forEach(v -> v.put("state", "inuse"))))
                .startsWith("snap.json: " + where(tree, vol + ".state") + ": expected one of creating, available, in-use, deleting, "
                        + "deleted, error (or null), got \"inuse\" (did you mean `in-use`?)");
        assertThat(rejection(t -> ((ObjectNode) t.path("organization").path("accounts").get(0))
                .put("status", "Active"))).contains("organization.accounts[0].status: expected one of "
                        + "PENDING_ACTIVATION, ACTIVE, SUSPENDED, PENDING_CLOSURE, CLOSED, got \"Active\" (did you "
                        + "mean `ACTIVE`?)");
    }

    /** What a rejection says a region name must look like. */
    static final String REGION_SHAPE = "expected an AWS region name: lower case letters, hyphens and a final number, "
            + "e.g. `eu-west-1`, `us-gov-west-1`, `cn-north-1`, got ";

    /**
     * Region names have the shape of AWS's region names (newcomer review item 14): a blank, capitals, a name without
     * its number or with underscores is rejected with one line naming the file, the field's path and the account,
     * instead of being read as a region no key or volume of the organization is in.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"us-east-1 ", " us-east-1", "US-EAST-1", "nowhere", "",
            "eu-west", "eu_west_1", "eu-west-1\n", "eu-west-1a", "eu--west-1", "global"})
    void aMalformedRegionNameIsRejectedNamingTheFileTheAccountAndTheField(String bad) {
        ObjectNode tree = SampleTree.load();
        String shown = com.fasterxml.jackson.databind.node.TextNode.valueOf(bad).toString();
        String region = firstInRegion(tree, "kmsKeys").replaceAll("\\.kmsKeys\\[0]$", "");
        String pointer = "/" + region.replace("[", "/").replace("]", "").replace(".", "/");
        assertThat(rejection(t -> ((ObjectNode) t.at(pointer)).put("region", bad)))
                .isEqualTo("snap.json: " + where(tree, region + ".region") + ": " + REGION_SHAPE + shown);
        String key = firstInRegion(tree, "kmsKeys");
        assertThat(rejection(t -> eachInRegion(t, "kmsKeys", k -> k.put("region", bad))))
                .startsWith("snap.json: " + where(tree, key + ".region") + ": " + REGION_SHAPE + shown);
        assertThat(rejection(t -> ((ArrayNode) t.path("run").path("regions")).set(1, bad)))
                .isEqualTo("snap.json: run.regions[1]: " + REGION_SHAPE + shown);
        assertThat(rejection(t -> ((ObjectNode) t.path("identityCenter")).put("homeRegion", bad)))
                .isEqualTo("snap.json: identityCenter.homeRegion: " + REGION_SHAPE + shown);
        assertThat(rejection(t -> ((ArrayNode) t.at(pointer + "/ebsSnapshots")).addObject()
                .put("snapshotId", "snap-0123456789abcdef0").put("ownerId", "123456789012").put("region", bad)))
                .isEqualTo("snap.json: " + where(tree, region + ".ebsSnapshots[0].region") + ": " + REGION_SHAPE
                        + shown);
        if (!bad.equals("global")) {
            assertThat(rejection(t -> ((ObjectNode) t.path("accounts").get(1).path("coverage").get(1))
                    .put("region", bad)))
                    .isEqualTo("snap.json: " + where(tree, "accounts[1].coverage[1].region") + ": expected `global`, "
                            + "an AWS region name (lower case letters, hyphens and a final number, e.g. `eu-west-1`, "
                            + "`us-gov-west-1`, `cn-north-1`), or a region and the failed call "
                            + "(`us-east-1/EKS.ListClusters`), got " + shown);
        }
    }

    /**
     * The shape, not a list of today's regions: every partition's names (commercial, AWS GovCloud (US), China, the
     * ISO partitions, the AWS European Sovereign Cloud) and regions AWS has not opened yet are read; coverage entries
     * of a failed launch read name the region and the call.
     */
    @Test
    void regionNamesOfEveryPartitionAndOfFutureRegionsAreRead() {
        List<String> names = List.of("us-gov-west-1", "cn-northwest-1", "us-iso-east-1", "us-isob-east-1",
                "eu-isoe-west-1", "us-isof-south-1", "eusc-de-east-1", "ap-southeast-9", "me-west-12");
        Snapshot s = read(t -> {
            ArrayNode regions = ((ObjectNode) t.path("run")).putArray("regions");
            names.forEach(regions::add);
            ((ArrayNode) t.path("accounts").get(1).path("coverage")).addObject()
                    .put("region", "eu-west-1/EKS.ListClusters").put("status", "PARTIAL")
                    .put("errorCode", "AccessDeniedException").put("errorMessage", "denied");
            ((ObjectNode) t.path("identityCenter")).put("homeRegion", "us-gov-west-1");
        });
        assertThat(s.run().regions()).isEqualTo(names);
        assertThat(s.identityCenter().homeRegion()).isEqualTo("us-gov-west-1");
        assertThat(s.accounts().get(1).coverage()).extracting(Coverage::region)
                .contains("eu-west-1/EKS.ListClusters");
    }

    @Test
    void anAccountWithoutCoverageIsRejected() {
        assertThat(rejection(t -> ((ObjectNode) t.path("accounts").get(1)).putArray("coverage")))
                .isEqualTo("snap.json: " + where(SampleTree.load(), "accounts[1].coverage")
                        + ": expected at least the `global` entry, got an empty list");
        assertThat(rejection(t -> ((ArrayNode) t.path("accounts").get(1).path("coverage")).remove(0)))
                .startsWith("snap.json: " + where(SampleTree.load(), "accounts[1].coverage")
                        + ": expected an entry for region `global`");
    }

    @Test
    void attachedPoliciesMissingFromTheSnapshotBecomeACoverageGap() {
        Snapshot full = read(t -> { });
        assertThat(full.accounts()).allSatisfy(a -> assertThat(a.coverage())
                .noneMatch(c -> SnapshotReferences.MISSING_CODE.equals(c.errorCode())));
        Snapshot s = read(t -> t.putObject("awsManagedPolicies"));
        List<Coverage> gaps = s.accounts().stream().flatMap(a -> a.coverage().stream())
                .filter(c -> SnapshotReferences.MISSING_CODE.equals(c.errorCode())).toList();
        assertThat(gaps).isNotEmpty().allSatisfy(c -> {
            assertThat(c.region()).isEqualTo(Coverage.GLOBAL);
            assertThat(c.status()).isIn(CoverageStatus.PARTIAL, CoverageStatus.ERROR, CoverageStatus.ASSUME_ROLE_DENIED);
            assertThat(c.errorMessage()).containsPattern("accounts\\[\\d+\\]\\.iam\\.(users|groups|roles)\\[\\d+\\]"
                    + "\\.(attachedManagedPolicyArns\\[\\d+\\]|permissionsBoundaryArn): arn:aws:iam::aws:policy/\\S+ is "
                    + "not in awsManagedPolicies");
        });
    }

    @Test
    void anOuThatIsItsOwnParentOrAParentThatDoesNotExistIsRejected() {
        assertThat(rejection(t -> {
            ObjectNode ou = (ObjectNode) t.path("organization").path("organizationalUnits").get(0);
            ou.put("parentId", ou.path("id").asText());
        })).matches("snap\\.json: organization\\.organizationalUnits\\[0\\]\\.parentId: expected a chain of parents "
                + "that ends at the root `r-\\w+`, got a cycle (ou-[\\w-]+) -> \\1");
        assertThat(rejection(t -> ((ObjectNode) t.path("organization").path("accounts").get(1))
                .put("parentId", "ou-none-00000000")))
                .matches("snap\\.json: organization\\.accounts\\[1\\]\\.parentId: expected the root `r-\\w+` or the id "
                        + "of an OU in organization\\.organizationalUnits, got `ou-none-00000000`");
        assertThat(rejection(t -> ((ObjectNode) t.path("organization").path("organizationalUnits").get(1))
                .put("parentId", "ou-none-00000000")))
                .contains("organizationalUnits[1].parentId: expected the root");
    }

    @Test
    void latin1TextNamesTheLineAndSaysUtf8() {
        String text = SampleTree.text(SampleTree.load()).replace("\"master\"", "\"ma\u00eetre caf\u00e9\"");
        byte[] latin1 = text.getBytes(StandardCharsets.ISO_8859_1);
        assertThatThrownBy(() -> SnapshotJson.read(new ByteArrayInputStream(latin1), "snap.json"))
                .isInstanceOf(SnapshotFormatException.class)
                .hasMessageMatching("snap\\.json: line 1, column \\d+: not UTF-8 text \\(.*\\): save the snapshot as "
                        + "UTF-8; a Latin-1 or Windows-1252 file is not a snapshot");
    }

    @Test
    void deepNestingNamesTheLine() {
        String deep = "{\"schemaVersion\": 1, \"run\": " + "[".repeat(5000) + "]".repeat(5000) + "}";
        assertThatThrownBy(() -> read(deep)).isInstanceOf(SnapshotFormatException.class)
                .hasMessageMatching("snap\\.json: line 1, column \\d+: not a snapshot: nested deeper than 64 levels "
                        + "\\(a snapshot nests about 8\\)");
    }

    @Test
    void aNullListElementSaysWhatWasExpected() {
        ObjectNode tree = SampleTree.load();
        String at = firstVolumePath(tree);
        String pointer = "/" + at.substring(0, at.length() - "[0]".length()).replace("[", "/").replace("]", "")
                .replace(".", "/");
        assertThat(rejection(t -> ((ArrayNode) t.at(pointer)).set(0, (JsonNode) null)))
                .isEqualTo("snap.json: " + where(tree, at) + ": expected an object, got null");
    }

    /**
     * The published schema and the records agree: every record component of the format is a property of its
     * definition. A field added to a record without extending docs/snapshot.schema.json fails here (the reader would
     * reject every snapshot holding it).
     */
    @Test
    void theSchemaDescribesEveryRecordComponent() throws Exception {
        JsonNode schema = SnapshotSchema.tree();
        JsonNode defs = schema.path("$defs");
        List<String> missing = new ArrayList<>();
        int checked = 0;
        for (java.util.Iterator<String> it = defs.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            Class<?> type = Class.forName("io.cmkaudit.snapshot." + name);
            assertThat(type.isRecord()).as(name).isTrue();
            for (var c : type.getRecordComponents()) {
                checked++;
                if (!defs.path(name).path("properties").has(c.getName())) {
                    missing.add(name + "." + c.getName());
                }
            }
            assertThat(defs.path(name).path("properties").size()).as("properties of " + name)
                    .isEqualTo(type.getRecordComponents().length);
        }
        for (var c : Snapshot.class.getRecordComponents()) {
            if (!schema.path("properties").has(c.getName())) {
                missing.add("Snapshot." + c.getName());
            }
        }
        assertThat(checked).isGreaterThan(100);
        assertThat(missing).as("record components the schema lacks").isEmpty();
    }
}
