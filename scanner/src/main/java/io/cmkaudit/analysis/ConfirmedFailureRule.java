package io.cmkaudit.analysis;

import io.cmkaudit.snapshot.AccountSnapshot;
import io.cmkaudit.snapshot.Ec2Fleet;
import io.cmkaudit.snapshot.Ec2Instance;
import io.cmkaudit.snapshot.EksNodeGroup;
import io.cmkaudit.snapshot.RegionSnapshot;
import io.cmkaudit.snapshot.ScalingActivity;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Failures AWS already recorded (issue 10 item 4, launch-paths.md §4). A start or launch finding whose instance,
 * Auto Scaling group, node group, fleet or launch template AWS recorded failing for a KMS reason carries
 * {@link Finding#confirmed()} with the newest such event; a recorded KMS failure no finding explains becomes
 * {@code FAILURE_UNEXPLAINED} (INFO), one per failing subject, so the user knows the model missed something.
 *
 * <p>Recorded KMS failures: an instance's {@code StateReason} {@code Client.InvalidKMSKey.InvalidState}, or
 * {@code Client.InternalError} on an instance with an encrypted volume or launched by a group, fleet or template
 * (the code is generic, https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_StateReason.html; terminated
 * instances stay visible about an hour); a failed or cancelled scaling activity whose message or description names
 * {@code Client.InternalError}, {@code InvalidKMSKey} or KMS (kept six weeks,
 * https://docs.aws.amazon.com/autoscaling/ec2/userguide/ts-as-instancelaunchfailure.html); an EKS node group health
 * issue {@code AsgInstanceLaunchFailures} whose message names them
 * (https://docs.aws.amazon.com/eks/latest/APIReference/API_Issue.html); an EC2 Fleet error naming them.
 */
final class ConfirmedFailureRule implements Rule {

    /** Instance tag EC2 Fleet puts on its instances. */
    static final String FLEET_TAG = "aws:ec2:fleet-id";
    /** Instance tag naming the launch template an instance was launched from. */
    static final String TEMPLATE_TAG = "aws:ec2launchtemplate:id";

    private final RuleContext ctx;

    ConfirmedFailureRule(RuleContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Set<FindingType> types() {
        return Set.of(FindingType.FAILURE_UNEXPLAINED);
    }

    /**
     * One recorded failure.
     *
     * @param accountId the account
     * @param region    the region
     * @param subjects  what it is tied to: {@code instance:<id>}, {@code auto_scaling_group:<name>},
     *                  {@code eks_node_group:<cluster/name>}, {@code ec2_fleet:<id>}, {@code launch_template:<id>}
     * @param subject   the resource a FAILURE_UNEXPLAINED finding about it names
     * @param event     the event
     */
    record Event(String accountId, String region, Set<String> subjects, Finding.Resource subject,
                 Finding.Confirmed event) {
    }

    /** @return whether a text names a KMS failure of a launch or start */
    static boolean kmsText(String s) {
        return s != null && (s.contains("Client.InternalError") || s.contains("InvalidKMSKey")
                || s.contains("KMS"));
    }

    /** @return every recorded KMS failure of the snapshot, in account, region, subject order */
    List<Event> events() {
        List<Event> out = new ArrayList<>();
        for (AccountSnapshot a : ctx.index.snapshot.accounts()) {
            for (RegionSnapshot r : a.regions()) {
                instances(a.accountId(), r, out);
                for (ScalingActivity act : r.launch().scalingActivities()) {
                    String text = act.statusMessage() != null ? act.statusMessage() : act.description();
                    if (!kmsText(act.statusMessage()) && !kmsText(act.description())) {
                        continue;
                    }
                    String code = code(text);
                    out.add(new Event(a.accountId(), r.region(), Set.of("auto_scaling_group:"
                            + act.autoScalingGroupName()), Finding.Resource.launchSource(
                            Finding.ResourceKind.AUTO_SCALING_GROUP, act.autoScalingGroupName(), null, r.region()),
                            new Finding.Confirmed("scaling activity " + act.activityId() + " of "
                                    + act.autoScalingGroupName(), code, text,
                                    act.startTime() != null ? act.startTime() : act.endTime())));
                }
                for (EksNodeGroup ng : r.launch().eksNodeGroups()) {
                    for (EksNodeGroup.HealthIssue h : ng.healthIssues()) {
                        if (!kmsText(h.message())) {
                            continue;
                        }
                        Set<String> subjects = new HashSet<>();
                        String id = ng.clusterName() + "/" + ng.nodegroupName();
                        subjects.add("eks_node_group:" + id);
                        ng.autoScalingGroupNames().forEach(g -> subjects.add("auto_scaling_group:" + g));
                        out.add(new Event(a.accountId(), r.region(), subjects, Finding.Resource.launchSource(
                                Finding.ResourceKind.EKS_NODE_GROUP, id, null, r.region()), new Finding.Confirmed(
                                "EKS node group " + id + " health issue " + h.code(), code(h.message()),
                                h.message(), null)));
                    }
                }
                for (Ec2Fleet f : r.launch().ec2Fleets()) {
                    for (Ec2Fleet.LaunchError e : f.errors()) {
                        if (!kmsText(e.errorCode()) && !kmsText(e.errorMessage())) {
                            continue;
                        }
                        out.add(new Event(a.accountId(), r.region(), Set.of("ec2_fleet:" + f.fleetId()),
                                Finding.Resource.launchSource(Finding.ResourceKind.EC2_FLEET, f.fleetId(), null,
                                        r.region()), new Finding.Confirmed("EC2 Fleet " + f.fleetId() + " error",
                                e.errorCode(), e.errorMessage(), e.time())));
                    }
                }
            }
        }
        return out;
    }

    private void instances(String accountId, RegionSnapshot r, List<Event> out) {
        Set<String> encrypted = new HashSet<>();
        r.volumes().forEach(v -> {
            if (v.encrypted()) {
                v.attachments().forEach(att -> encrypted.add(att.instanceId()));
            }
        });
        for (Ec2Instance i : r.instances()) {
            String code = i.stateReasonCode();
            if (code == null) {
                continue;
            }
            String group = i.tags().get(RuleContext.AUTO_SCALING_GROUP_TAG);
            String fleet = i.tags().get(FLEET_TAG);
            String template = i.tags().get(TEMPLATE_TAG);
            boolean launched = group != null || fleet != null || template != null;
            boolean kms = code.contains("InvalidKMSKey") || kmsText(i.stateReasonMessage())
                    && !code.equals("Client.UserInitiatedShutdown")
                    || code.equals("Client.InternalError") && (encrypted.contains(i.instanceId()) || launched);
            if (!kms) {
                continue;
            }
            Set<String> subjects = new HashSet<>();
            subjects.add("instance:" + i.instanceId());
            if (group != null) {
                subjects.add("auto_scaling_group:" + group);
            }
            if (fleet != null) {
                subjects.add("ec2_fleet:" + fleet);
            }
            if (template != null) {
                subjects.add("launch_template:" + template);
            }
            Finding.Resource subject = group != null ? Finding.Resource.launchSource(
                    Finding.ResourceKind.AUTO_SCALING_GROUP, group, null, r.region())
                    : Finding.Resource.instance(i.instanceId(), i.name(), r.region(), List.of());
            out.add(new Event(accountId, r.region(), subjects, subject, new Finding.Confirmed("instance "
                    + i.instanceId() + " StateReason (" + i.state() + ")", code, i.stateReasonMessage(),
                    i.launchTime())));
        }
    }

    private static String code(String text) {
        if (text == null) {
            return "KMS";
        }
        for (String c : List.of("Client.InvalidKMSKey.InvalidState", "Client.InternalError", "Server.InternalError")) {
            if (text.contains(c)) {
                return c;
            }
        }
        return text.contains("InvalidKMSKey") ? "InvalidKMSKey" : "KMS";
    }

    /**
     * @return the subjects a finding is about, as {@code account|region|subject} with a subject in the form of
     *         {@link Event#subjects()}; each resource in its own account (a finding that is one fix over several
     *         accounts, e.g. a key's or an IAM Identity Center permission set's, lists resources of each)
     */
    private static Set<String> subjects(Finding f) {
        Set<String> out = new HashSet<>();
        for (Finding.Resource r : f.resources()) {
            if (r.kind() == Finding.ResourceKind.PRINCIPAL || r.kind() == Finding.ResourceKind.KEY) {
                continue;
            }
            String where = r.accountIdOr(f.accountId()) + "|" + r.region() + "|";
            out.add(where + r.kind().name().toLowerCase(java.util.Locale.ROOT) + ":" + r.id());
            if (r.kind() == Finding.ResourceKind.AUTO_SCALING_GROUP && r.name() != null
                    && r.name().startsWith("EKS node group ")) {
                out.add(where + "eks_node_group:" + r.name().substring("EKS node group ".length()));
            }
        }
        return out;
    }

    private static final Comparator<Finding.Confirmed> NEWEST = Comparator.comparing(Finding.Confirmed::time,
            Comparator.nullsFirst(Comparator.<Instant>naturalOrder()));

    @Override
    public List<Finding> review(List<Finding> findings) {
        List<Event> events = events();
        if (events.isEmpty()) {
            return findings;
        }
        Set<Event> explained = new HashSet<>();
        List<Finding> out = new ArrayList<>(findings.size());
        for (Finding f : findings) {
            if (f.type().blocks() == FindingType.Blocks.NOTHING || f.resources().isEmpty()) {
                out.add(f);
                continue;
            }
            Set<String> mine = subjects(f);
            Finding.Confirmed best = null;
            for (Event e : events) {
                String where = e.accountId() + "|" + e.region() + "|";
                if (e.subjects().stream().noneMatch(x -> mine.contains(where + x))) {
                    continue;
                }
                explained.add(e);
                if (best == null || NEWEST.compare(e.event(), best) > 0) {
                    best = e.event();
                }
            }
            out.add(best == null ? f : f.withConfirmed(best));
        }
        Map<String, Event> unexplained = new LinkedHashMap<>();
        for (Event e : events) {
            if (explained.contains(e)) {
                continue;
            }
            String key = e.accountId() + "|" + e.region() + "|" + e.subject().kind() + "|" + e.subject().id();
            Event cur = unexplained.get(key);
            if (cur == null || NEWEST.compare(e.event(), cur.event()) > 0) {
                unexplained.put(key, e);
            }
        }
        for (Event e : unexplained.values()) {
            Finding.Confirmed c = e.event();
            String what = e.subject().kind().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ') + " "
                    + e.subject().id();
            String expl = "AWS recorded a KMS failure of " + what + " (" + c.code() + (c.time() == null ? ""
                    : " at " + c.time()) + "), but no finding of this "
                    + "run explains it: the cause is outside what the scan read (a key of an account outside the "
                    + "organization, a deleted group or key, request context), or the model missed something.";
            Remediation rem = Remediation.textOnly("Look up the denied KMS call in CloudTrail (eventSource "
                    + "kms.amazonaws.com, errorCode AccessDenied, around " + (c.time() == null ? "the event"
                    : c.time().toString()) + ") and check the launcher's access to the keys of the launch.");
            String id = Finding.stableId(FindingType.FAILURE_UNEXPLAINED, e.accountId(), e.region(),
                    e.subject().kind() + ":" + e.subject().id(), null, null);
            Finding f = new Finding(id, FindingType.FAILURE_UNEXPLAINED, Severity.INFO, ctx.account(e.accountId()),
                    e.region(), List.of(e.subject()), null, null, Finding.Details.of(List.of(),
                    List.of(c.text()), expl, rem), c);
            ctx.keep(id, rem);
            out.add(f);
        }
        return out;
    }
}
