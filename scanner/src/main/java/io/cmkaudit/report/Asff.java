package io.cmkaudit.report;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.cmkaudit.analysis.Finding;
import io.cmkaudit.analysis.Partition;
import io.cmkaudit.analysis.Severity;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The findings in the AWS Security Finding Format (ASFF), as {@code findings.asff.json} (a JSON array, one object
 * per finding, the {@code Findings} of a {@code BatchImportFindings} request) and as the input of {@code scan
 * --security-hub}. Each finding is a tree of plain {@link Map}s, {@link List}s, strings and numbers, so the file and
 * the import send the same thing. The mapping, field by field, is in {@code docs/security-hub.md}.
 *
 * <p>With the default product ARN Security Hub accepts only findings whose {@code AwsAccountId} is the calling
 * account, so every finding is filed under the scanner's own account and home region ({@link Target}); the account,
 * region and resources a finding is about go in {@code Resources} and {@code ProductFields}.
 *
 * <p>The format's limits are enforced here (ASFF syntax:
 * https://docs.aws.amazon.com/securityhub/latest/userguide/securityhub-findings-format-syntax.html; import
 * guidelines: https://docs.aws.amazon.com/securityhub/latest/partnerguide/guidelines-batchimportfindings.html):
 * at most {@value #MAX_RESOURCES} resources (the rest are counted in {@code ProductFields} and the finding points to
 * {@code findings.json}, which lists all), at most {@value #MAX_FINDING_BYTES} bytes of JSON per finding, Title
 * {@value #MAX_TITLE}, Description {@value #MAX_DESCRIPTION}, remediation text {@value #MAX_REMEDIATION} characters,
 * at most {@value #MAX_PRODUCT_FIELDS} ProductFields of at most {@value #MAX_PRODUCT_FIELD_VALUE} characters. A
 * shortened text ends with {@value #CUT}.
 */
public final class Asff {

    /** The ASFF schema version every finding states. */
    public static final String SCHEMA_VERSION = "2018-10-08";
    /** The file name in the run folder. */
    public static final String FILE = "findings.asff.json";
    /** Most resources of one finding. */
    public static final int MAX_RESOURCES = 32;
    /** Most bytes of one finding's JSON (240 KB). */
    public static final int MAX_FINDING_BYTES = 240 * 1024;
    /** Most characters of {@code Title}. */
    public static final int MAX_TITLE = 256;
    /** Most characters of {@code Description}. */
    public static final int MAX_DESCRIPTION = 1024;
    /** Most characters of {@code Remediation.Recommendation.Text}. */
    public static final int MAX_REMEDIATION = 512;
    /** Most entries of {@code ProductFields}. */
    public static final int MAX_PRODUCT_FIELDS = 50;
    /** Most characters of one {@code ProductFields} value. */
    public static final int MAX_PRODUCT_FIELD_VALUE = 2048;
    /** Most characters of one {@code Resources[].Details.Other} value. */
    public static final int MAX_OTHER_VALUE = 1024;
    /** What ends a shortened text. */
    public static final String CUT = " [cut; see findings.json]";
    /** Prefix of the ProductFields keys. */
    public static final String FIELD = "cmk-audit/";

    private static final ObjectMapper JSON = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

    /**
     * Where the findings are filed: the account and region the scanner runs in.
     *
     * @param accountId 12-digit id of the calling account ({@code AwsAccountId}); never null
     * @param region    the home region ({@code Region}, the product ARN's region); never null
     */
    public record Target(String accountId, String region) {
        public Target {
            Objects.requireNonNull(accountId, "accountId");
            Objects.requireNonNull(region, "region");
        }

        /** @return the partition of {@link #region()}, e.g. {@code aws-us-gov} */
        public String partition() {
            return Partition.ofRegion(region);
        }

        /**
         * @return the default product ARN of the account, e.g.
         *         {@code arn:aws:securityhub:eu-west-1:111122223333:product/111122223333/default}
         */
        public String productArn() {
            return "arn:" + partition() + ":securityhub:" + region + ":" + accountId + ":product/" + accountId
                    + "/default";
        }
    }

    private Asff() {
    }

    /**
     * An export writing {@value #FILE}: the current findings (RecordState ACTIVE), then the resolved ones
     * (ARCHIVED).
     *
     * @param target the scanner's account and home region
     * @return the export
     */
    public static OutputSelection.Export export(Target target) {
        return OutputSelection.Export.of(FILE, (file, content) -> writeArray(file, all(content, target)));
    }

    /**
     * @param content the findings of a run folder
     * @param target  the scanner's account and home region
     * @return every finding as ASFF: the current ones ACTIVE, then the resolved ones ARCHIVED
     */
    public static List<Map<String, Object>> all(OutputSelection.Content content, Target target) {
        List<Map<String, Object>> out = new ArrayList<>(content.findings().size() + content.resolved().size());
        Instant started = content.result().run().startedAt();
        for (ReportedFinding f : content.findings()) {
            out.add(finding(f, target, started, content.writtenAt(), false));
        }
        for (ReportedFinding f : content.resolved()) {
            out.add(finding(f, target, started, content.writtenAt(), true));
        }
        return out;
    }

    /**
     * One finding as ASFF, within the limits.
     *
     * @param f        the finding
     * @param target   the scanner's account and home region
     * @param observed when the run observed it ({@code LastObservedAt}; the run's collection start)
     * @param now      the report time ({@code UpdatedAt})
     * @param archived true for a finding RESOLVED against the previous run: {@code RecordState ARCHIVED}
     * @return the finding; its JSON is at most {@value #MAX_FINDING_BYTES} bytes
     */
    public static Map<String, Object> finding(ReportedFinding f, Target target, Instant observed, Instant now,
                                              boolean archived) {
        String partition = target.partition();
        List<Map<String, Object>> resources = resources(f, partition, target.region());
        int total = resources.size();
        List<Map<String, Object>> listed = new ArrayList<>(resources.subList(0, Math.min(MAX_RESOURCES, total)));
        Map<String, Object> m = build(f, target, observed, now, archived, listed, total);
        // 240 KB: drop listed resources from the end (never the account) until the JSON fits
        while (size(m) > MAX_FINDING_BYTES && listed.size() > 1) {
            listed.remove(listed.size() - 1);
            m = build(f, target, observed, now, archived, listed, total);
        }
        return m;
    }

    private static Map<String, Object> build(ReportedFinding f, Target target, Instant observed, Instant now,
                                             boolean archived, List<Map<String, Object>> resources, int total) {
        String label = label(f.severity());
        List<String> types = List.of("Software and Configuration Checks/AWS Security Best Practices/"
                + f.type().name());
        Map<String, Object> severity = new LinkedHashMap<>();
        severity.put("Label", label);
        severity.put("Original", f.severity().name());

        Map<String, Object> m = new LinkedHashMap<>();
        m.put("SchemaVersion", SCHEMA_VERSION);
        m.put("Id", id(f.findingId()));
        m.put("ProductArn", target.productArn());
        m.put("ProductName", "cmk-audit");
        m.put("CompanyName", "cmk-audit");
        m.put("GeneratorId", FIELD + f.type().name());
        m.put("AwsAccountId", target.accountId());
        m.put("Region", target.region());
        m.put("Types", types);
        String seen = Formats.iso(observed == null ? now : observed);
        m.put("FirstObservedAt", seen);
        m.put("LastObservedAt", seen);
        m.put("CreatedAt", seen);
        m.put("UpdatedAt", Formats.iso(now));
        m.put("Severity", severity);
        Map<String, Object> provider = new LinkedHashMap<>();
        provider.put("Severity", new LinkedHashMap<>(severity));
        provider.put("Types", types);
        m.put("FindingProviderFields", provider);
        m.put("Title", cut(f.type().title() + ": " + subject(f), MAX_TITLE));
        m.put("Description", cut(f.explanation(), MAX_DESCRIPTION));
        m.put("Remediation", Map.of("Recommendation", Map.of("Text", cut(f.remediation(), MAX_REMEDIATION))));
        m.put("ProductFields", productFields(f, resources.size(), total));
        m.put("Resources", resources);
        m.put("RecordState", archived ? "ARCHIVED" : "ACTIVE");
        return m;
    }

    /**
     * @param findingId the stable finding id
     * @return the ASFF {@code Id}: {@code cmk-audit/<finding id>}, the same in every run
     */
    public static String id(String findingId) {
        return FIELD + findingId;
    }

    /** @return the ASFF severity label: INFO is INFORMATIONAL, the others keep their name */
    static String label(Severity s) {
        return s == Severity.INFO ? "INFORMATIONAL" : s.name();
    }

    /** What a finding is about, for the title: the principal, else the key, else the account. */
    static String subject(ReportedFinding f) {
        if (f.principalArn() != null) {
            return f.principalArn();
        }
        if (f.keyArn() != null) {
            return f.keyArn();
        }
        return "account " + f.accountId() + (f.region() == null ? "" : " in " + f.region());
    }

    private static Map<String, String> productFields(ReportedFinding f, int listed, int total) {
        Map<String, String> p = new LinkedHashMap<>();
        put(p, "FindingId", f.findingId());
        put(p, "Type", f.type().name());
        put(p, "AccountId", f.accountId());
        put(p, "AccountName", f.accountName());
        put(p, "OuPath", f.ouPath());
        put(p, "Region", f.region());
        put(p, "Status", f.status().name());
        put(p, "Change", f.change() == null ? null : f.change().name());
        put(p, "PrincipalArn", f.principalArn());
        put(p, "PrincipalType", f.principalType());
        put(p, "KeyArn", f.keyArn());
        put(p, "KeyAccountId", f.keyAccountId());
        put(p, "KeyState", f.keyState());
        put(p, "DecidingLayers", Formats.join(f.decidingLayers()));
        put(p, "Evidence", Formats.join(f.evidence()));
        put(p, "RemediationPolicy", f.remediationPolicy());
        put(p, "InstanceCount", String.valueOf(f.finding().instances().size()));
        put(p, "ResourcesListed", String.valueOf(listed));
        if (total > listed) {
            put(p, "ResourcesNotListed", String.valueOf(total - listed));
            put(p, "AllResources", "findings.json of the run folder, finding " + f.findingId());
        }
        if (f.suppression() != null) {
            put(p, "SuppressionReason", f.suppression().reason());
            put(p, "SuppressionOwner", f.suppression().owner());
            put(p, "SuppressionExpires", f.suppression().expires().toString());
            put(p, "SuppressionTicket", f.suppression().ticket());
        }
        if (f.finding().permissionSet() != null) {
            put(p, "PermissionSetArn", f.finding().permissionSet().arn());
            put(p, "PermissionSetName", f.finding().permissionSet().name());
        }
        return p;
    }

    private static void put(Map<String, String> p, String key, String value) {
        if (value != null && !value.isEmpty() && p.size() < MAX_PRODUCT_FIELDS) {
            p.put(FIELD + key, cut(value, MAX_PRODUCT_FIELD_VALUE));
        }
    }

    /**
     * The resources of a finding, most important first: the affected account, every principal and every key it lists
     * (a finding is one fix, which may cover several), its launch sources, then its instances.
     */
    static List<Map<String, Object>> resources(ReportedFinding f, String partition, String homeRegion) {
        List<Map<String, Object>> out = new ArrayList<>();
        if (f.accountId() != null) {
            Map<String, String> other = new LinkedHashMap<>();
            other(other, "AccountName", f.accountName());
            other(other, "OuPath", f.ouPath());
            out.add(resource("AwsAccount", "AWS::::Account:" + f.accountId(), partition,
                    f.region() == null ? homeRegion : f.region(), other));
        }
        for (Finding.Principal pr : f.finding().principals()) {
            String type = switch (pr.type() == null ? "" : pr.type()) {
                case "user" -> "AwsIamUser";
                case "role", "service-linked-role" -> "AwsIamRole";
                default -> "Other";
            };
            Map<String, String> other = new LinkedHashMap<>();
            other(other, "PrincipalType", pr.type());
            out.add(resource(type, pr.arn(), partitionOf(pr.arn(), partition), homeRegion, other));
        }
        for (Finding.Key k : f.finding().keys()) {
            Map<String, String> other = new LinkedHashMap<>();
            other(other, "KeyState", k.state());
            other(other, "KeyAccountId", k.accountId());
            String[] arn = k.arn().split(":", 6);
            String region = arn.length > 3 && !arn[3].isEmpty() ? arn[3] : homeRegion;
            out.add(resource("AwsKmsKey", k.arn(), partitionOf(k.arn(), partition), region, other));
        }
        for (Finding.Resource r : f.finding().launchSources()) {
            Map<String, String> other = new LinkedHashMap<>();
            other(other, "Kind", r.kind().name());
            other(other, "Name", r.name());
            String account = r.accountIdOr(f.accountId()) == null ? "" : r.accountIdOr(f.accountId());
            // a group's resource id is its name: say whose
            other(other, "AccountId", account);
            String region = r.region() == null ? homeRegion : r.region();
            String type;
            String id;
            switch (r.kind()) {
                case AUTO_SCALING_GROUP -> {
                    // the group's ARN holds a uuid the snapshot doesn't keep: its name identifies it in the account
                    type = "AwsAutoScalingAutoScalingGroup";
                    id = r.id();
                }
                case LAUNCH_TEMPLATE -> {
                    type = "AwsEc2LaunchTemplate";
                    id = "arn:" + partition + ":ec2:" + region + ":" + account + ":launch-template/" + r.id();
                }
                case EC2_FLEET -> {
                    type = "Other";
                    id = "arn:" + partition + ":ec2:" + region + ":" + account + ":fleet/" + r.id();
                }
                case SPOT_FLEET -> {
                    type = "Other";
                    id = "arn:" + partition + ":ec2:" + region + ":" + account + ":spot-fleet-request/" + r.id();
                }
                default -> {
                    // cluster/nodegroup: the node group's ARN holds a uuid the snapshot doesn't keep
                    type = "Other";
                    id = "eks-nodegroup/" + r.id();
                }
            }
            out.add(resource(type, id, partition, region, other));
        }
        for (Finding.Resource r : f.finding().instances()) {
            Map<String, String> other = new LinkedHashMap<>();
            other(other, "Name", r.name());
            other(other, "VolumeIds", Formats.join(r.volumeIds()));
            String account = r.accountIdOr(f.accountId()) == null ? "" : r.accountIdOr(f.accountId());
            out.add(resource("AwsEc2Instance", "arn:" + partition + ":ec2:" + r.region() + ":" + account
                    + ":instance/" + r.id(), partition, r.region(), other));
        }
        return out;
    }

    private static String partitionOf(String arn, String fallback) {
        String[] p = arn.split(":", 3);
        return p.length > 1 && p[0].equals("arn") && !p[1].isEmpty() ? p[1] : fallback;
    }

    private static void other(Map<String, String> m, String key, String value) {
        if (value != null && !value.isEmpty()) {
            m.put(key, cut(value, MAX_OTHER_VALUE));
        }
    }

    private static Map<String, Object> resource(String type, String id, String partition, String region,
                                                Map<String, String> other) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("Type", type);
        r.put("Id", id);
        r.put("Partition", partition);
        r.put("Region", region);
        if (!other.isEmpty()) {
            r.put("Details", Map.of("Other", other));
        }
        return r;
    }

    /** @return {@code s}, or its start and {@link #CUT} when it is longer than {@code max} characters */
    static String cut(String s, int max) {
        if (s == null || s.length() <= max) {
            return s;
        }
        return s.substring(0, max - CUT.length()) + CUT;
    }

    /**
     * @param finding an ASFF finding
     * @return the size of its JSON in UTF-8 bytes
     */
    public static int size(Map<String, Object> finding) {
        try {
            return JSON.writeValueAsBytes(finding).length;
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialize an ASFF finding", e);
        }
    }

    /**
     * Writes a JSON array of the given objects, one after the other (UTF-8, pretty-printed).
     *
     * @param file    the file to create
     * @param objects the objects
     * @throws IOException when it cannot be written
     */
    static void writeArray(Path file, List<Map<String, Object>> objects) throws IOException {
        try (OutputStream o = new java.io.BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
             JsonGenerator g = JSON.getFactory().createGenerator(o)) {
            g.useDefaultPrettyPrinter();
            g.writeStartArray();
            for (Map<String, Object> m : objects) {
                JSON.writeValue(g, m);
            }
            g.writeEndArray();
        }
    }

    /**
     * Reads a file written by {@link #writeArray} (tests, and tools that re-import the file).
     *
     * @param file a JSON array of objects
     * @return its objects
     * @throws IOException when it cannot be read
     */
    @SuppressWarnings("unchecked")
    public static List<Map<String, Object>> readArray(Path file) throws IOException {
        return JSON.readValue(Files.readString(file, StandardCharsets.UTF_8), List.class);
    }
}
