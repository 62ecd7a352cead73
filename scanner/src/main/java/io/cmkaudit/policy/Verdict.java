package io.cmkaudit.policy;

import java.util.ArrayList;
import java.util.List;

/**
 * The answer of an evaluation without its reasons: what {@link Evaluator#verdict} returns for callers that decide
 * many requests and need the statements, residual conditions and trace only for a few of them (the analysis asks
 * for a {@link Decision} with {@link Evaluator#evaluate} when it builds a finding or an explanation). For the same
 * request and policies, {@code kind}, {@code decidedBy} and {@code keyUsable} equal those of the {@link Decision}.
 *
 * <p>Instances are shared: there is one per combination of the three fields, so obtaining one allocates nothing.
 *
 * @param kind      the answer; never null
 * @param decidedBy the deciding layers in {@link Layer} order, as in {@link Decision#decidedBy()}; never null,
 *                  immutable
 * @param keyUsable as in {@link Decision#keyUsable()}: null when unknown or not a KMS key
 */
public record Verdict(DecisionKind kind, List<Layer> decidedBy, Boolean keyUsable) {
    private static final Layer[] LAYERS = Layer.values();
    private static final DecisionKind[] KINDS = DecisionKind.values();
    /** by kind × layer mask × keyUsable (null, false, true); filled on first use (a benign race). */
    private static final Verdict[] SHARED = new Verdict[KINDS.length << LAYERS.length << 2];

    /** Copies the list. */
    public Verdict {
        decidedBy = List.copyOf(decidedBy);
    }

    /**
     * @param kind      the answer
     * @param layers    bit {@code l.ordinal()} set for each deciding layer {@code l}
     * @param keyUsable the key's usability, or null
     * @return the shared instance
     */
    static Verdict of(DecisionKind kind, int layers, Boolean keyUsable) {
        int usable = keyUsable == null ? 0 : keyUsable ? 1 : 2;
        int i = ((kind.ordinal() << LAYERS.length) | layers) << 2 | usable;
        Verdict v = SHARED[i];
        if (v == null) {
            List<Layer> list = new ArrayList<>(LAYERS.length);
            for (Layer l : LAYERS) {
                if ((layers & (1 << l.ordinal())) != 0) {
                    list.add(l);
                }
            }
            v = new Verdict(kind, list, keyUsable);
            SHARED[i] = v;
        }
        return v;
    }
}
