package io.cmkaudit.policy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads cases of the {@code simulate} format ({@code docs/design/simulate-format.md}) from a Jackson tree: one
 * case object or an array of them. Malformed cases raise {@link SimulationCaseException} naming the case (index and
 * name) and the field; malformed <i>policy documents</i> are not an error of the case file: they become
 * {@link SimulationCase#diagnostics()} and are evaluated as described in {@link PolicyParser}.
 *
 * <p>Besides the fields of the format, a case may carry documentation fields ({@code description},
 * {@code comment}, {@code source}, {@code sources}, {@code reference}, {@code references}, {@code notes},
 * {@code doc}, {@code docs}), which are ignored; any other unknown field is an error, so that a misspelt field
 * cannot silently change a case. Extra accepted fields: {@code principal.accountId}, {@code principal.roleArn};
 * {@code policies.resourceInManagementAccount} and {@code policies.awsManagedKey} (booleans, default false).
 */
public final class SimulationCaseReader {
    private static final Set<String> DOC_FIELDS = Set.of("description", "comment", "comments", "source", "sources",
            "reference", "references", "notes", "note", "doc", "docs", "why", "citation", "citations");
    private static final Set<String> CASE_FIELDS = Set.of("name", "request", "principal", "policies", "expected");
    private static final Set<String> REQUEST_FIELDS = Set.of("principal", "action", "resource", "resourceAccount",
            "context", "unknownKeys");
    private static final Set<String> PRINCIPAL_FIELDS = Set.of("type", "isServiceLinkedRole", "inManagementAccount",
            "accountId", "roleArn");
    private static final Set<String> POLICIES_FIELDS = Set.of("identity", "permissionsBoundary", "session",
            "scpLevels", "rcpLevels", "resource", "grants", "keyState", "resourceInManagementAccount",
            "awsManagedKey");
    private static final Set<String> POLICY_FIELDS = Set.of("name", "document");
    private static final Set<String> GRANT_FIELDS = Set.of("granteePrincipal", "operations", "constraints",
            "grantId", "name", "retiringPrincipal");
    private static final Set<String> CONSTRAINT_FIELDS = Set.of("encryptionContextEquals", "encryptionContextSubset");
    private static final Set<String> EXPECTED_FIELDS = Set.of("decision", "decidedBy", "matched", "keyUsable");
    private static final Set<String> MATCH_FIELDS = Set.of("layer", "policy", "statement", "sid", "index", "effect");

    private SimulationCaseReader() {
    }

    /**
     * @param root one case object or an array of case objects
     * @return the cases in file order; never null
     * @throws SimulationCaseException when a case is malformed; the message names the case and field
     */
    public static List<SimulationCase> read(JsonNode root) throws SimulationCaseException {
        List<SimulationCase> out = new ArrayList<>();
        if (root == null || root.isMissingNode()) {
            throw new SimulationCaseException("file is empty");
        }
        if (root.isArray()) {
            if (root.isEmpty()) {
                throw new SimulationCaseException("file holds an empty array; expected at least one case");
            }
            for (int i = 0; i < root.size(); i++) {
                out.add(readCase(root.get(i), i));
            }
        } else if (root.isObject()) {
            out.add(readCase(root, 0));
        } else {
            throw new SimulationCaseException("file must hold a case object or an array of them, not a "
                    + kind(root));
        }
        return out;
    }

    private static final class Ctx {
        final int index;
        final String name;

        Ctx(int index, String name) {
            this.index = index;
            this.name = name;
        }

        SimulationCaseException fail(String field, String problem) {
            return new SimulationCaseException("case " + index + (name == null ? "" : " (`" + name + "`)")
                    + ": field `" + field + "` " + problem);
        }
    }

    private static SimulationCase readCase(JsonNode c, int index) throws SimulationCaseException {
        String name = null;
        if (c != null && c.isObject() && c.get("name") != null && c.get("name").isTextual()) {
            name = c.get("name").asText();
        }
        Ctx x = new Ctx(index, name);
        if (c == null || !c.isObject()) {
            throw x.fail("(case)", "must be an object, not a " + kind(c));
        }
        checkFields(c, CASE_FIELDS, "", x);
        if (c.get("name") != null && !c.get("name").isTextual()) {
            throw x.fail("name", "must be a string");
        }
        JsonNode rq = c.get("request");
        if (rq == null || !rq.isObject()) {
            throw x.fail("request", rq == null ? "is missing" : "must be an object");
        }
        checkFields(rq, REQUEST_FIELDS, "request.", x);
        String principalArn = requiredString(rq, "principal", "request.", x);
        String action = requiredString(rq, "action", "request.", x);
        if (!action.equals("*") && action.indexOf(':') <= 0) {
            throw x.fail("request.action", "must be `service:Action`, not `" + action + "`");
        }
        String resource = requiredString(rq, "resource", "request.", x);
        String resourceAccount = optionalString(rq, "resourceAccount", "request.", x);
        Context.Builder cb = Context.builder();
        JsonNode ctxNode = rq.get("context");
        if (ctxNode != null && !ctxNode.isNull()) {
            if (!ctxNode.isObject()) {
                throw x.fail("request.context", "must be an object of key: value or [values]");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = ctxNode.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> e = it.next();
                String f = "request.context." + e.getKey();
                JsonNode v = e.getValue();
                if (v.isArray()) {
                    List<String> values = new ArrayList<>();
                    for (int i = 0; i < v.size(); i++) {
                        if (!v.get(i).isValueNode() || v.get(i).isNull()) {
                            throw x.fail(f + "[" + i + "]", "must be a string");
                        }
                        values.add(v.get(i).asText());
                    }
                    cb.put(e.getKey(), values);
                } else if (v.isValueNode() && !v.isNull()) {
                    cb.put(e.getKey(), v.asText());
                } else {
                    throw x.fail(f, "must be a string or an array of strings");
                }
            }
        }
        JsonNode unknown = rq.get("unknownKeys");
        if (unknown != null && !unknown.isNull()) {
            if (!unknown.isArray()) {
                throw x.fail("request.unknownKeys", "must be an array of condition keys");
            }
            for (int i = 0; i < unknown.size(); i++) {
                if (!unknown.get(i).isTextual() || unknown.get(i).asText().isEmpty()) {
                    throw x.fail("request.unknownKeys[" + i + "]", "must be a non-empty string");
                }
                cb.unknown(unknown.get(i).asText());
            }
        }
        Request request = new Request(principalArn, action, resource, resourceAccount, cb.build());

        PrincipalInfo principal = readPrincipal(c.get("principal"), principalArn, x);

        List<SimulationCase.PolicyDiagnostic> diags = new ArrayList<>();
        PolicySet.Builder pb = PolicySet.builder();
        JsonNode pol = c.get("policies");
        if (pol != null && !pol.isNull()) {
            if (!pol.isObject()) {
                throw x.fail("policies", "must be an object");
            }
            checkFields(pol, POLICIES_FIELDS, "policies.", x);
            JsonNode identity = pol.get("identity");
            if (identity != null && !identity.isNull()) {
                pb.identity(policyList(identity, "policies.identity", x, diags));
            }
            pb.permissionsBoundary(optionalPolicy(pol.get("permissionsBoundary"), "policies.permissionsBoundary", x,
                    diags));
            pb.session(optionalPolicy(pol.get("session"), "policies.session", x, diags));
            pb.scpLevels(levels(pol.get("scpLevels"), "policies.scpLevels", x, diags));
            pb.rcpLevels(levels(pol.get("rcpLevels"), "policies.rcpLevels", x, diags));
            pb.resourcePolicy(optionalPolicy(pol.get("resource"), "policies.resource", x, diags));
            JsonNode grants = pol.get("grants");
            if (grants != null && !grants.isNull()) {
                if (!grants.isArray()) {
                    throw x.fail("policies.grants", "must be an array of grants");
                }
                for (int i = 0; i < grants.size(); i++) {
                    pb.grant(readGrant(grants.get(i), "policies.grants[" + i + "]", x));
                }
            }
            pb.keyState(optionalString(pol, "keyState", "policies.", x));
            pb.resourceInManagementAccount(optionalBool(pol, "resourceInManagementAccount", "policies.", x));
            pb.awsManagedKey(optionalBool(pol, "awsManagedKey", "policies.", x));
        }
        SimulationCase.Expected expected = readExpected(c.get("expected"), x);
        return new SimulationCase(index, name != null ? name : "case " + index, request, principal, pb.build(), diags,
                expected);
    }

    private static PrincipalInfo readPrincipal(JsonNode p, String arn, Ctx x) throws SimulationCaseException {
        PrincipalType inferred = PrincipalInfo.inferType(arn);
        if (p == null || p.isNull()) {
            if (inferred == null) {
                throw x.fail("request.principal", "`" + arn + "` is not a user, role, session, root or service "
                        + "principal; give `principal.type`");
            }
            return PrincipalInfo.fromArn(arn);
        }
        if (!p.isObject()) {
            throw x.fail("principal", "must be an object");
        }
        checkFields(p, PRINCIPAL_FIELDS, "principal.", x);
        PrincipalType type = inferred;
        String t = optionalString(p, "type", "principal.", x);
        if (t != null) {
            type = principalType(t);
            if (type == null) {
                throw x.fail("principal.type", "must be one of `user`, `role`, `assumed-role`, `federated-user`, "
                        + "`root`, `service`, not `" + t + "`");
            }
        }
        if (type == null) {
            throw x.fail("principal.type", "is missing and cannot be derived from `" + arn + "`");
        }
        PrincipalInfo derived = inferred != null ? PrincipalInfo.fromArn(arn) : null;
        String account = optionalString(p, "accountId", "principal.", x);
        if (account == null && type != PrincipalType.SERVICE) {
            account = PrincipalInfo.accountOf(arn);
        }
        String roleArn = optionalString(p, "roleArn", "principal.", x);
        if (roleArn == null && type == PrincipalType.ROLE_SESSION) {
            roleArn = PrincipalInfo.sessionRoleArn(arn);
        }
        boolean slr = p.has("isServiceLinkedRole") ? optionalBool(p, "isServiceLinkedRole", "principal.", x)
                : derived != null && derived.isServiceLinkedRole();
        boolean mgmt = optionalBool(p, "inManagementAccount", "principal.", x);
        return new PrincipalInfo(type, account, slr, mgmt, roleArn);
    }

    static PrincipalType principalType(String t) {
        switch (t.toLowerCase(Locale.ROOT).replace("_", "-")) {
            case "user":
            case "iam-user":
                return PrincipalType.USER;
            case "role":
            case "iam-role":
                return PrincipalType.ROLE;
            case "assumed-role":
            case "assumedrole":
            case "role-session":
            case "rolesession":
            case "session":
                return PrincipalType.ROLE_SESSION;
            case "federated-user":
            case "federateduser":
            case "federated":
                return PrincipalType.FEDERATED_USER;
            case "root":
            case "account":
                return PrincipalType.ROOT;
            case "service":
                return PrincipalType.SERVICE;
            default:
                return null;
        }
    }

    private static Grant readGrant(JsonNode g, String f, Ctx x) throws SimulationCaseException {
        if (g == null || !g.isObject()) {
            throw x.fail(f, "must be an object");
        }
        checkFields(g, GRANT_FIELDS, f + ".", x);
        String grantee = requiredString(g, "granteePrincipal", f + ".", x);
        JsonNode ops = g.get("operations");
        if (ops == null || !ops.isArray() || ops.isEmpty()) {
            throw x.fail(f + ".operations", ops == null ? "is missing" : "must be a non-empty array of operations");
        }
        List<String> operations = new ArrayList<>();
        for (int i = 0; i < ops.size(); i++) {
            if (!ops.get(i).isTextual()) {
                throw x.fail(f + ".operations[" + i + "]", "must be a string such as `Decrypt`");
            }
            operations.add(ops.get(i).asText());
        }
        Grant.Constraints constraints = null;
        JsonNode cn = g.get("constraints");
        if (cn != null && !cn.isNull()) {
            if (!cn.isObject()) {
                throw x.fail(f + ".constraints", "must be an object or null");
            }
            checkFields(cn, CONSTRAINT_FIELDS, f + ".constraints.", x);
            constraints = new Grant.Constraints(stringMap(cn.get("encryptionContextEquals"),
                    f + ".constraints.encryptionContextEquals", x),
                    stringMap(cn.get("encryptionContextSubset"), f + ".constraints.encryptionContextSubset", x));
        }
        return new Grant(optionalString(g, "grantId", f + ".", x), optionalString(g, "name", f + ".", x), grantee,
                operations, constraints);
    }

    private static Map<String, String> stringMap(JsonNode n, String f, Ctx x) throws SimulationCaseException {
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isObject()) {
            throw x.fail(f, "must be an object of strings");
        }
        Map<String, String> m = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()) {
                throw x.fail(f + "." + e.getKey(), "must be a string");
            }
            m.put(e.getKey(), e.getValue().asText());
        }
        return m;
    }

    private static SimulationCase.Expected readExpected(JsonNode e, Ctx x) throws SimulationCaseException {
        if (e == null || e.isNull()) {
            return null;
        }
        if (!e.isObject()) {
            throw x.fail("expected", "must be an object");
        }
        checkFields(e, EXPECTED_FIELDS, "expected.", x);
        String d = requiredString(e, "decision", "expected.", x);
        DecisionKind kind;
        try {
            kind = DecisionKind.valueOf(d.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException ex) {
            throw x.fail("expected.decision", "must be ALLOWED, IMPLICIT_DENY, EXPLICIT_DENY or CONDITIONAL, not `"
                    + d + "`");
        }
        List<Layer> decidedBy = null;
        JsonNode by = e.get("decidedBy");
        if (by != null && !by.isNull()) {
            if (!by.isArray()) {
                throw x.fail("expected.decidedBy", "must be an array of layer names");
            }
            decidedBy = new ArrayList<>();
            for (int i = 0; i < by.size(); i++) {
                Layer l = by.get(i).isTextual() ? Layer.byId(by.get(i).asText()) : null;
                if (l == null) {
                    throw x.fail("expected.decidedBy[" + i + "]", "must be one of identity, boundary, session, scp, "
                            + "rcp, resource, grant, keyState, not `" + by.get(i).asText() + "`");
                }
                decidedBy.add(l);
            }
        }
        List<SimulationCase.ExpectedMatch> matched = null;
        JsonNode m = e.get("matched");
        if (m != null && !m.isNull()) {
            if (!m.isArray()) {
                throw x.fail("expected.matched", "must be an array");
            }
            matched = new ArrayList<>();
            for (int i = 0; i < m.size(); i++) {
                matched.add(readMatch(m.get(i), "expected.matched[" + i + "]", x));
            }
        }
        boolean kuGiven = e.has("keyUsable");
        Boolean keyUsable = null;
        if (kuGiven && !e.get("keyUsable").isNull()) {
            if (!e.get("keyUsable").isBoolean()) {
                throw x.fail("expected.keyUsable", "must be true, false or null");
            }
            keyUsable = e.get("keyUsable").asBoolean();
        }
        return new SimulationCase.Expected(kind, decidedBy, matched, keyUsable, kuGiven);
    }

    private static SimulationCase.ExpectedMatch readMatch(JsonNode n, String f, Ctx x)
            throws SimulationCaseException {
        if (n.isTextual()) {
            // "policy/statement" or "layer:policy/statement"
            String s = n.asText();
            Layer layer = null;
            int colon = s.indexOf(':');
            if (colon > 0 && Layer.byId(s.substring(0, colon)) != null) {
                layer = Layer.byId(s.substring(0, colon));
                s = s.substring(colon + 1);
            }
            int slash = s.lastIndexOf('/');
            if (slash <= 0) {
                throw x.fail(f, "must be `policy/statement` or an object {policy, statement}");
            }
            return new SimulationCase.ExpectedMatch(layer, s.substring(0, slash), s.substring(slash + 1), null);
        }
        if (!n.isObject()) {
            throw x.fail(f, "must be a string or an object");
        }
        checkFields(n, MATCH_FIELDS, f + ".", x);
        Layer layer = null;
        String l = optionalString(n, "layer", f + ".", x);
        if (l != null) {
            layer = Layer.byId(l);
            if (layer == null) {
                throw x.fail(f + ".layer", "is not a layer name: `" + l + "`");
            }
        }
        String statement = optionalString(n, "statement", f + ".", x);
        if (statement == null) {
            statement = optionalString(n, "sid", f + ".", x);
        }
        if (statement == null && n.has("index")) {
            if (!n.get("index").isInt()) {
                throw x.fail(f + ".index", "must be an integer");
            }
            statement = String.valueOf(n.get("index").asInt());
        }
        Effect effect = null;
        String ef = optionalString(n, "effect", f + ".", x);
        if (ef != null) {
            if (ef.equalsIgnoreCase("Allow")) {
                effect = Effect.ALLOW;
            } else if (ef.equalsIgnoreCase("Deny")) {
                effect = Effect.DENY;
            } else {
                throw x.fail(f + ".effect", "must be Allow or Deny");
            }
        }
        return new SimulationCase.ExpectedMatch(layer, optionalString(n, "policy", f + ".", x), statement, effect);
    }

    private static List<List<Policy>> levels(JsonNode n, String f, Ctx x, List<SimulationCase.PolicyDiagnostic> d)
            throws SimulationCaseException {
        List<List<Policy>> out = new ArrayList<>();
        if (n == null || n.isNull()) {
            return out;
        }
        if (!n.isArray()) {
            throw x.fail(f, "must be an array of levels (each an array of policies)");
        }
        for (int i = 0; i < n.size(); i++) {
            JsonNode level = n.get(i);
            if (!level.isArray()) {
                throw x.fail(f + "[" + i + "]", "must be an array of policies (one level)");
            }
            out.add(policyList(level, f + "[" + i + "]", x, d));
        }
        return out;
    }

    private static List<Policy> policyList(JsonNode n, String f, Ctx x, List<SimulationCase.PolicyDiagnostic> d)
            throws SimulationCaseException {
        if (!n.isArray()) {
            throw x.fail(f, "must be an array of {name, document}");
        }
        List<Policy> out = new ArrayList<>();
        for (int i = 0; i < n.size(); i++) {
            out.add(policy(n.get(i), f + "[" + i + "]", x, d));
        }
        return out;
    }

    private static Policy optionalPolicy(JsonNode n, String f, Ctx x, List<SimulationCase.PolicyDiagnostic> d)
            throws SimulationCaseException {
        return n == null || n.isNull() ? null : policy(n, f, x, d);
    }

    private static Policy policy(JsonNode n, String f, Ctx x, List<SimulationCase.PolicyDiagnostic> d)
            throws SimulationCaseException {
        if (n == null || !n.isObject()) {
            throw x.fail(f, "must be an object {name, document}");
        }
        checkFields(n, POLICY_FIELDS, f + ".", x);
        String name = optionalString(n, "name", f + ".", x);
        if (name == null) {
            name = f.substring("policies.".length());
        }
        JsonNode doc = n.get("document");
        if (doc == null) {
            throw x.fail(f + ".document", "is missing");
        }
        ParsedPolicy parsed = PolicyParser.parse(name, doc);
        for (Diagnostic diag : parsed.diagnostics()) {
            d.add(new SimulationCase.PolicyDiagnostic(f, name, diag));
        }
        return parsed.forEvaluation(name);
    }

    private static void checkFields(JsonNode n, Set<String> allowed, String prefix, Ctx x)
            throws SimulationCaseException {
        for (Iterator<String> it = n.fieldNames(); it.hasNext();) {
            String f = it.next();
            if (!allowed.contains(f) && !DOC_FIELDS.contains(f) && !f.startsWith("_")) {
                throw x.fail(prefix + f, "is not a field of the simulate format");
            }
        }
    }

    private static String requiredString(JsonNode n, String field, String prefix, Ctx x)
            throws SimulationCaseException {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            throw x.fail(prefix + field, "is missing");
        }
        if (!v.isTextual() || v.asText().isEmpty()) {
            throw x.fail(prefix + field, "must be a non-empty string");
        }
        return v.asText();
    }

    private static String optionalString(JsonNode n, String field, String prefix, Ctx x)
            throws SimulationCaseException {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw x.fail(prefix + field, "must be a string");
        }
        return v.asText();
    }

    private static boolean optionalBool(JsonNode n, String field, String prefix, Ctx x)
            throws SimulationCaseException {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return false;
        }
        if (!v.isBoolean()) {
            throw x.fail(prefix + field, "must be true or false");
        }
        return v.asBoolean();
    }

    private static String kind(JsonNode n) {
        if (n == null) {
            return "nothing";
        }
        return n.isObject() ? "object" : n.isArray() ? "array" : n.isTextual() ? "string" : n.isNumber() ? "number"
                : n.isBoolean() ? "boolean" : "null";
    }
}
