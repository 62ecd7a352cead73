package io.cmkaudit.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.AbstractConstruct;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Every CloudFormation template under {@code config/} is checked against the CloudFormation resource specification
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cfn-resource-specification.html, as the npm
 * package {@code @aws-cdk/cfnspec} ships it): each resource type exists, each property is one the type has, required
 * properties are set, nested property types are checked the same way, literal values have the right shape
 * (list, object, scalar), {@code Ref}, {@code Fn::GetAtt} (attribute of the type), {@code Fn::Sub} variables,
 * {@code Condition}s and {@code DependsOn} name things the template declares.
 *
 * <p>The specification is read from {@code target/cfnspec} (or the {@code cmkaudit.cfnspec} system property);
 * when it is not there, the test installs the package with npm ({@code .ci/run} makes sure npm exists) and FAILS,
 * never skips, when that is impossible.
 */
class CloudFormationTemplatesTest {

    static final String PACKAGE = "@aws-cdk/cfnspec@2.72.1";
    static final Path DIR = Path.of("target", "cfnspec");
    static final Set<String> PSEUDO = Set.of("AWS::AccountId", "AWS::NotificationARNs", "AWS::NoValue",
            "AWS::Partition", "AWS::Region", "AWS::StackId", "AWS::StackName", "AWS::URLSuffix");
    static final Set<String> PARAMETER_TYPES = Set.of("String", "Number", "List<Number>", "CommaDelimitedList");

    static JsonNode spec;

    @BeforeAll
    static void loadSpec() throws Exception {
        String given = System.getProperty("cmkaudit.cfnspec");
        Path file = given != null ? Path.of(given)
                : DIR.resolve("node_modules/@aws-cdk/cfnspec/spec/specification.json");
        if (!Files.isRegularFile(file) && given == null) {
            Files.createDirectories(DIR);
            Process p = new ProcessBuilder("npm", "install", "--prefix", DIR.toString(), "--no-audit", "--no-fund",
                    "--ignore-scripts", "--no-save", PACKAGE).redirectErrorStream(true)
                    .redirectOutput(DIR.resolve("npm.log").toFile()).start();
            assertThat(p.waitFor(10, TimeUnit.MINUTES)).as("npm install " + PACKAGE + " finished").isTrue();
            assertThat(p.exitValue()).as("npm install " + PACKAGE + " (log: " + DIR.resolve("npm.log") + "): "
                    + (Files.exists(DIR.resolve("npm.log")) ? Files.readString(DIR.resolve("npm.log")) : "")).isZero();
        }
        assertThat(file).as("the CloudFormation resource specification (npm package " + PACKAGE + ")")
                .isRegularFile();
        spec = new ObjectMapper().readTree(file.toFile());
    }

    static List<Path> templates() throws IOException {
        try (Stream<Path> s = Files.walk(Path.of("..", "config"))) {
            return s.filter(f -> f.toString().endsWith(".cfn.yaml") || f.toString().endsWith(".cfn.yml")).sorted()
                    .toList();
        }
    }

