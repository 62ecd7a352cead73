package io.cmkaudit.policy;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parses IAM policy documents (identity policies, permissions boundaries, session policies, SCPs, RCPs, resource
 * policies such as KMS key policies) into the immutable {@link Policy} model, collecting every problem as a
 * {@link Diagnostic} with the JSON path of the bad element. It never throws for bad input.
 *
 * <p>Grammar: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html and the element pages
 * under https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html . A statement is an object
 * with {@code Sid}, {@code Effect} ({@code Allow}|{@code Deny}), one of {@code Principal}/{@code NotPrincipal}
 * (optional), one of {@code Action}/{@code NotAction}, one of {@code Resource}/{@code NotResource} and an optional
 * {@code Condition}; {@code Statement} is one such object or an array of them; values are a string or an array of
 * strings; condition values may also be JSON booleans and numbers (taken as their text).
 *
 * <p><b>What happens to the other statements of a policy with a bad one.</b> AWS validates a whole document when it
 * is written and rejects it entirely if any part is malformed: IAM answers {@code MalformedPolicyDocument}
 * (https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreatePolicy.html ,
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_policy-validator.html), KMS
 * {@code MalformedPolicyDocumentException} (https://docs.aws.amazon.com/kms/latest/APIReference/API_PutKeyPolicy.html),
 * Organizations {@code MalformedPolicyDocumentException}
 * (https://docs.aws.amazon.com/organizations/latest/APIReference/API_CreatePolicy.html). So a document stored in AWS
 * is always valid as a whole, and a document this parser cannot read is either damaged on the way or uses grammar
 * this parser does not know; in both cases its bad part has <i>some</i> meaning in AWS that we cannot know. The
 * scanner therefore neither drops the bad part (that could hide a Deny and report false access) nor rejects the
 * whole policy (that could hide an Allow and report false denials). Instead:
 * <ul>
 *   <li>good statements are evaluated normally: statements are independent in AWS's logic (any matching Deny
 *       denies, any matching Allow allows), so a bad neighbour does not change what a good statement means;</li>
 *   <li>a bad part of a statement (listed in {@link Statement#unparsed()}, or a condition with
 *       {@link Condition#valid()} false) matches as "unknown"; a statement with an unreadable {@code Effect} counts
 *       as a possible Allow and a possible Deny. Decisions that depend on it are {@link DecisionKind#CONDITIONAL}
 *       with a {@link ResidualCondition} of reason {@link ResidualCondition.Reason#UNPARSEABLE}, so the analysis
 *       can report {@code POLICY_UNPARSEABLE} and mark those principals uncertain;</li>
 *   <li>a document-level problem (invalid JSON, not an object, unknown top-level element, invalid {@code Version},
 *       {@code Statement} missing or of the wrong type) makes the whole document one unknown statement
 *       ({@link Policy#unparseable}).</li>
 * </ul>
 * {@link Diagnostic.Severity#WARNING}s (legacy {@code NotPrincipal} with Allow, duplicate Sid, size over AWS's
 * limit, variables in a pre-2012 policy, unique-id principals) do not change evaluation.
 *
 * <p>Thread-safe; all methods are static.
 */
public final class PolicyParser {
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .disable(JsonReadFeature.ALLOW_JAVA_COMMENTS)
            .build();
    private static final Set<String> TOP = Set.of("Version", "Id", "Statement");
    private static final Set<String> ELEMENTS = Set.of("Sid", "Effect", "Principal", "NotPrincipal", "Action",
            "NotAction", "Resource", "NotResource", "Condition");
    private static final Set<String> PRINCIPAL_KEYS = Set.of("AWS", "Service", "Federated", "CanonicalUser");

    private PolicyParser() {
    }

    /**
     * Parses a policy from JSON text.
     *
     * @param policyName the name to give the policy (shown in decisions and messages); never null
     * @param json       the document text; null or invalid JSON gives a null policy and an {@code INVALID_JSON}
     *                   diagnostic
     * @return the policy and its diagnostics; never null
     */
    public static ParsedPolicy parse(String policyName, String json) {
        return parse(policyName, json, PolicyKind.ANY);
    }

    /**
     * Parses a policy from JSON text and checks AWS's size limit for its kind.
     *
     * @param policyName the name to give the policy; never null
     * @param json       the document text
     * @param kind       where the policy is used, for the size limit; never null
     * @return the policy and its diagnostics; never null
     */
    public static ParsedPolicy parse(String policyName, String json, PolicyKind kind) {
        if (json == null) {
            return new ParsedPolicy(null, List.of(error("INVALID_JSON", "no policy document", "")));
        }
        JsonNode doc;
        try {
            try (JsonParser p = MAPPER.createParser(json)) {
                doc = MAPPER.readTree(p);
                if (p.nextToken() != null) {
                    return new ParsedPolicy(null,
                            List.of(error("INVALID_JSON", "unexpected content after the policy document", "")));
                }
            }
        } catch (Exception e) {
            return new ParsedPolicy(null, List.of(error("INVALID_JSON", "invalid json: " + oneLine(e.getMessage()), "")));
        }
        if (doc == null) {
            return new ParsedPolicy(null, List.of(error("INVALID_JSON", "empty policy document", "")));
        }
        ParsedPolicy parsed = parse(policyName, doc);
        int size = kind.sizeOf(json);
        if (size > kind.limit()) {
            List<Diagnostic> d = new ArrayList<>(parsed.diagnostics());
            d.add(new Diagnostic("POLICY_TOO_LARGE", "policy size " + size + " exceeds the aws limit of "
                    + kind.limit() + " for a `" + kind.name().toLowerCase(java.util.Locale.ROOT) + "` policy", "",
                    Diagnostic.Severity.WARNING));
            return new ParsedPolicy(parsed.policy(), d);
        }
        return parsed;
    }

    /**
     * Parses a policy from a Jackson tree.
     *
     * @param policyName the name to give the policy; never null
     * @param doc        the document; null or a non-object gives a null policy and a diagnostic
     * @return the policy and its diagnostics; never null
     */
    public static ParsedPolicy parse(String policyName, JsonNode doc) {
        List<Diagnostic> diags = new ArrayList<>();
        if (doc == null || doc.isMissingNode() || doc.isNull()) {
            diags.add(error("INVALID_JSON", "no policy document", ""));
            return new ParsedPolicy(null, diags);
        }
        if (doc.isTextual()) {
            // documents are sometimes stored as a JSON string holding the JSON text
            return parse(policyName, doc.asText());
        }
        if (!doc.isObject()) {
            diags.add(error("NOT_AN_OBJECT", "policy document is a " + kind(doc) + ", not an object", ""));
            return new ParsedPolicy(null, diags);
        }
        boolean documentBad = false;
        for (Iterator<String> it = doc.fieldNames(); it.hasNext();) {
            String f = it.next();
            if (!TOP.contains(f)) {
                diags.add(error("UNKNOWN_ELEMENT", "unknown top-level element `" + f + "`", f));
                documentBad = true;
            }
        }
        String version = null;
        JsonNode v = doc.get("Version");
        if (v != null) {
            if (v.isTextual() && (v.asText().equals(Policy.VERSION_2012) || v.asText().equals("2008-10-17"))) {
                version = v.asText();
            } else {
                diags.add(error("INVALID_VERSION", "version must be `2012-10-17` or `2008-10-17`, not `"
                        + text(v) + "`", "Version"));
                documentBad = true;
            }
        }
        String id = null;
        JsonNode idNode = doc.get("Id");
        if (idNode != null) {
            if (idNode.isTextual()) {
                id = idNode.asText();
            } else {
                diags.add(error("INVALID_ID", "id must be a string, not a " + kind(idNode), "Id"));
            }
        }
        boolean vars = Policy.VERSION_2012.equals(version);
        JsonNode st = doc.get("Statement");
        List<Statement> statements = new ArrayList<>();
        if (st == null) {
            diags.add(error("MISSING_STATEMENT", "policy has no `Statement` element", ""));
            documentBad = true;
        } else if (st.isObject()) {
            statements.add(parseStatement(st, 0, "Statement", vars, diags));
        } else if (st.isArray()) {
            if (st.isEmpty()) {
                diags.add(warning("EMPTY_STATEMENT", "policy has no statements", "Statement"));
            }
            for (int i = 0; i < st.size(); i++) {
                statements.add(parseStatement(st.get(i), i, "Statement[" + i + "]", vars, diags));
            }
        } else {
            diags.add(error("INVALID_STATEMENT", "`Statement` must be an object or an array, not a " + kind(st),
                    "Statement"));
            documentBad = true;
        }
        if (!documentBad) {
            checkSids(statements, diags);
            if (version == null && containsVariable(doc)) {
                diags.add(warning("VARIABLES_NEED_2012_VERSION", "policy variables are plain text without "
                        + "`\"Version\": \"2012-10-17\"`", "Version"));
            }
        }
        List<Statement> result = documentBad ? List.of(Statement.opaque(0, "")) : statements;
        return new ParsedPolicy(new Policy(policyName, version, id, result), diags);
    }

    private static void checkSids(List<Statement> statements, List<Diagnostic> diags) {
        Set<String> seen = new HashSet<>();
        for (Statement s : statements) {
            if (s.sid() != null && !s.sid().isEmpty() && !seen.add(s.sid())) {
                diags.add(warning("DUPLICATE_SID", "sid `" + s.sid() + "` is used by more than one statement",
                        s.path() + ".Sid"));
            }
        }
    }

    private static boolean containsVariable(JsonNode n) {
        if (n.isTextual()) {
            return n.asText().contains("${");
        }
        for (JsonNode c : n) {
            if (containsVariable(c)) {
                return true;
            }
        }
        return false;
    }

    private static Statement parseStatement(JsonNode n, int index, String path, boolean vars, List<Diagnostic> d) {
        if (!n.isObject()) {
            d.add(error("INVALID_STATEMENT", "statement must be an object, not a " + kind(n), path));
            return Statement.opaque(index, path);
        }
        EnumSet<StatementElement> bad = EnumSet.noneOf(StatementElement.class);
        for (Iterator<String> it = n.fieldNames(); it.hasNext();) {
            String f = it.next();
            if (!ELEMENTS.contains(f)) {
                d.add(error("UNKNOWN_ELEMENT", "unknown statement element `" + f + "`", path + "." + f));
                bad.add(StatementElement.STATEMENT);
            }
        }
        String sid = null;
        JsonNode sidNode = n.get("Sid");
        if (sidNode != null) {
            if (sidNode.isTextual()) {
                sid = sidNode.asText();
            } else {
                d.add(error("INVALID_SID", "sid must be a string, not a " + kind(sidNode), path + ".Sid"));
            }
        }
        Effect effect = null;
        JsonNode e = n.get("Effect");
        if (e == null) {
            d.add(error("MISSING_EFFECT", "statement has no `Effect`", path));
            bad.add(StatementElement.EFFECT);
        } else if (e.isTextual() && e.asText().equals("Allow")) {
            effect = Effect.ALLOW;
        } else if (e.isTextual() && e.asText().equals("Deny")) {
            effect = Effect.DENY;
        } else {
            d.add(error("INVALID_EFFECT", "effect must be `Allow` or `Deny`, not `" + text(e) + "`", path + ".Effect"));
            bad.add(StatementElement.EFFECT);
        }

        Principals principal = null;
        Principals notPrincipal = null;
        JsonNode p = n.get("Principal");
        JsonNode np = n.get("NotPrincipal");
        if (p != null && np != null) {
            d.add(error("PRINCIPAL_AND_NOT_PRINCIPAL", "statement has both `Principal` and `NotPrincipal`", path));
            bad.add(StatementElement.PRINCIPAL);
        } else if (p != null) {
            principal = parsePrincipal(p, path + ".Principal", d, bad);
        } else if (np != null) {
            notPrincipal = parsePrincipal(np, path + ".NotPrincipal", d, bad);
            if (effect == Effect.ALLOW) {
                d.add(warning("NOT_PRINCIPAL_WITH_ALLOW", "`NotPrincipal` with `Allow` is not supported by aws for "
                        + "new policies; evaluated as written", path + ".NotPrincipal"));
            }
        }

        ActionSet action = null;
        ActionSet notAction = null;
        JsonNode a = n.get("Action");
        JsonNode na = n.get("NotAction");
        if (a != null && na != null) {
            d.add(error("ACTION_AND_NOT_ACTION", "statement has both `Action` and `NotAction`", path));
            bad.add(StatementElement.ACTION);
        } else if (a == null && na == null) {
            d.add(error("MISSING_ACTION", "statement has neither `Action` nor `NotAction`", path));
            bad.add(StatementElement.ACTION);
        } else {
            String el = a != null ? "Action" : "NotAction";
            List<String> values = strings(a != null ? a : na, path + "." + el, d);
            if (values == null) {
                bad.add(StatementElement.ACTION);
            } else {
                for (int i = 0; i < values.size(); i++) {
                    String v = values.get(i);
                    int colon = v.indexOf(':');
                    if (!v.equals("*") && (colon <= 0 || colon == v.length() - 1)) {
                        d.add(error("INVALID_ACTION", "action `" + v + "` is not `*` or `service:action`",
                                elementPath(path + "." + el, i, values.size())));
                        bad.add(StatementElement.ACTION);
                    }
                }
                if (!bad.contains(StatementElement.ACTION)) {
                    if (a != null) {
                        action = new ActionSet(values);
                    } else {
                        notAction = new ActionSet(values);
                    }
                }
            }
        }

        ResourceSet resource = null;
        ResourceSet notResource = null;
        JsonNode r = n.get("Resource");
        JsonNode nr = n.get("NotResource");
        if (r != null && nr != null) {
            d.add(error("RESOURCE_AND_NOT_RESOURCE", "statement has both `Resource` and `NotResource`", path));
            bad.add(StatementElement.RESOURCE);
        } else if (r == null && nr == null) {
            d.add(error("MISSING_RESOURCE", "statement has neither `Resource` nor `NotResource`", path));
            bad.add(StatementElement.RESOURCE);
        } else {
            String el = r != null ? "Resource" : "NotResource";
            List<String> values = strings(r != null ? r : nr, path + "." + el, d);
            if (values == null) {
                bad.add(StatementElement.RESOURCE);
            } else {
                for (int i = 0; i < values.size(); i++) {
                    String v = values.get(i);
                    if (!v.equals("*") && !v.startsWith("arn:")) {
                        d.add(error("INVALID_RESOURCE", "resource `" + v + "` is not `*` or an arn",
                                elementPath(path + "." + el, i, values.size())));
                        bad.add(StatementElement.RESOURCE);
                    }
                }
                if (!bad.contains(StatementElement.RESOURCE)) {
                    if (r != null) {
                        resource = new ResourceSet(values, vars);
                    } else {
                        notResource = new ResourceSet(values, vars);
                    }
                }
            }
        }

        List<Condition> conditions = new ArrayList<>();
        JsonNode c = n.get("Condition");
        if (c != null) {
            if (!c.isObject()) {
                d.add(error("INVALID_CONDITION", "`Condition` must be an object, not a " + kind(c), path + ".Condition"));
                bad.add(StatementElement.CONDITION);
            } else {
                for (Iterator<Map.Entry<String, JsonNode>> it = c.fields(); it.hasNext();) {
                    Map.Entry<String, JsonNode> op = it.next();
                    parseOperator(op.getKey(), op.getValue(), path + ".Condition." + op.getKey(), vars, conditions, d);
                }
            }
        }
        return new Statement(sid, index, path, effect, principal, notPrincipal, action, notAction, resource,
                notResource, conditions, bad);
    }

    private static void parseOperator(String opText, JsonNode block, String path, boolean vars, List<Condition> out,
            List<Diagnostic> d) {
        SetOperator set = SetOperator.NONE;
        String rest = opText;
        int colon = opText.indexOf(':');
        boolean badOp = false;
        if (colon >= 0) {
            String prefix = opText.substring(0, colon);
            rest = opText.substring(colon + 1);
            if (prefix.equalsIgnoreCase("ForAllValues")) {
                set = SetOperator.FOR_ALL_VALUES;
            } else if (prefix.equalsIgnoreCase("ForAnyValue")) {
                set = SetOperator.FOR_ANY_VALUE;
            } else {
                badOp = true;
            }
        }
        boolean ifExists = false;
        ConditionOperator op = badOp ? null : ConditionOperator.byName(rest);
        if (op == null && !badOp && rest.length() > 8 && rest.regionMatches(true, rest.length() - 8, "IfExists", 0, 8)) {
            op = ConditionOperator.byName(rest.substring(0, rest.length() - 8));
            ifExists = op != null;
            if (op == ConditionOperator.NULL) {
                op = null;
            }
        }
        if (!block.isObject()) {
            d.add(error("INVALID_CONDITION", "condition operator `" + opText + "` must map keys to values, not be a "
                    + kind(block), path));
            out.add(Condition.opaque(opText, "", List.of()));
            return;
        }
        if (op == null) {
            d.add(error("UNKNOWN_OPERATOR", "unknown condition operator `" + opText + "`", path));
        }
        if (block.isEmpty()) {
            d.add(error("INVALID_CONDITION", "condition operator `" + opText + "` has no keys", path));
            out.add(Condition.opaque(opText, "", List.of()));
            return;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = block.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> kv = it.next();
            String key = kv.getKey();
            String kp = path + "." + key;
            List<String> values = scalars(kv.getValue(), kp, d);
            if (key.isEmpty()) {
                d.add(error("INVALID_CONDITION", "condition key is empty", kp));
                out.add(Condition.opaque(opText, key, values == null ? List.of() : values));
                continue;
            }
            if (op == null || values == null) {
                out.add(Condition.opaque(opText, key, values == null ? List.of() : values));
                continue;
            }
            String[] problem = new String[1];
            Condition cond = Condition.compile(opText, op, set, ifExists, key, values, vars, problem);
            if (cond == null) {
                d.add(error("INVALID_CONDITION_VALUE", "`" + opText + "` on `" + key + "`: " + problem[0], kp));
                out.add(Condition.opaque(opText, key, values));
            } else {
                out.add(cond);
            }
        }
    }

    /** Condition values: a scalar or a non-empty array of scalars (strings, booleans, numbers). */
    private static List<String> scalars(JsonNode v, String path, List<Diagnostic> d) {
        if (v.isValueNode() && !v.isNull()) {
            return List.of(v.asText());
        }
        if (v.isArray()) {
            if (v.isEmpty()) {
                d.add(error("INVALID_CONDITION_VALUE", "condition values are an empty array", path));
                return null;
            }
            List<String> out = new ArrayList<>(v.size());
            for (int i = 0; i < v.size(); i++) {
                JsonNode e = v.get(i);
                if (!e.isValueNode() || e.isNull()) {
                    d.add(error("INVALID_CONDITION_VALUE", "condition value must be a string, number or boolean, not a "
                            + kind(e), path + "[" + i + "]"));
                    return null;
                }
                out.add(e.asText());
            }
            return out;
        }
        d.add(error("INVALID_CONDITION_VALUE", "condition value must be a string, number, boolean or an array of "
                + "them, not a " + kind(v), path));
        return null;
    }

    /** Element values: a string or a non-empty array of strings. */
    private static List<String> strings(JsonNode v, String path, List<Diagnostic> d) {
        if (v.isTextual()) {
            return List.of(v.asText());
        }
        if (v.isArray()) {
            if (v.isEmpty()) {
                d.add(error("EMPTY_ELEMENT", "element is an empty array", path));
                return null;
            }
            List<String> out = new ArrayList<>(v.size());
            for (int i = 0; i < v.size(); i++) {
                JsonNode e = v.get(i);
                if (!e.isTextual()) {
                    d.add(error("INVALID_VALUE", "value must be a string, not a " + kind(e), path + "[" + i + "]"));
                    return null;
                }
                out.add(e.asText());
            }
            return out;
        }
        d.add(error("INVALID_VALUE", "value must be a string or an array of strings, not a " + kind(v), path));
        return null;
    }

    private static Principals parsePrincipal(JsonNode p, String path, List<Diagnostic> d,
            Set<StatementElement> bad) {
        if (p.isTextual()) {
            if (p.asText().equals("*")) {
                return new Principals(true, List.of(), List.of(), List.of(), List.of());
            }
            d.add(error("INVALID_PRINCIPAL", "principal must be `*` or an object such as `{\"AWS\": ...}`, not `"
                    + p.asText() + "`", path));
            bad.add(StatementElement.PRINCIPAL);
            return null;
        }
        if (!p.isObject()) {
            d.add(error("INVALID_PRINCIPAL", "principal must be `*` or an object, not a " + kind(p), path));
            bad.add(StatementElement.PRINCIPAL);
            return null;
        }
        List<String> aws = List.of();
        List<String> service = List.of();
        List<String> federated = List.of();
        List<String> canonical = List.of();
        boolean ok = true;
        for (Iterator<Map.Entry<String, JsonNode>> it = p.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            String k = e.getKey();
            String kp = path + "." + k;
            if (!PRINCIPAL_KEYS.contains(k)) {
                d.add(error("UNKNOWN_PRINCIPAL_TYPE", "unknown principal type `" + k + "`", kp));
                ok = false;
                continue;
            }
            List<String> values = strings(e.getValue(), kp, d);
            if (values == null) {
                ok = false;
                continue;
            }
            switch (k) {
                case "AWS" -> {
                    aws = values;
                    for (int i = 0; i < values.size(); i++) {
                        checkAwsPrincipal(values.get(i), elementPath(kp, i, values.size()), d);
                    }
                }
                case "Service" -> service = values;
                case "Federated" -> federated = values;
                default -> canonical = values;
            }
        }
        if (p.isEmpty()) {
            d.add(error("INVALID_PRINCIPAL", "principal object is empty", path));
            ok = false;
        }
        if (!ok) {
            bad.add(StatementElement.PRINCIPAL);
            return null;
        }
        return new Principals(false, aws, service, federated, canonical);
    }

    private static void checkAwsPrincipal(String v, String path, List<Diagnostic> d) {
        if (v.equals("*") || Principals.isAccountId(v)) {
            return;
        }
        if (Principals.isUniqueId(v)) {
            d.add(warning("UNIQUE_ID_PRINCIPAL", "principal `" + v + "` is a unique id: the user or role it named "
                    + "was deleted, so it matches nobody", path));
            return;
        }
        if (!v.startsWith("arn:") || v.split(":", 6).length != 6) {
            d.add(warning("INVALID_PRINCIPAL", "principal `" + v + "` is not an account id, arn or `*`; it matches "
                    + "nobody", path));
            return;
        }
        if (v.indexOf('*') >= 0 || v.indexOf('?') >= 0) {
            d.add(warning("WILDCARD_IN_PRINCIPAL", "principal `" + v + "` has a wildcard; aws matches principal arns "
                    + "literally, so it matches nobody", path));
        }
    }

    private static String elementPath(String path, int i, int size) {
        return size == 1 ? path : path + "[" + i + "]";
    }

    private static Diagnostic error(String code, String message, String path) {
        return new Diagnostic(code, message, path, Diagnostic.Severity.ERROR);
    }

    private static Diagnostic warning(String code, String message, String path) {
        return new Diagnostic(code, message, path, Diagnostic.Severity.WARNING);
    }

    private static String kind(JsonNode n) {
        if (n.isObject()) {
            return "object";
        }
        if (n.isArray()) {
            return "array";
        }
        if (n.isTextual()) {
            return "string";
        }
        if (n.isNumber()) {
            return "number";
        }
        if (n.isBoolean()) {
            return "boolean";
        }
        return n.isNull() ? "null" : "value";
    }

    private static String text(JsonNode n) {
        return n.isValueNode() ? n.asText() : kind(n);
    }

    static String oneLine(String s) {
        if (s == null) {
            return "unreadable input";
        }
        int nl = s.indexOf('\n');
        String first = nl < 0 ? s : s.substring(0, nl);
        return first.length() > 200 ? first.substring(0, 200) : first;
    }
}
