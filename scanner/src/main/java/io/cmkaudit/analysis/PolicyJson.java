package io.cmkaudit.analysis;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cmkaudit.match.KmsActions;
import io.cmkaudit.match.Wildcard;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The IAM policy JSON the remediations write and edit: the least-privilege statements of aws-rules.md §6, and
 * statement-level edits (replace, append, carve actions out, add conditions) on documents of the snapshot.
 * Stateless; thread-safe.
 */
final class PolicyJson {

    static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    static final String VERSION = "2012-10-17";

    /** The KMS actions that apply to a KMS key resource (the one list: {@link KmsActions}). */
    static final List<String> KMS_KEY_ACTIONS = KmsActions.ON_KEY;

    /** Every KMS action, including those without a key resource (for expanding wildcards). */
    static final List<String> KMS_ACTIONS = KmsActions.NAMES;

    /**
     * The key-user actions of the console's default key policy ("Allow use of the key") without CreateGrant, which
     * the remediations grant in its own statement with {@code kms:GrantIsForAWSResource}.
     */
    static final List<String> KEY_USER_ACTIONS = KmsActions.DEFAULT_KEY_USER;

    /**
     * The actions of the "Allow access for Key Administrators" statement of AWS's default key policy, as AWS writes
     * them (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html#key-policy-default-allow-administrators).
     */
    static final List<String> KEY_ADMIN_PATTERNS = List.of("kms:Create*", "kms:Describe*", "kms:Enable*",
            "kms:List*", "kms:Put*", "kms:Update*", "kms:Revoke*", "kms:Disable*", "kms:Get*", "kms:Delete*",
            "kms:TagResource", "kms:UntagResource", "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion",
            "kms:RotateKeyOnDemand");

    /**
     * {@link #KEY_ADMIN_PATTERNS} expanded to the actions on a key they cover, without {@code kms:CreateGrant}
     * (which {@code kms:Create*} covers: the remediations allow it only with {@code kms:GrantIsForAWSResource}, in a
     * statement of its own). Among them {@code kms:PutKeyPolicy}, which a key policy must leave to some principal:
     * KMS's policy lockout safety check refuses a key policy that would not let the caller call it again
     * (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html#prevent-unmanageable-key ,
     * https://docs.aws.amazon.com/kms/latest/APIReference/API_PutKeyPolicy.html).
     */
    static final List<String> KEY_ADMIN_ACTIONS = KMS_KEY_ACTIONS.stream()
            .filter(a -> !a.equalsIgnoreCase("kms:CreateGrant"))
            .filter(a -> KEY_ADMIN_PATTERNS.stream().anyMatch(p -> Wildcard.matches(p, a, Wildcard.Mode.ACTION)))
            .toList();

    private PolicyJson() {
    }

    // ------------------------------------------------------------------ reading

