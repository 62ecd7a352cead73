package io.cmkaudit.policy;

import io.cmkaudit.match.Wildcard;
import java.util.List;

/**
 * The values of a {@code Resource} or {@code NotResource} element: ARN patterns matched part by part,
 * case-sensitively, with {@code *} and {@code ?}, where a {@code *} that ends a segment may also cover colons (see
 * {@link Wildcard.Mode#RESOURCE}), or {@code "*"}. In policies of Version
 * {@code 2012-10-17} the patterns may contain policy variables
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html). Immutable; equality
 * is over the patterns as written.
 */
public final class ResourceSet {
    private final List<String> patterns;
    private final Template[] templates;
    private final Wildcard[] statics;
    private final boolean any;

    ResourceSet(List<String> patterns, boolean variablesActive) {
        this.patterns = List.copyOf(patterns);
        int n = this.patterns.size();
        this.templates = new Template[n];
        this.statics = new Wildcard[n];
        boolean all = false;
        for (int i = 0; i < n; i++) {
            templates[i] = Template.of(this.patterns.get(i), variablesActive);
            if (!templates[i].hasVariables()) {
                statics[i] = Wildcard.of(templates[i].staticTokens(), Wildcard.Mode.RESOURCE);
            }
            all |= this.patterns.get(i).equals("*");
        }
        this.any = all;
    }

    /** @return the patterns as written; never null */
    public List<String> patterns() {
        return patterns;
    }

    /**
     * Whether a pattern matches the request's resource. A pattern whose policy variable depends on an unknown key
     * gives {@link Tri#UNKNOWN}; one whose variable cannot be resolved counts as {@code neverAs}.
     */
    Tri matches(EvalContext ctx, Tri neverAs) {
        if (any) {
            return Tri.TRUE;
        }
        Tri result = Tri.FALSE;
        for (int i = 0; i < templates.length; i++) {
            Tri r;
            if (statics[i] != null) {
                r = Tri.of(statics[i].matches(ctx.resource, ctx.resourceBounds, ctx.resourceParts));
            } else {
                int[] tokens = templates[i].tokens(ctx, false);
                r = tokens == Template.UNKNOWN ? Tri.UNKNOWN : tokens == Template.NEVER ? neverAs
                        : Tri.of(Wildcard.of(tokens, Wildcard.Mode.RESOURCE)
                                .matches(ctx.resource, ctx.resourceBounds, ctx.resourceParts));
            }
            result = result.or(r);
            if (result == Tri.TRUE) {
                return result;
            }
        }
        return result;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ResourceSet r && patterns.equals(r.patterns);
    }

    @Override
    public int hashCode() {
        return patterns.hashCode();
    }

    @Override
    public String toString() {
        return patterns.size() == 1 ? patterns.get(0) : patterns.toString();
    }
}
