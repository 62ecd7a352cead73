package io.cmkaudit.report;

import io.cmkaudit.analysis.Finding;
import io.cmkaudit.analysis.Partition;
import io.cmkaudit.analysis.Severity;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The findings as OCSF {@code Detection Finding} events (class 2004 of the Findings category, OCSF 1.1 and later:
 * https://schema.ocsf.io/1.3.0/classes/detection_finding), written as {@code findings.ocsf.json}: a JSON array with
 * one event per finding — the current ones, then the ones RESOLVED against the previous run. The stable finding id
 * is {@code finding_info.uid}, so a consumer updates the same finding run after run. The mapping, field by field, is
 * in {@code docs/security-hub.md}.
 */
public final class Ocsf {

    /** The OCSF schema version the events state ({@code metadata.version}). */
    public static final String VERSION = "1.3.0";
    /** The file name in the run folder. */
    public static final String FILE = "findings.ocsf.json";
    /** Detection Finding. */
    public static final int CLASS_UID = 2004;
    /** The Findings category. */
    public static final int CATEGORY_UID = 2;

    private Ocsf() {
    }

    /**
     * An export writing {@value #FILE}.
     *
     * @param productVersion the scanner's version ({@code metadata.product.version})
     * @return the export
     */
    public static OutputSelection.Export export(String productVersion) {
        return OutputSelection.Export.of(FILE, (file, content) -> {
            List<Map<String, Object>> events = new ArrayList<>();
            Instant started = content.result().run().startedAt();
            String org = content.result().run().organizationId();
            for (ReportedFinding f : content.findings()) {
                events.add(event(f, productVersion, org, started, content.writtenAt()));
            }
            for (ReportedFinding f : content.resolved()) {
                events.add(event(f, productVersion, org, started, content.writtenAt()));
            }
            Asff.writeArray(file, events);
        });
    }

    /**
     * One finding as a Detection Finding event.
     *
     * @param f              the finding
     * @param productVersion the scanner's version
     * @param organizationId the organization id, or null
     * @param observed       the run's collection start ({@code finding_info.last_seen_time}), or null
     * @param now            the report time ({@code time})
     * @return the event
     */
    public static Map<String, Object> event(ReportedFinding f, String productVersion, String organizationId,
                                            Instant observed, Instant now) {
        ReportedFinding.Change change = f.change();
        int activity = change == ReportedFinding.Change.RESOLVED ? 3
                : change == ReportedFinding.Change.UNCHANGED || change == ReportedFinding.Change.CHANGED ? 2 : 1;
        int status = change == ReportedFinding.Change.RESOLVED ? 4
                : f.status() == ReportedFinding.Status.SUPPRESSED ? 3 : 1;
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("activity_id", activity);
        e.put("activity_name", activity == 1 ? "Create" : activity == 2 ? "Update" : "Close");
        e.put("category_uid", CATEGORY_UID);
        e.put("category_name", "Findings");
        e.put("class_uid", CLASS_UID);
        e.put("class_name", "Detection Finding");
        e.put("type_uid", CLASS_UID * 100 + activity);
        e.put("type_name", "Detection Finding: " + e.get("activity_name"));
        e.put("time", now.toEpochMilli());
        e.put("time_dt", Formats.iso(now));
        e.put("severity_id", severityId(f.severity()));
        e.put("severity", severityName(f.severity()));
        e.put("status_id", status);
        e.put("status", status == 1 ? "New" : status == 3 ? "Suppressed" : "Resolved");
        e.put("message", f.explanation());

        Map<String, Object> info = new LinkedHashMap<>();
        info.put("uid", f.findingId());
        info.put("title", f.type().title());
        info.put("desc", f.explanation());
        info.put("types", List.of(f.type().name()));
        if (observed != null) {
            info.put("last_seen_time", observed.toEpochMilli());
            info.put("last_seen_time_dt", Formats.iso(observed));
        }
        Map<String, Object> analytic = new LinkedHashMap<>();
        analytic.put("uid", f.type().name());
        analytic.put("name", f.type().title());
        analytic.put("type_id", 1);
        analytic.put("type", "Rule");
        info.put("analytic", analytic);
        e.put("finding_info", info);

        Map<String, Object> product = new LinkedHashMap<>();
        product.put("name", "cmk-audit");
        product.put("vendor_name", "cmk-audit");
        product.put("version", productVersion);
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("version", VERSION);
        metadata.put("product", product);
        metadata.put("event_code", f.type().name());
        metadata.put("profiles", List.of("cloud"));
        e.put("metadata", metadata);

        Map<String, Object> account = new LinkedHashMap<>();
        account.put("uid", f.accountId());
        if (f.accountName() != null) {
            account.put("name", f.accountName());
        }
        account.put("type_id", 10);
        account.put("type", "AWS Account");
        Map<String, Object> cloud = new LinkedHashMap<>();
        cloud.put("provider", "AWS");
        if (f.region() != null) {
            cloud.put("region", f.region());
        }
        cloud.put("account", account);
        if (organizationId != null) {
            Map<String, Object> org = new LinkedHashMap<>();
            org.put("uid", organizationId);
            if (f.ouPath() != null) {
                org.put("ou_name", f.ouPath());
            }
            cloud.put("org", org);
        }
        e.put("cloud", cloud);
        e.put("resources", resources(f));

        Map<String, Object> remediation = new LinkedHashMap<>();
        remediation.put("desc", f.remediation());
        e.put("remediation", remediation);

        Map<String, Object> unmapped = new LinkedHashMap<>();
        unmapped.put("deciding_layers", f.decidingLayers());
        unmapped.put("evidence", f.evidence());
        if (f.remediationPolicy() != null) {
            unmapped.put("remediation_policy", f.remediationPolicy());
        }
        if (change != null) {
            unmapped.put("change", change.name());
        }
        unmapped.put("status", f.status().name());
        if (f.suppression() != null) {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("reason", f.suppression().reason());
            s.put("owner", f.suppression().owner());
            s.put("expires", f.suppression().expires().toString());
            s.put("ticket", f.suppression().ticket());
            unmapped.put("suppression", s);
        }
        e.put("unmapped", unmapped);
        return e;
    }

    /** @return OCSF {@code severity_id}: 1 Informational, 2 Low, 3 Medium, 4 High, 5 Critical */
    static int severityId(Severity s) {
        return switch (s) {
            case INFO -> 1;
            case LOW -> 2;
            case MEDIUM -> 3;
            case HIGH -> 4;
            case CRITICAL -> 5;
        };
    }

    private static String severityName(Severity s) {
        return switch (s) {
            case INFO -> "Informational";
            case LOW -> "Low";
            case MEDIUM -> "Medium";
            case HIGH -> "High";
            case CRITICAL -> "Critical";
        };
    }

    /**
     * Every resource of the finding: each principal and each key it lists (a finding is one fix, which may cover
     * several), its launch sources, then its instances (no cap: the file is not Security Hub).
     */
    private static List<Map<String, Object>> resources(ReportedFinding f) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Finding.Principal p : f.finding().principals()) {
            out.add(resource(p.arn(), null, p.type() == null ? "AWS::IAM::Principal"
                    : p.type().equals("user") ? "AWS::IAM::User" : "AWS::IAM::Role", null,
                    p.arn(), accountOf(p.arn(), f.accountId())));
        }
        for (Finding.Key k : f.finding().keys()) {
            String[] arn = k.arn().split(":", 6);
            out.add(resource(k.arn(), null, "AWS::KMS::Key", arn.length > 3 && !arn[3].isEmpty() ? arn[3] : null,
                    k.arn(), k.accountId()));
        }
        for (Finding.Resource r : f.finding().launchSources()) {
            String type = switch (r.kind()) {
                case AUTO_SCALING_GROUP -> "AWS::AutoScaling::AutoScalingGroup";
                case EKS_NODE_GROUP -> "AWS::EKS::Nodegroup";
                case EC2_FLEET -> "AWS::EC2::EC2Fleet";
                case SPOT_FLEET -> "AWS::EC2::SpotFleet";
                default -> "AWS::EC2::LaunchTemplate";
            };
            out.add(resource(r.id(), r.name(), type, r.region(),
                    "arn:" + Partition.ofRegion(r.region()) + ":", r.accountIdOr(f.accountId())));
        }
        for (Finding.Resource r : f.finding().instances()) {
            Map<String, Object> res = resource(r.id(), r.name(), "AWS::EC2::Instance", r.region(),
                    "arn:" + Partition.ofRegion(r.region()) + ":", r.accountIdOr(f.accountId()));
            if (!r.volumeIds().isEmpty()) {
                res.put("data", Map.of("volume_ids", r.volumeIds()));
            }
            out.add(res);
        }
        return out;
    }

    private static Map<String, Object> resource(String uid, String name, String type, String region,
                                                String arnForPartition, String owner) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("uid", uid);
        if (name != null) {
            r.put("name", name);
        }
        r.put("type", type);
        if (region != null) {
            r.put("region", region);
        }
        String[] p = arnForPartition.split(":", 3);
        if (p.length > 1 && !p[1].isEmpty()) {
            r.put("cloud_partition", p[1]);
        }
        if (owner != null) {
            r.put("owner", Map.of("account", Map.of("uid", owner, "type_id", 10, "type", "AWS Account")));
        }
        return r;
    }

    /** @return the account id of an IAM ARN ({@code arn:PARTITION:iam::ACCOUNT:...}), else {@code fallback} */
    static String accountOf(String arn, String fallback) {
        String[] p = arn.split(":", 6);
        return p.length > 4 && p[4].matches("\\d{12}") ? p[4] : fallback;
    }
}
