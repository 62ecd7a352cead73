package io.cmkaudit.analysis;

import io.cmkaudit.analysis.RuleContext.KeySide;
import io.cmkaudit.analysis.SnapshotIndex.PrincipalKind;
import io.cmkaudit.analysis.SnapshotIndex.PrincipalRef;
import io.cmkaudit.policy.Decision;
import io.cmkaudit.policy.DecisionKind;
import io.cmkaudit.policy.Effect;
import io.cmkaudit.policy.Layer;
import io.cmkaudit.policy.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The deciding layers a finding about a KMS request on a key reports (issue 10 item 5). When an Allow in identity
 * policies could not help because only the key policy can give access, the deciding layer is {@code resource}, not
 * {@code identity}: for a service-linked role (its policies can't be changed, and AWS's managed policies of the
 * Auto Scaling and fleet roles hold no KMS action,
 * https://docs.aws.amazon.com/autoscaling/ec2/userguide/key-policy-requirements-EBS-encryption.html), and for a key
 * policy that neither names the principal nor delegates to its account (IAM policies then give nothing,
 * https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html#key-policy-default-allow-root-enable-iam).
 */
final class DecidingLayers {

    private DecidingLayers() {
    }

    /**
     * @param d  the decision on a KMS request on the key
     * @param p  the caller
     * @param ks the key's side, or null when unknown
     * @return the layers as {@code simulate} names them, with {@code identity} replaced by {@code resource} when
     *         only the key policy could allow
     */
    static List<String> of(Decision d, PrincipalRef p, KeySide ks) {
        List<String> layers = Texts.layers(d);
        if (d.kind() != DecisionKind.IMPLICIT_DENY || !layers.contains(Layer.IDENTITY.id())) {
            return layers;
        }
        // a key of another account needs both sides for a role or user: its identity side still decides
        boolean onlyKeyPolicy = p.kind() == PrincipalKind.SERVICE_LINKED_ROLE
                || ks != null && ks.keyPolicy() != null && !ks.keyPolicy().unparseable()
                && p.accountId().equals(ks.ref().accountId()) && !delegates(ks, p.accountId());
        if (!onlyKeyPolicy) {
            return layers;
        }
        List<String> out = new ArrayList<>();
        for (String l : layers) {
            String x = l.equals(Layer.IDENTITY.id()) ? Layer.RESOURCE.id() : l;
            if (!out.contains(x)) {
                out.add(x);
            }
        }
        return out;
    }

    /**
     * The evidence of a decision whose deciding layer {@link #of} moved from identity to the key policy: the missing
     * identity Allow becomes the missing key-policy statement, with the reason identity policies can't help.
     *
     * @param evidence the evidence of {@link Texts#evidence}
     * @param layers   the layers {@link #of} returned
     * @return the evidence to report
     */
    static List<String> evidence(Decision d, List<String> evidence, List<String> layers, PrincipalRef p, EvalSet set) {
        if (layers.equals(Texts.layers(d))) {
            return evidence;
        }
        List<String> out = new ArrayList<>();
        String why = p.kind() == PrincipalKind.SERVICE_LINKED_ROLE ? "the service-linked role's policies can't be "
                + "changed" : "the key policy does not delegate to account " + p.accountId();
        String resource = "resource: no statement allows the request in "
                + (set.keyPolicy == null ? "the key policy" : set.keyPolicy.name()) + " (identity policies can't "
                + "allow it: " + why + ")";
        for (String e : evidence) {
            String x = e.startsWith(Layer.IDENTITY.id() + ": no statement allows") ? resource : e;
            if (!out.contains(x)) {
                out.add(x);
            }
        }
        if (!out.contains(resource) && !out.stream().anyMatch(e -> e.startsWith("resource:"))) {
            out.add(resource);
        }
        return out;
    }

    /**
     * @return whether an Allow statement of the key policy names the account (its id or its {@code root}) or every
     *         principal, so that the account's IAM policies can give access
     */
    static boolean delegates(KeySide ks, String accountId) {
        if (ks.keyPolicy() == null) {
            return false;
        }
        for (Statement s : ks.keyPolicy().policy().statements()) {
            if (s.effect() != Effect.ALLOW || s.principal() == null) {
                if (s.effect() == Effect.ALLOW && s.notPrincipal() != null) {
                    return true;
                }
                continue;
            }
            if (s.principal().isEveryone()) {
                return true;
            }
            for (String a : s.principal().aws()) {
                if (a.equals(accountId) || a.startsWith("arn:") && a.endsWith(":iam::" + accountId + ":root")) {
                    return true;
                }
            }
        }
        return false;
    }
}