    /** YAML with CloudFormation's short forms: {@code !Ref X} becomes {@code {Ref: X}}, {@code !Sub s} {@code {Fn::Sub: s}}. */
    static Map<String, Object> read(Path file) throws IOException {
        class Cfn extends SafeConstructor {
            Cfn() {
                super(new LoaderOptions());
                this.yamlConstructors.put(null, new AbstractConstruct() {
                    @Override
                    public Object construct(Node node) {
                        String tag = node.getTag().getValue().substring(1);
                        String name = tag.equals("Ref") || tag.equals("Condition") ? tag : "Fn::" + tag;
                        Object value;
                        if (node instanceof ScalarNode s) {
                            value = tag.equals("GetAtt") ? List.of(s.getValue().split("\\.", 2)) : s.getValue();
                        } else if (node instanceof SequenceNode s) {
                            value = constructSequence(s);
                        } else {
                            value = constructMapping((MappingNode) node);
                        }
                        Map<String, Object> m = new LinkedHashMap<>();
                        m.put(name, value);
                        return m;
                    }
                });
            }
        }
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return new Yaml(new Cfn()).load(r);
        }
    }

    @Test
    void everyTemplateUnderConfigMatchesTheResourceSpecification() throws IOException {
        List<Path> files = templates();
        assertThat(files).extracting(f -> f.getFileName().toString())
                .contains("audit-role.cfn.yaml", "scanner.cfn.yaml");
        List<String> problems = new ArrayList<>();
        for (Path f : files) {
            new Checker(f, read(f), problems).check();
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void theCheckerFindsWhatIsWrong() throws IOException {
        Path bad = Files.createTempFile("bad", ".cfn.yaml");
        Files.writeString(bad, """
                Parameters:
                  Name: {Type: String}
                Resources:
                  Bucket:
                    Type: AWS::S3::Bucket
                    Properties:
                      VersioningConfiguration: {Statuss: Enabled}
                      Tags: {Key: x}
                  Thing:
                    Type: AWS::Nope::Thing
                  Schedule:
                    Type: AWS::Scheduler::Schedule
                    Condition: Missing
                    Properties:
                      ScheduleExpression: !Ref Nowhere
                      Target: {Arn: !GetAtt Bucket.NoSuchAttribute, RoleArn: !Sub "${Name}-${Unknown}"}
                """);
        List<String> problems = new ArrayList<>();
        new Checker(bad, read(bad), problems).check();
        Files.delete(bad);
        assertThat(String.join("\n", problems)).contains(
                "VersioningConfiguration.Statuss: not a property",
                "VersioningConfiguration: required property `Status` missing",
                "Tags: must be a list",
                "AWS::Nope::Thing: not a resource type",
                "condition `Missing` is not declared",
                "Ref `Nowhere` names nothing",
                "GetAtt Bucket.NoSuchAttribute: AWS::S3::Bucket has no attribute",
                "Sub variable `Unknown` names nothing",
                "Schedule: required property `FlexibleTimeWindow` missing");
    }

    /** Checks one template; adds one line per problem. */
    static final class Checker {
        final Path file;
        final Map<String, Object> t;
        final List<String> problems;
        final Map<String, Object> params;
        final Map<String, Object> resources;
        final Map<String, Object> conditions;

        @SuppressWarnings("unchecked")
        Checker(Path file, Map<String, Object> template, List<String> problems) {
            this.file = file;
            this.t = template;
            this.problems = problems;
            this.params = (Map<String, Object>) t.getOrDefault("Parameters", Map.of());
            this.resources = (Map<String, Object>) t.getOrDefault("Resources", Map.of());
            this.conditions = (Map<String, Object>) t.getOrDefault("Conditions", Map.of());
        }

        void bad(String where, String what) {
            problems.add(file.getFileName() + ": " + where + ": " + what);
        }

        @SuppressWarnings("unchecked")
        void check() {
            if (resources.isEmpty()) {
                bad("Resources", "none");
            }
            params.forEach((name, p) -> {
                String type = String.valueOf(((Map<String, Object>) p).get("Type"));
                if (!PARAMETER_TYPES.contains(type) && !type.startsWith("AWS::") && !type.startsWith("List<AWS::")) {
                    bad("Parameters." + name, "unknown parameter type `" + type + "`");
                }
            });
            conditions.forEach((name, c) -> intrinsics("Conditions." + name, c));
            resources.forEach((name, r) -> {
                Map<String, Object> res = (Map<String, Object>) r;
                String type = String.valueOf(res.get("Type"));
                JsonNode rt = spec.path("ResourceTypes").path(type);
                if (rt.isMissingNode()) {
                    bad(name, type + ": not a resource type");
                    return;
                }
                if (res.get("Condition") != null && !conditions.containsKey(res.get("Condition"))) {
                    bad(name, "condition `" + res.get("Condition") + "` is not declared");
                }
                Object dependsOn = res.get("DependsOn");
                for (Object d : dependsOn == null ? List.of() : dependsOn instanceof List<?> l ? l : List.of(dependsOn)) {
                    if (!resources.containsKey(d)) {
                        bad(name, "DependsOn `" + d + "` is not a resource");
                    }
                }
                Object props = res.getOrDefault("Properties", Map.of());
                properties(name, type, rt, props);
            });
            Object outputs = t.getOrDefault("Outputs", Map.of());
            intrinsics("Outputs", outputs);
        }

        /** Properties of a resource type or property type {@code def}; {@code owner} names nested types. */
        @SuppressWarnings("unchecked")
        void properties(String where, String owner, JsonNode def, Object value) {
            if (isIntrinsic(value)) {
                intrinsics(where, value);
                return;
            }
            if (!(value instanceof Map<?, ?> m)) {
                bad(where, "must be an object");
                return;
            }
            JsonNode props = def.path("Properties");
            props.fields().forEachRemaining(e -> {
                if (e.getValue().path("Required").asBoolean() && !m.containsKey(e.getKey())) {
                    bad(where, "required property `" + e.getKey() + "` missing");
                }
            });
            for (Map.Entry<String, Object> e : ((Map<String, Object>) m).entrySet()) {
                JsonNode p = props.path(e.getKey());
                String at = where + "." + e.getKey();
                if (p.isMissingNode()) {
                    bad(at, "not a property of " + owner);
                    continue;
                }
                value(at, owner, p, e.getValue());
            }
        }

        void value(String where, String owner, JsonNode p, Object v) {
            if (isIntrinsic(v)) {
                intrinsics(where, v);
                return;
            }
            String base = owner.contains(".") ? owner.substring(0, owner.indexOf('.')) : owner;
            if (p.has("PrimitiveType")) {
                scalar(where, p.get("PrimitiveType").asText(), v);
            } else if (p.path("Type").asText().equals("List")) {
                if (!(v instanceof List<?> l)) {
                    bad(where, "must be a list");
                    return;
                }
                for (int i = 0; i < l.size(); i++) {
                    item(where + "[" + i + "]", base, p, l.get(i));
                }
            } else if (p.path("Type").asText().equals("Map")) {
                if (!(v instanceof Map<?, ?> m)) {
                    bad(where, "must be an object");
                    return;
                }
                m.forEach((k, x) -> item(where + "." + k, base, p, x));
            } else {
                String type = base + "." + p.path("Type").asText();
                JsonNode def = spec.path("PropertyTypes").path(type);
                if (def.isMissingNode()) {
                    bad(where, "property type " + type + " not in the specification");
                    return;
                }
                properties(where, type, def, v);
            }
        }

        void item(String where, String base, JsonNode p, Object v) {
            if (isIntrinsic(v)) {
                intrinsics(where, v);
            } else if (p.has("PrimitiveItemType")) {
                scalar(where, p.get("PrimitiveItemType").asText(), v);
            } else {
                String type = base + "." + p.path("ItemType").asText();
                JsonNode def = spec.path("PropertyTypes").path(type);
                if (def.isMissingNode()) {
                    bad(where, "property type " + type + " not in the specification");
                    return;
                }
                properties(where, type, def, v);
            }
        }

        void scalar(String where, String primitive, Object v) {
            if (primitive.equals("Json")) {
                if (!(v instanceof Map) && !(v instanceof String)) {
                    bad(where, "must be a JSON object");
                }
                intrinsics(where, v);
                return;
            }
            if (v instanceof Map || v instanceof List) {
                bad(where, "must be a " + primitive);
            }
        }

        static boolean isIntrinsic(Object v) {
            return v instanceof Map<?, ?> m && m.size() == 1 && m.keySet().stream()
                    .anyMatch(k -> k.equals("Ref") || k.equals("Condition") || String.valueOf(k).startsWith("Fn::"));
        }

        /** Walks a value and checks every Ref, GetAtt, Sub and condition name in it. */
        @SuppressWarnings("unchecked")
        void intrinsics(String where, Object v) {
            if (v instanceof List<?> l) {
                l.forEach(x -> intrinsics(where, x));
                return;
            }
            if (!(v instanceof Map<?, ?> m)) {
                return;
            }
            for (Map.Entry<String, Object> e : ((Map<String, Object>) m).entrySet()) {
                Object a = e.getValue();
                switch (e.getKey()) {
                    case "Ref" -> {
                        if (!params.containsKey(a) && !resources.containsKey(a) && !PSEUDO.contains(a)) {
                            bad(where, "Ref `" + a + "` names nothing");
                        }
                    }
                    case "Condition" -> {
                        if (a instanceof String s && !conditions.containsKey(s)) {
                            bad(where, "condition `" + s + "` is not declared");
                        } else {
                            intrinsics(where, a);
                        }
                    }
                    case "Fn::GetAtt" -> getAtt(where, (List<Object>) a);
                    case "Fn::If" -> {
                        List<Object> args = (List<Object>) a;
                        if (!conditions.containsKey(args.get(0))) {
                            bad(where, "condition `" + args.get(0) + "` is not declared");
                        }
                        intrinsics(where, args.subList(1, args.size()));
                    }
                    case "Fn::Sub" -> sub(where, a);
                    default -> intrinsics(where, a);
                }
            }
        }

        void getAtt(String where, List<Object> a) {
            String res = String.valueOf(a.get(0));
            String attr = String.valueOf(a.get(1));
            Object r = resources.get(res);
            if (!(r instanceof Map<?, ?> m)) {
                bad(where, "GetAtt " + res + "." + attr + ": no resource `" + res + "`");
                return;
            }
            String type = String.valueOf(m.get("Type"));
            if (spec.path("ResourceTypes").path(type).path("Attributes").path(attr).isMissingNode()) {
                bad(where, "GetAtt " + res + "." + attr + ": " + type + " has no attribute `" + attr + "`");
            }
        }

        @SuppressWarnings("unchecked")
        void sub(String where, Object a) {
            String text;
            Map<String, Object> vars = Map.of();
            if (a instanceof List<?> l) {
                text = String.valueOf(l.get(0));
                vars = (Map<String, Object>) l.get(1);
                intrinsics(where, vars);
            } else {
                text = String.valueOf(a);
            }
            java.util.regex.Matcher mm = java.util.regex.Pattern.compile("\\$\\{([^!}][^}]*)}").matcher(text);
            while (mm.find()) {
                String name = mm.group(1);
                if (vars.containsKey(name) || params.containsKey(name) || resources.containsKey(name)
                        || PSEUDO.contains(name)) {
                    continue;
                }
                if (name.contains(".")) {
                    getAtt(where, List.of(name.substring(0, name.indexOf('.')), name.substring(name.indexOf('.') + 1)));
                } else {
                    bad(where, "Sub variable `" + name + "` names nothing");
                }
            }
        }
    }
}
