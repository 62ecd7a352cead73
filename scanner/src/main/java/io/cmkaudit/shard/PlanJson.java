package io.cmkaudit.shard;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashSet;
import java.util.Set;

/**
 * Reads and writes {@link Plan}s as JSON (UTF-8, pretty-printed, map keys sorted, null fields left out, times as
 * ISO-8601 UTC), in the same style as snapshots. Reading is strict: an unknown {@code planVersion} or field, an
 * account id that is not 12 digits or is listed twice, a region that is not a region name, or an unreadable
 * organization is a {@link PlanFormatException}. A plan without {@code regions} (written before cmk-audit recorded
 * them) is read with {@link Plan#regions()} null.
 * Thread-safe; stateless.
 */
public final class PlanJson {

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET)
            .disable(JsonParser.Feature.AUTO_CLOSE_SOURCE)
            .serializationInclusion(JsonInclude.Include.NON_NULL)
            .build();

    private PlanJson() {
    }

    /**
     * @param plan the plan; never null
     * @return its JSON, UTF-8, ending with a newline
     */
    public static byte[] toBytes(Plan plan) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            MAPPER.writeValue(out, plan);
            out.write('\n');
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("writing plan: " + e.getMessage(), e);
        }
    }

    /**
     * The plan's account list alone, as the JSON array the Step Functions Distributed Map reads
     * ({@code ItemReader} with {@code InputType: JSON}).
     *
     * @param plan the plan
     * @return e.g. {@code ["111111111111","222222222222"]}
     */
    public static byte[] accountsToBytes(Plan plan) {
        try {
            return MAPPER.writer().without(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(plan.accounts());
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("writing plan accounts: " + e.getMessage(), e);
        }
    }

    /**
     * @param bytes  UTF-8 JSON
     * @param source file name or S3 URL, used in messages
     * @return the plan
     * @throws PlanFormatException when it is not a valid plan of this version
     */
    public static Plan read(byte[] bytes, String source) {
        JsonNode tree;
        try {
            tree = MAPPER.readTree(bytes);
        } catch (IOException e) {
            throw new PlanFormatException(source + ": not valid JSON: " + firstLine(e.getMessage()), e);
        }
        if (tree == null || !tree.isObject() || tree.get("planVersion") == null) {
            throw new PlanFormatException(source + ": not a plan (written by `cmk-audit plan`): no `planVersion`"
                    + (tree != null && tree.has("schemaVersion") ? "; this looks like a snapshot" : ""), null);
        }
        if (!tree.get("planVersion").isInt() || tree.get("planVersion").intValue() != Plan.PLAN_VERSION) {
            throw new PlanFormatException(source + ": unsupported planVersion " + tree.get("planVersion")
                    + " (this cmk-audit reads version " + Plan.PLAN_VERSION + "; run `cmk-audit plan` again)", null);
        }
        Plan plan;
        try {
            plan = MAPPER.treeToValue(tree, Plan.class);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new PlanFormatException(source + ": " + firstLine(e instanceof JsonProcessingException j
                    ? j.getOriginalMessage() : e.getMessage()), e);
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < plan.accounts().size(); i++) {
            String id = plan.accounts().get(i);
            if (id == null || !id.matches("\\d{12}")) {
                throw new PlanFormatException(source + ": accounts[" + i + "]: expected a string of 12 digits, got `"
                        + id + "`", null);
            }
            if (!seen.add(id)) {
                throw new PlanFormatException(source + ": accounts[" + i + "]: account " + id + " is listed twice", null);
            }
        }
        if (plan.regions() != null) {
            for (int i = 0; i < plan.regions().size(); i++) {
                String r = plan.regions().get(i);
                if (r == null || !r.matches("[a-z]{2,4}(-[a-z]+)+-[0-9]+")) {
                    throw new PlanFormatException(source + ": regions[" + i + "]: expected an AWS region name such "
                            + "as `us-east-1`, got `" + r + "`", null);
                }
            }
        }
        if (!plan.organization().readable()) {
            throw new PlanFormatException(source + ": the plan's organization was not readable ("
                    + plan.organization().readError().message() + ")", null);
        }
        return plan;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
