package io.cmkaudit.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Reads the scanner's YAML configuration file into a {@link ScannerConfig}.
 *
 * <p>Strict: an unknown key, a value of the wrong type, or a value out of range fails with a
 * {@link ConfigException} whose single-line message names the file, the line and the field. Keys the file leaves
 * out take {@link ScannerConfig#DEFAULTS}.
 */
public final class ConfigLoader {

    private static final Pattern ACCOUNT_ID = Pattern.compile("\\d{12}");
    private static final Pattern REGION = Pattern.compile("[a-z]{2}(-[a-z]+)+-\\d+");
    private static final Pattern PROFILE = Pattern.compile("[\\w+=,.@:/-]{1,128}");
    private static final Pattern ROLE_NAME = Pattern.compile("[\\w+=,.@/-]{1,64}");

    /**
     * Whether a name has the shape of an AWS region name as the command line and the configuration take it
     * ({@code us-east-1}, {@code us-gov-west-1}, {@code cn-north-1}: two letters, words, a number); which partition
     * it belongs to is checked apart.
     *
     * @param name a region name, or null (false)
     * @return whether it has that shape
     */
    public static boolean isRegionName(String name) {
        return name != null && REGION.matcher(name).matches();
    }

    private final ObjectMapper yaml = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(com.fasterxml.jackson.databind.MapperFeature.ALLOW_COERCION_OF_SCALARS)
            // a key given twice is an error, not "the last one wins"
            .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    /** The valid range of each whole-number key, as its error message says it. */
    private static final java.util.Map<String, String> RANGES = java.util.Map.of(
            "concurrency", "between 1 and 256",
            "callTimeoutSeconds", "between 1 and 600",
            "maxRequests", "between 1 and 4096");

    /** {@code Duplicate field 'NAME'}: Jackson's message under {@code STRICT_DUPLICATE_DETECTION} */
    private static final Pattern DUPLICATE = Pattern.compile("Duplicate field '([^']*)'");

    /** The file's shape; every field optional. */
    record FileShape(
            @JsonProperty("roleName") String roleName,
            @JsonProperty("externalId") String externalId,
            @JsonProperty("sessionName") String sessionName,
            @JsonProperty("regions") List<String> regions,
            @JsonProperty("accounts") AccountsShape accounts,
            @JsonProperty("concurrency") Integer concurrency,
            @JsonProperty("failOn") String failOn,
            @JsonProperty("outputDir") String outputDir,
            @JsonProperty("endpointUrl") String endpointUrl,
            @JsonProperty("callTimeoutSeconds") Integer callTimeoutSeconds,
            @JsonProperty("scanCurrentAccountWithRole") Boolean scanCurrentAccountWithRole,
            @JsonProperty("profile") String profile,
            @JsonProperty("region") String region,
            @JsonProperty("severity") String severity,
            @JsonProperty("formats") List<String> formats,
            @JsonProperty("ownerTag") String ownerTag,
            @JsonProperty("maxRequests") Integer maxRequests,
            @JsonProperty("rateLimits") java.util.Map<String, Double> rateLimits) {
    }

    /** The {@code accounts:} block. */
    record AccountsShape(@JsonProperty("include") List<String> include,
                         @JsonProperty("exclude") List<String> exclude) {
    }

    /**
     * Loads and validates a configuration file.
     *
     * @param file path to a YAML file; never null
     * @return the configuration with defaults for absent keys
     * @throws ConfigException when the file is missing, unreadable, not YAML, or has a bad key or value
     */
    public ScannerConfig load(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file + ": config file not found");
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read config file: " + e.getMessage(), e);
        }
        FileShape shape;
        try {
            shape = text.isBlank() ? null : yaml.readValue(text, FileShape.class);
        } catch (UnrecognizedPropertyException e) {
            throw new ConfigException(where(file, text, e) + "unknown key `" + e.getPropertyName() + "`"
                    + " (known keys: " + e.getKnownPropertyIds().stream().map(String::valueOf).sorted()
                    .collect(Collectors.joining(", ")) + ")", e);
        } catch (JsonMappingException e) {
            if (e.getCause() instanceof com.fasterxml.jackson.core.exc.InputCoercionException ic) {
                // a number beyond int: the key's valid range, not Jackson's int range
                String name = e.getPath().isEmpty() ? null : e.getPath().get(e.getPath().size() - 1).getFieldName();
                Matcher m = Pattern.compile("\\(([^)]*)\\)").matcher(String.valueOf(ic.getOriginalMessage()));
                String value = m.find() ? m.group(1) : "a number out of range";
                throw new ConfigException(where(file, text, e) + field(e) + "must be "
                        + RANGES.getOrDefault(name, "a whole number between 1 and 2147483647") + ", got " + value, e);
            }
            String dup = duplicate(e.getCause());
            if (dup != null) {
                throw new ConfigException(where(file, text, (JsonProcessingException) e.getCause()) + "key `" + dup
                        + "` given twice (remove one)", e);
            }
            if (e.getCause() instanceof com.fasterxml.jackson.core.JsonParseException pe) {
                throw new ConfigException(where(file, text, pe) + "not valid YAML: " + firstLine(pe.getOriginalMessage()), e);
            }
            throw new ConfigException(where(file, text, e) + field(e) + "wrong type: " + expected(e), e);
        } catch (JsonProcessingException e) {
            String dup = duplicate(e);
            if (dup != null) {
                throw new ConfigException(where(file, text, e) + "key `" + dup + "` given twice (remove one)", e);
            }
            throw new ConfigException(where(file, text, e) + "not valid YAML: " + firstLine(e.getOriginalMessage()), e);
        }
        return validate(file, text, shape == null ? new FileShape(null, null, null, null, null, null, null, null, null,
                null, null, null, null, null, null, null, null, null) : shape);
    }

    private ScannerConfig validate(Path file, String text, FileShape s) {
        ScannerConfig d = ScannerConfig.DEFAULTS;
        List<String> include = s.accounts() == null || s.accounts().include() == null
                ? d.includeAccounts() : s.accounts().include();
        List<String> exclude = s.accounts() == null || s.accounts().exclude() == null
                ? d.excludeAccounts() : s.accounts().exclude();
        String roleName = s.roleName() == null ? d.roleName() : s.roleName();
        if (!ROLE_NAME.matcher(roleName).matches()) {
            throw bad(file, text, "roleName", "not a valid IAM role name: `" + roleName + "`");
        }
        List<String> regions = s.regions() == null ? d.regions() : s.regions();
        for (String r : regions) {
            if (r == null || !REGION.matcher(r).matches()) {
                throw bad(file, text, "regions", "not an AWS region name: `" + r + "` (e.g. us-east-1)");
            }
        }
        for (String a : include) {
            if (a == null || !ACCOUNT_ID.matcher(a).matches()) {
                throw bad(file, text, "include", "account ids are 12 digits in quotes, got `" + a + "`");
            }
        }
        for (String a : exclude) {
            if (a == null || !ACCOUNT_ID.matcher(a).matches()) {
                throw bad(file, text, "exclude", "account ids are 12 digits in quotes, got `" + a + "`");
            }
        }
        int concurrency = s.concurrency() == null ? d.concurrency() : s.concurrency();
        if (concurrency < 1 || concurrency > 256) {
            throw bad(file, text, "concurrency", "must be " + RANGES.get("concurrency") + ", got " + concurrency);
        }
        String failOn = s.failOn() == null ? d.failOn() : s.failOn().toUpperCase(java.util.Locale.ROOT);
        if (!ScannerConfig.SEVERITIES.contains(failOn)) {
            throw bad(file, text, "failOn", "must be one of " + ScannerConfig.SEVERITIES + ", got `" + s.failOn() + "`");
        }
        int timeout = s.callTimeoutSeconds() == null ? d.callTimeoutSeconds() : s.callTimeoutSeconds();
        if (timeout < 1 || timeout > 600) {
            throw bad(file, text, "callTimeoutSeconds", "must be " + RANGES.get("callTimeoutSeconds") + ", got " + timeout);
        }
        URI endpoint = null;
        if (s.endpointUrl() != null) {
            endpoint = parseEndpoint(s.endpointUrl());
            if (endpoint == null) {
                throw bad(file, text, "endpointUrl", "not an http(s) URL: `" + s.endpointUrl() + "`");
            }
        }
        if (s.sessionName() != null && !s.sessionName().matches("[\\w+=,.@-]{2,64}")) {
            throw bad(file, text, "sessionName", "2 to 64 characters of [A-Za-z0-9+=,.@_-], got `"
                    + s.sessionName() + "`");
        }
        int maxRequests = s.maxRequests() == null ? d.maxRequests() : s.maxRequests();
        if (maxRequests < 1 || maxRequests > 4096) {
            throw bad(file, text, "maxRequests", "must be " + RANGES.get("maxRequests") + ", got " + maxRequests);
        }
        java.util.Map<RateLimit, Double> rates = new java.util.EnumMap<>(RateLimit.class);
        if (s.rateLimits() != null) {
            for (java.util.Map.Entry<String, Double> e : s.rateLimits().entrySet()) {
                RateLimit row = RateLimit.byKey(e.getKey()).orElseThrow(() -> bad(file, text, e.getKey(),
                        "unknown rate limit row (known rows: " + java.util.Arrays.stream(RateLimit.values())
                                .map(RateLimit::key).collect(Collectors.joining(", ")) + ")"));
                if (e.getValue() == null || !(e.getValue() > 0) || e.getValue() > 100_000) {
                    throw bad(file, text, e.getKey(), "requests per second must be > 0 and at most 100000, got "
                            + e.getValue());
                }
                rates.put(row, e.getValue());
            }
        }
        if (s.profile() != null && !PROFILE.matcher(s.profile()).matches()) {
            throw bad(file, text, "profile", "not a profile name: `" + s.profile() + "`");
        }
        if (s.region() != null && !REGION.matcher(s.region()).matches()) {
            throw bad(file, text, "region", "not an AWS region name: `" + s.region() + "` (e.g. us-east-1)");
        }
        String severity = s.severity() == null ? d.minSeverity() : s.severity().toUpperCase(java.util.Locale.ROOT);
        if (!ScannerConfig.SEVERITIES.contains(severity) || "NONE".equals(severity)) {
            throw bad(file, text, "severity", "must be one of CRITICAL, HIGH, MEDIUM, LOW, INFO, got `"
                    + s.severity() + "`");
        }
        List<String> formats = s.formats() == null ? d.formats() : s.formats();
        for (String f : formats) {
            if (f == null || !ScannerConfig.FORMATS.contains(f.toLowerCase(java.util.Locale.ROOT))) {
                throw bad(file, text, "formats", "must be among " + ScannerConfig.FORMATS + ", got `" + f + "`");
            }
        }
        if (formats.isEmpty()) {
            throw bad(file, text, "formats", "must name at least one of " + ScannerConfig.FORMATS);
        }
        formats = formats.stream().map(f -> f.toLowerCase(java.util.Locale.ROOT)).distinct().toList();
        // IAM and KMS tag keys: 1-128 characters (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_tags.html)
        if (s.ownerTag() != null && (s.ownerTag().isBlank() || s.ownerTag().length() > 128)) {
            throw bad(file, text, "ownerTag", "must be a tag key of 1 to 128 characters, got `" + s.ownerTag() + "`");
        }
        return new ScannerConfig(roleName, s.externalId(), s.sessionName() == null ? d.sessionName() : s.sessionName(),
                regions, include, exclude, concurrency, failOn,
                s.outputDir() == null ? d.outputDir() : Path.of(s.outputDir()), endpoint, timeout,
                s.scanCurrentAccountWithRole() == null ? d.scanCurrentAccountWithRole()
                        : s.scanCurrentAccountWithRole(), s.profile(), s.region(), severity,
                s.ownerTag() == null ? d.ownerTag() : s.ownerTag(), formats, maxRequests, rates);
    }

    /**
     * Parses an endpoint URL given in the config or on the command line.
     *
     * @param value e.g. {@code http://127.0.0.1:5000}
     * @return the URI, or null when it is not an absolute http or https URL
     */
    public static URI parseEndpoint(String value) {
        try {
            URI u = new URI(value);
            if (u.getScheme() == null || u.getHost() == null
                    || !(u.getScheme().equals("http") || u.getScheme().equals("https"))) {
                return null;
            }
            return u;
        } catch (URISyntaxException e) {
            return null;
        }
    }

    /** @return the key of a {@code STRICT_DUPLICATE_DETECTION} failure, or null for any other */
    static String duplicate(Throwable e) {
        if (e instanceof JsonProcessingException p) {
            Matcher m = DUPLICATE.matcher(String.valueOf(p.getOriginalMessage()));
            if (m.find()) {
                return m.group(1);
            }
        }
        return null;
    }

    private static ConfigException bad(Path file, String text, String field, String message) {
        return new ConfigException(file + lineOf(text, field) + ": " + field + ": " + message);
    }

    /** Finds the first line declaring {@code field:} so validation errors can point at it too. */
    private static String lineOf(String text, String field) {
        String[] lines = text.split("\n", -1);
        Pattern p = Pattern.compile("^\\s*" + Pattern.quote(field) + "\\s*:");
        for (int i = 0; i < lines.length; i++) {
            if (p.matcher(lines[i]).find()) {
                return ":" + (i + 1);
            }
        }
        return "";
    }

    /** File and line of a parser error: the line of the offending key when known, else the parser's location. */
    private static String where(Path file, String text, JsonProcessingException e) {
        if (e instanceof JsonMappingException m && !m.getPath().isEmpty()) {
            String last = m.getPath().get(m.getPath().size() - 1).getFieldName();
            if (last == null && m.getPath().size() > 1) {
                last = m.getPath().get(m.getPath().size() - 2).getFieldName();
            }
            String line = last == null ? "" : lineOf(text, last);
            if (!line.isEmpty()) {
                return file + line + ": ";
            }
        }
        JsonLocation loc = e.getLocation();
        return file + (loc != null && loc.getLineNr() > 0 ? ":" + loc.getLineNr() : "") + ": ";
    }

    private static String expected(JsonMappingException e) {
        if (e instanceof com.fasterxml.jackson.databind.exc.MismatchedInputException mi && mi.getTargetType() != null) {
            Class<?> t = mi.getTargetType();
            String want = t == Integer.class || t == int.class ? "a whole number"
                    : t == Boolean.class || t == boolean.class ? "true or false"
                    : t == String.class ? "a string"
                    : List.class.isAssignableFrom(t) ? "a list"
                    : "a mapping";
            return "expected " + want;
        }
        return firstLine(e.getOriginalMessage());
    }

    private static String field(JsonMappingException e) {
        List<String> parts = new ArrayList<>();
        for (JsonMappingException.Reference r : e.getPath()) {
            parts.add(r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]");
        }
        return parts.isEmpty() ? "" : String.join(".", parts).replace(".[", "[") + ": ";
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