    /** @return the document as a tree, or null when it is not a JSON object */
    static ObjectNode parse(String text) {
        try {
            JsonNode n = MAPPER.readTree(text);
            return n instanceof ObjectNode o ? o : null;
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    /** @return the statements of a document (the {@code Statement} array, or the single object), copied */
    static List<ObjectNode> statements(ObjectNode doc) {
        List<ObjectNode> out = new ArrayList<>();
        JsonNode s = doc.get("Statement");
        if (s instanceof ArrayNode a) {
            a.forEach(x -> out.add(x instanceof ObjectNode o ? o.deepCopy() : F.objectNode()));
        } else if (s instanceof ObjectNode o) {
            out.add(o.deepCopy());
        }
        return out;
    }

    /** @return statement {@code index} of the document text, or null */
    static ObjectNode statementAt(String text, int index) {
        ObjectNode doc = parse(text);
        if (doc == null) {
            return null;
        }
        List<ObjectNode> st = statements(doc);
        return index >= 0 && index < st.size() ? st.get(index) : null;
    }

    /** @return the string values of an element that is a string or an array of strings */
    static List<String> strings(JsonNode n) {
        List<String> out = new ArrayList<>();
        if (n == null) {
            return out;
        }
        if (n.isTextual()) {
            out.add(n.asText());
        } else if (n.isArray()) {
            n.forEach(x -> {
                if (x.isTextual()) {
                    out.add(x.asText());
                }
            });
        }
        return out;
    }

    // ------------------------------------------------------------------ writing documents

    /** @return a new document holding the statements */
    static ObjectNode document(List<ObjectNode> statements) {
        ObjectNode d = F.objectNode();
        d.put("Version", VERSION);
        ArrayNode a = d.putArray("Statement");
        statements.forEach(a::add);
        return d;
    }

    /** @return the document text with statement {@code index} replaced by {@code after} */
    static String replaceStatement(String text, int index, List<ObjectNode> after) {
        ObjectNode doc = parse(text);
        if (doc == null) {
            throw new IllegalArgumentException("not a policy document");
        }
        List<ObjectNode> st = statements(doc);
        List<ObjectNode> out = new ArrayList<>(st.subList(0, index));
        out.addAll(after);
        out.addAll(st.subList(index + 1, st.size()));
        ArrayNode a = doc.putArray("Statement");
        out.forEach(a::add);
        return compact(doc);
    }

    /** @return the document text with statements appended */
    static String addStatements(String text, List<ObjectNode> added) {
        ObjectNode doc = parse(text);
        if (doc == null) {
            throw new IllegalArgumentException("not a policy document");
        }
        List<ObjectNode> st = statements(doc);
        st.addAll(added);
        ArrayNode a = doc.putArray("Statement");
        st.forEach(a::add);
        return compact(doc);
    }

    static String compact(JsonNode n) {
        try {
            return MAPPER.writeValueAsString(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Pretty JSON with two-space indentation and {@code \n} line ends, the form findings carry. */
    static String pretty(JsonNode n) {
        DefaultPrettyPrinter pp = new DefaultPrettyPrinter(com.fasterxml.jackson.core.util.Separators
                .createDefaultInstance().withObjectFieldValueSpacing(
                        com.fasterxml.jackson.core.util.Separators.Spacing.AFTER));
        DefaultIndenter ind = new DefaultIndenter("  ", "\n");
        pp.indentObjectsWith(ind);
        pp.indentArraysWith(ind);
        try {
            return MAPPER.writer(pp).writeValueAsString(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    // ------------------------------------------------------------------ one statement for several findings

    /**
     * Merges statements that differ only in whom or what they name into one statement per shape, so that one fix
     * covers several principals, keys or regions: statements equal except for {@code Principal.AWS}, {@code Resource}
     * and the values of {@code kms:ViaService} conditions become one statement listing the union of those values
     * (sorted; one value stays a string; a {@code Resource "*"} covers the others). The union allows, for each
     * principal and key, exactly what one of the merged statements allowed it (IAM: the values of one element are
     * alternatives, https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html and
     * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_multi-value-conditions.html), except that a
     * merged key-policy or identity statement may pair a key with another merged region's {@code kms:ViaService};
     * EC2 only uses a key of its own region, so that allows EC2 nothing more. Statements of other shapes are kept,
     * duplicates dropped.
     *
     * @param statements statements, in order; never null
     * @return the merged statements, in the order their shape first appears
     */
    static List<ObjectNode> mergeStatements(List<ObjectNode> statements) {
        java.util.Map<String, ObjectNode> byShape = new java.util.LinkedHashMap<>();
        java.util.Map<String, java.util.TreeSet<String>[]> values = new java.util.HashMap<>();
        for (ObjectNode st : statements) {
            ObjectNode shape = st.deepCopy();
            java.util.TreeSet<String> principals = new java.util.TreeSet<>();
            java.util.TreeSet<String> resources = new java.util.TreeSet<>();
            java.util.TreeSet<String> vias = new java.util.TreeSet<>();
            if (shape.get("Principal") instanceof ObjectNode p && p.has("AWS")) {
                principals.addAll(strings(p.remove("AWS")));
            }
            if (shape.has("Resource")) {
                resources.addAll(strings(shape.remove("Resource")));
            }
            if (shape.get("Condition") instanceof ObjectNode c) {
                c.fields().forEachRemaining(op -> {
                    if (op.getValue() instanceof ObjectNode o) {
                        List<String> names = new ArrayList<>();
                        o.fieldNames().forEachRemaining(names::add);
                        for (String n : names) {
                            if (n.equalsIgnoreCase("kms:ViaService")) {
                                vias.addAll(strings(o.remove(n)));
                                o.put(n, "");
                            }
                        }
                    }
                });
            }
            String key = compact(shape);
            @SuppressWarnings("unchecked")
            java.util.TreeSet<String>[] v = values.computeIfAbsent(key, k -> new java.util.TreeSet[] {
                    new java.util.TreeSet<String>(), new java.util.TreeSet<String>(),
                    new java.util.TreeSet<String>()});
            v[0].addAll(principals);
            v[1].addAll(resources);
            v[2].addAll(vias);
            byShape.putIfAbsent(key, st.deepCopy());
        }
        List<ObjectNode> out = new ArrayList<>();
        byShape.forEach((key, first) -> {
            java.util.TreeSet<String>[] v = values.get(key);
            ObjectNode st = first;
            if (!v[0].isEmpty() && st.get("Principal") instanceof ObjectNode p) {
                putStrings(p, "AWS", v[0]);
            }
            if (!v[1].isEmpty()) {
                putStrings(st, "Resource", v[1].contains("*") ? List.of("*") : v[1]);
            }
            if (!v[2].isEmpty() && st.get("Condition") instanceof ObjectNode c) {
                c.fields().forEachRemaining(op -> {
                    if (op.getValue() instanceof ObjectNode o) {
                        List<String> names = new ArrayList<>();
                        o.fieldNames().forEachRemaining(names::add);
                        for (String n : names) {
                            if (n.equalsIgnoreCase("kms:ViaService")) {
                                putStrings(o, n, v[2]);
                            }
                        }
                    }
                });
            }
            out.add(st);
        });
        return out;
    }

    // ------------------------------------------------------------------ the statements of aws-rules.md §6

    /** The condition of EC2's attach grant: {@code kms:GrantIsForAWSResource} true and {@code kms:ViaService}. */
    private static ObjectNode attachCondition(Collection<String> regions) {
        ObjectNode c = F.objectNode();
        c.putObject("Bool").put("kms:GrantIsForAWSResource", "true");
        List<String> vias = regions.stream().sorted().distinct().map(Partition::ec2ViaService).toList();
        ObjectNode se = c.putObject("StringEquals");
        if (vias.size() == 1) {
            se.put("kms:ViaService", vias.get(0));
        } else {
            ArrayNode a = se.putArray("kms:ViaService");
            vias.forEach(a::add);
        }
        return c;
    }

    /** The KMS actions EC2 uses on a launched volume's keys besides its grant (launch-paths.md §1.2, §6.4). */
    static final List<String> LAUNCH_KEY_ACTIONS = List.of("kms:GenerateDataKeyWithoutPlaintext", "kms:Decrypt",
            "kms:DescribeKey", "kms:ReEncryptFrom", "kms:ReEncryptTo");

    /** {@code kms:ViaService = ec2.<region>.amazonaws.com} for each region. */
    private static ObjectNode viaServiceCondition(Collection<String> regions) {
        ObjectNode c = F.objectNode();
        List<String> vias = regions.stream().sorted().distinct().map(Partition::ec2ViaService).toList();
        ObjectNode se = c.putObject("StringEquals");
        if (vias.size() == 1) {
            se.put("kms:ViaService", vias.get(0));
        } else {
            ArrayNode a = se.putArray("kms:ViaService");
            vias.forEach(a::add);
        }
        return c;
    }

    /**
     * launch-paths.md §6.4: the identity statement a launching role (CI, Karpenter's controller) needs besides the
     * attach grant: EC2's data-key, decrypt, describe and re-encrypt calls on exactly these keys, only through EC2
     * (https://docs.aws.amazon.com/ebs/latest/userguide/ebs-encryption-requirements.html).
     */
    static ObjectNode identityLaunchKeyStatement(List<String> keyArns, Collection<String> regions) {
        ObjectNode s = F.objectNode();
        s.put("Sid", "AllowEc2LaunchCmkVolumes");
        s.put("Effect", "Allow");
        putStrings(s, "Action", LAUNCH_KEY_ACTIONS);
        putStrings(s, "Resource", keyArns);
        s.set("Condition", viaServiceCondition(regions));
        return s;
    }

    /** The key-policy form of {@link #identityLaunchKeyStatement} for a named principal (Resource "*"). */
    static ObjectNode keyPolicyLaunchKeyStatement(String principalArn, String region) {
        ObjectNode s = F.objectNode();
        s.put("Sid", "AllowEc2LaunchForNamedPrincipal");
        s.put("Effect", "Allow");
        s.putObject("Principal").put("AWS", principalArn);
        putStrings(s, "Action", LAUNCH_KEY_ACTIONS);
        s.put("Resource", "*");
        s.set("Condition", viaServiceCondition(List.of(region)));
        return namePrincipal(s, principalArn);
    }

    /** §6.1: identity statement letting EC2 create its attach grant on exactly these keys. */
    static ObjectNode identityAttachStatement(List<String> keyArns, Collection<String> regions) {
        ObjectNode s = F.objectNode();
        s.put("Sid", "AllowEc2AttachCmkVolumes");
        s.put("Effect", "Allow");
        s.put("Action", "kms:CreateGrant");
        putStrings(s, "Resource", keyArns);
        s.set("Condition", attachCondition(regions));
        return s;
    }

    /** §6.2: key-policy statement naming the principal ({@link #namePrincipal}). */
    static ObjectNode keyPolicyAttachStatement(String principalArn, String region) {
        ObjectNode s = F.objectNode();
        s.put("Sid", "AllowEc2AttachForNamedPrincipal");
        s.put("Effect", "Allow");
        s.putObject("Principal").put("AWS", principalArn);
        s.put("Action", "kms:CreateGrant");
        s.put("Resource", "*");
        s.set("Condition", attachCondition(List.of(region)));
        return namePrincipal(s, principalArn);
    }

    /**
     * Names an IAM Identity Center reserved role in a key-policy statement the way AWS documents: not by its ARN
     * (Identity Center deletes the role when the permission set's last assignment in the account goes and creates
     * it again with another suffix; a resource policy naming the old role then holds a dead unique id), but with
     * {@code Principal "*"} and {@code Condition ArnLike aws:PrincipalArn
     * arn:PARTITION:iam::ACCOUNT:role/aws-reserved/sso.amazonaws.com/REGION-WILDCARD/AWSReservedSSO_<permission set>_*}
     * (REGION-WILDCARD being {@code *})
     * (without the region part when the role's path has none: us-east-1 instances)
     * (https://docs.aws.amazon.com/singlesignon/latest/userguide/referencingpermissionsets.html). The pattern holds
     * the account id, so the statement is not public; like a statement naming the role's ARN, it lets the roles of
     * the key's own account use the key without an IAM allow (the account's root would delegate to IAM instead:
     * https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html#key-policy-default-allow-root-enable-iam).
     * Any other principal is left as it is.
     *
     * @param statement    a statement whose {@code Principal.AWS} is {@code principalArn}; changed in place
     * @param principalArn the principal's ARN
     * @return the statement
     */
    static ObjectNode namePrincipal(ObjectNode statement, String principalArn) {
        String pattern = reservedRolePattern(principalArn);
        if (pattern == null) {
            return statement;
        }
        String sid = textIgnoreCase(statement, "Sid");
        if (sid != null) {
            // one Sid per permission set: the statement is not merged with those naming other principals
            String name = principalArn.substring(principalArn.lastIndexOf('/') + 1);
            statement.put("Sid", sid.replace("NamedPrincipal", "PermissionSet")
                    + io.cmkaudit.snapshot.IdentityCenter.permissionSetNameOf(name).replaceAll("[^A-Za-z0-9]", ""));
        }
        // Principal "*" narrowed by the account's ARN pattern, not the account's root: the root delegates to IAM,
        // so the permission set would have to allow the call too (a second edit, made in the permission set, which
        // other findings of the same permission set write whole); "*" with aws:PrincipalArn names the roles
        // themselves, as naming the role's ARN did (a key policy alone lets principals of its account use the key)
        ((ObjectNode) statement.get("Principal")).put("AWS", "*");
        ObjectNode out = withCondition(statement, "ArnLike", "aws:PrincipalArn", List.of(pattern));
        statement.removeAll();
        statement.setAll(out);
        return statement;
    }

    /**
     * @param principalArn a principal's ARN
     * @return the {@code aws:PrincipalArn} pattern of every role Identity Center creates for its permission set in
     *         its account when it is a reserved role, else null
     */
    static String reservedRolePattern(String principalArn) {
        String marker = ":role" + io.cmkaudit.snapshot.IdentityCenter.RESERVED_ROLE_PATH;
        int at = principalArn == null ? -1 : principalArn.indexOf(marker);
        if (at < 0) {
            return null;
        }
        String name = principalArn.substring(principalArn.lastIndexOf('/') + 1);
        String permissionSet = io.cmkaudit.snapshot.IdentityCenter.permissionSetNameOf(name);
        if (permissionSet == null) {
            return null;
        }
        String middle = principalArn.substring(at + marker.length(), principalArn.lastIndexOf('/') + 1);
        return principalArn.substring(0, at + marker.length()) + (middle.isEmpty() ? "" : "*/")
                + io.cmkaudit.snapshot.IdentityCenter.RESERVED_ROLE_PREFIX + permissionSet + "_*";
    }

    /**
     * The key-use statement AWS documents for a service-linked role (EC2 Auto Scaling) next to the attach statement:
     * the role launches new instances, whose encrypted volumes need these actions as well as the attach grant.
     * https://docs.aws.amazon.com/autoscaling/ec2/userguide/key-policy-requirements-EBS-encryption.html
     *
     * @param principalArn the service-linked role's ARN; never null
     * @return the statement (Sid {@code AllowServiceLinkedRoleUseOfTheKey})
     */
    static ObjectNode keyPolicyServiceLinkedUseStatement(String principalArn) {
        ObjectNode s = F.objectNode();
        s.put("Sid", "AllowServiceLinkedRoleUseOfTheKey");
        s.put("Effect", "Allow");
        s.putObject("Principal").put("AWS", principalArn);
        var a = s.putArray("Action");
        for (String x : List.of("kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*",
                "kms:DescribeKey")) {
            a.add(x);
        }
        s.put("Resource", "*");
        return s;
    }

    /** An SCP statement allowing the attach grant on the key (SCP Allows accept conditions since 2025-09). */
    static ObjectNode scpAttachStatement(String keyArn, String region) {
        ObjectNode s = identityAttachStatement(List.of(keyArn), List.of(region));
        s.put("Sid", "AllowEc2AttachCmkVolumes");
        return s;
    }

    /** An RCP statement allowing the attach grant on the key (RCP statements need {@code Principal "*"}). */
    static ObjectNode rcpAttachStatement(String keyArn, String region) {
        ObjectNode s = F.objectNode();
        s.put("Sid", "AllowEc2AttachCmkVolumes");
        s.put("Effect", "Allow");
        s.put("Principal", "*");
        s.put("Action", "kms:CreateGrant");
        s.put("Resource", keyArn);
        s.set("Condition", attachCondition(List.of(region)));
        return s;
    }

    static void putStrings(ObjectNode s, String field, Collection<String> values) {
        if (values.size() == 1) {
            s.put(field, values.iterator().next());
        } else {
            ArrayNode a = s.putArray(field);
            values.forEach(a::add);
        }
    }

    // ------------------------------------------------------------------ statement edits

    /**
     * Adds a condition to a copy of a statement, merging with an existing block of the same operator (values of
     * the same key are unioned).
     */
    static ObjectNode withCondition(ObjectNode statement, String operator, String key, List<String> values) {
        ObjectNode s = statement.deepCopy();
        ObjectNode cond = s.get("Condition") instanceof ObjectNode c ? c : s.putObject("Condition");
        ObjectNode block = null;
        var it = cond.fieldNames();
        String found = null;
        while (it.hasNext()) {
            String f = it.next();
            if (f.equalsIgnoreCase(operator)) {
                found = f;
            }
        }
        if (found != null && cond.get(found) instanceof ObjectNode b) {
            block = b;
        } else {
            block = cond.putObject(operator);
        }
        String existingKey = null;
        var kit = block.fieldNames();
        while (kit.hasNext()) {
            String f = kit.next();
            if (f.equalsIgnoreCase(key)) {
                existingKey = f;
            }
        }
        Set<String> merged = new LinkedHashSet<>();
        if (existingKey != null) {
            merged.addAll(strings(block.get(existingKey)));
            block.remove(existingKey);
        }
        merged.addAll(values);
        putStrings(block, existingKey != null ? existingKey : key, merged);
        return s;
    }

    /**
     * The exception that lets EC2's forward-access CreateGrant through a Deny: the Deny then applies only when the
     * request does not come through EC2 in that region (aws-rules.md §2.1: a deny that must not block forward
     * access sessions needs an exception for the calling service).
     */
    static ObjectNode ec2ViaServiceException(ObjectNode deny, String region) {
        return withCondition(deny, "StringNotEqualsIfExists", "kms:ViaService",
                List.of(Partition.ec2ViaService(region)));
    }

    /**
     * The exception AWS's data-perimeter samples put on denies for the EC2 identity-only role (aws-rules.md §1.1.7),
     * accepting both documented ARN shapes.
     */
    static ObjectNode ec2InfrastructureException(ObjectNode deny, String partition) {
        return withCondition(deny, "ArnNotLikeIfExists", "aws:PrincipalArn",
                List.of("arn:" + partition + ":iam::*:role/aws:ec2-infrastructure",
                        "arn:" + partition + ":iam::*:role/aws:ec2-infrastructure/*"));
    }

    /**
     * The result of carving actions out of a statement.
     *
     * @param rest    the statement without the carved actions, or null when nothing else remains
     * @param covered the carved actions the statement covered, in canonical case
     */
    record Carved(ObjectNode rest, List<String> covered) {
    }

    /**
     * Removes some actions from what a statement covers, keeping everything else it covers: exact entries are
     * dropped, {@code kms:} wildcards are expanded to the documented actions minus the carved ones, {@code "*"}
     * becomes {@code NotAction}, a {@code NotAction} list gets the carved actions appended.
     *
     * @param statement the statement
     * @param actions   actions to carve out (canonical case, e.g. {@code kms:CreateGrant})
     * @param allKms    whether {@code actions} is every KMS action (then {@code kms:*} is written instead of the list)
     * @return the carved statement, or null when the statement's actions can't be carved (a non-{@code kms:}
     *         wildcard such as {@code k*} that covers them)
     */
    static Carved carve(ObjectNode statement, List<String> actions, boolean allKms) {
        ObjectNode s = statement.deepCopy();
        List<String> covered = new ArrayList<>();
        JsonNode act = fieldIgnoreCase(s, "Action");
        JsonNode notAct = fieldIgnoreCase(s, "NotAction");
        if (act != null) {
            List<String> entries = strings(act);
            for (String a : actions) {
                if (entries.stream().anyMatch(e -> glob(e, a))) {
                    covered.add(a);
                }
            }
            if (entries.stream().anyMatch(e -> e.trim().equals("*"))) {
                removeIgnoreCase(s, "Action");
                putStrings(s, "NotAction", allKms ? List.of("kms:*") : covered);
                return new Carved(canonical(s), covered);
            }
            List<String> kept = new ArrayList<>();
            for (String e : entries) {
                boolean hits = covered.stream().anyMatch(a -> glob(e, a));
                if (!hits) {
                    kept.add(e);
                } else if (e.indexOf('*') < 0 && e.indexOf('?') < 0) {
                    continue;
                } else if (e.toLowerCase(Locale.ROOT).startsWith("kms:")) {
                    for (String k : KMS_ACTIONS) {
                        if (glob(e, k) && covered.stream().noneMatch(c -> c.equalsIgnoreCase(k))) {
                            kept.add(k);
                        }
                    }
                } else {
                    return null;
                }
            }
            removeIgnoreCase(s, "Action");
            if (kept.isEmpty()) {
                return new Carved(null, covered);
            }
            putStrings(s, "Action", new LinkedHashSet<>(kept));
            return new Carved(canonical(s), covered);
        }
        if (notAct != null) {
            List<String> entries = strings(notAct);
            for (String a : actions) {
                if (entries.stream().noneMatch(e -> glob(e, a))) {
                    covered.add(a);
                }
            }
            Set<String> more = new LinkedHashSet<>(entries);
            if (allKms) {
                more.add("kms:*");
            } else {
                more.addAll(covered);
            }
            removeIgnoreCase(s, "NotAction");
            putStrings(s, "NotAction", more);
            return new Carved(canonical(s), covered);
        }
        return null;
    }

    private static final List<String> ELEMENT_ORDER = List.of("Sid", "Effect", "Principal", "NotPrincipal", "Action",
            "NotAction", "Resource", "NotResource", "Condition");

    /** @return a copy with the statement's elements in the usual order (unknown elements last) */
    static ObjectNode canonical(ObjectNode statement) {
        ObjectNode out = F.objectNode();
        for (String e : ELEMENT_ORDER) {
            var it = statement.fieldNames();
            while (it.hasNext()) {
                String f = it.next();
                if (f.equalsIgnoreCase(e)) {
                    out.set(f, statement.get(f));
                }
            }
        }
        statement.fieldNames().forEachRemaining(f -> {
            if (!out.has(f)) {
                out.set(f, statement.get(f));
            }
        });
        return out;
    }

    /** A copy of the statement with other actions, resources and an optional Sid suffix. */
    static ObjectNode derive(ObjectNode statement, List<String> actions, List<String> resources, String sidSuffix) {
        ObjectNode s = F.objectNode();
        String sid = textIgnoreCase(statement, "Sid");
        if (sidSuffix != null) {
            s.put("Sid", (sid == null ? "" : sid.replaceAll("[^A-Za-z0-9]", "")) + sidSuffix);
        } else if (sid != null) {
            s.put("Sid", sid);
        }
        s.put("Effect", "Allow");
        for (String p : List.of("Principal", "NotPrincipal")) {
            JsonNode v = fieldIgnoreCase(statement, p);
            if (v != null) {
                s.set(p, v.deepCopy());
            }
        }
        putStrings(s, "Action", actions);
        if (resources != null) {
            putStrings(s, "Resource", resources);
        } else {
            for (String p : List.of("Resource", "NotResource")) {
                JsonNode v = fieldIgnoreCase(statement, p);
                if (v != null) {
                    s.set(p, v.deepCopy());
                }
            }
        }
        JsonNode c = fieldIgnoreCase(statement, "Condition");
        if (c != null) {
            s.set("Condition", c.deepCopy());
        }
        return s;
    }

    /** @return whether the statement's resource is {@code "*"} (a string or an array containing it) */
    static boolean resourceIsStar(ObjectNode statement) {
        JsonNode r = fieldIgnoreCase(statement, "Resource");
        return r != null && strings(r).stream().anyMatch(v -> v.trim().equals("*"));
    }

    static JsonNode fieldIgnoreCase(ObjectNode o, String name) {
        var it = o.fieldNames();
        while (it.hasNext()) {
            String f = it.next();
            if (f.equalsIgnoreCase(name)) {
                return o.get(f);
            }
        }
        return null;
    }

    static String textIgnoreCase(ObjectNode o, String name) {
        JsonNode n = fieldIgnoreCase(o, name);
        return n != null && n.isTextual() ? n.asText() : null;
    }

    private static void removeIgnoreCase(ObjectNode o, String name) {
        List<String> rm = new ArrayList<>();
        o.fieldNames().forEachRemaining(f -> {
            if (f.equalsIgnoreCase(name)) {
                rm.add(f);
            }
        });
        rm.forEach(o::remove);
    }

    /** Case-insensitive action glob with {@code *} and {@code ?}, as IAM matches action names. */
    static boolean glob(String pattern, String value) {
        return Wildcard.matches(pattern, value, Wildcard.Mode.ACTION);
    }
}
