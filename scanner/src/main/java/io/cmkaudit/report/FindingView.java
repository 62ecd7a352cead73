package io.cmkaudit.report;


import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A finding as the HTML template shows it: the finding itself plus short labels derived from it. Every value is
 * raw text; the template escapes.
 *
 * @param f     the finding
 * @param domId unique id of the finding's rows in the page, e.g. {@code f12}
 */
public record FindingView(ReportedFinding f, String domId) {

    /** @return id of the remediation snippet's {@code <pre>} */
    public String snippetId() {
        return domId + "-fix";
    }

    /** @return id of the detail row */
    public String detailId() {
        return domId + "-detail";
    }

    /** @return lowercase severity for CSS, e.g. {@code high} */
    public String css() {
        return f.severity().name().toLowerCase(Locale.ROOT);
    }

    /** @return 0 for CRITICAL ... 4 for INFO, for sorting */
    public int sevRank() {
        return f.severity().ordinal();
    }

    /**
     * @return the principal's path and name (the ARN's resource part after {@code role/} or {@code user/}, e.g.
     *         {@code ops/payments-operator}); for service-linked roles only the name; null when there is no principal
     */
    public String principalName() {
        String arn = f.principalArn();
        if (arn == null) {
            return null;
        }
        if (io.cmkaudit.analysis.Finding.PERMISSION_SET_PRINCIPAL.equals(f.principalType())) {
            return f.permissionSetName() != null ? f.permissionSetName() : arn.substring(arn.lastIndexOf('/') + 1);
        }
        if ("service-linked-role".equals(f.principalType())) {
            return arn.substring(arn.lastIndexOf('/') + 1);
        }
        int colon = arn.indexOf(':', arn.indexOf(":iam::") + 6);
        String resource = colon >= 0 ? arn.substring(colon + 1) : arn;
        int slash = resource.indexOf('/');
        return slash >= 0 && slash < resource.length() - 1 ? resource.substring(slash + 1) : resource;
    }

    /** @return {@code role}, {@code user}, {@code service-linked role}, or null */
    public String principalKind() {
        String t = f.principalType();
        return t == null ? null : t.replace('-', ' ');
    }

    /**
     * @return how many KMS keys the finding covers: those it lists (one fix for all of them), or those its permission
     *         set section lists when more; 0 when it is not about keys
     */
    public int keyCount() {
        int n = f.finding().keys().size();
        var ps = f.permissionSet();
        return ps != null && ps.keyArns().size() > n ? ps.keyArns().size() : n;
    }

    /**
     * @return the accounts of the finding's IAM Identity Center permission set, as {@code name (id)} joined with
     *         {@code ", "}; empty when the finding is not about a permission set
     */
    public String permissionSetAccounts() {
        var ps = f.permissionSet();
        return ps == null ? "" : String.join(", ", ps.accounts().stream()
                .map(a -> ReportModel.accountLabel(a.id(), a.name())).toList());
    }

    /**
     * @return who gets the finding's permission set in its accounts, e.g. {@code group Developers in dev
     *         (111122223333)}; empty when the finding is not about a permission set
     */
    public List<String> assignments() {
        var ps = f.permissionSet();
        if (ps == null) {
            return List.of();
        }
        java.util.Map<String, String> names = new java.util.HashMap<>();
        ps.accounts().forEach(a -> names.put(a.id(), a.name()));
        return ps.assignments().stream().map(a -> a.label() + " in "
                + ReportModel.accountLabel(a.accountId(), names.get(a.accountId()))).toList();
    }

    /** @return the key id (the part after {@code key/}) of the key ARN, or null */
    public String keyId() {
        String arn = f.keyArn();
        if (arn == null) {
            return null;
        }
        int k = arn.indexOf(":key/");
        return k >= 0 ? arn.substring(k + 5) : arn.substring(arn.lastIndexOf(':') + 1);
    }

    /** @return the first 8 characters of the key id followed by an ellipsis, or the whole id when short */
    public String keyShort() {
        String id = keyId();
        return id == null || id.length() <= 12 ? id : id.substring(0, 8) + "\u2026";
    }

    /** @return true when the key belongs to another account than the finding */
    public boolean keyCrossAccount() {
        return f.keyAccountId() != null && f.accountId() != null && !f.keyAccountId().equals(f.accountId());
    }

    /** @return deciding layers in words, e.g. {@code Key policy, SCP}; empty when none */
    public String layers() {
        List<String> out = new ArrayList<>();
        for (String l : f.decidingLayers()) {
            out.add(layerName(l));
        }
        return String.join(", ", out);
    }

    /** @return the deciding layer names as in {@code simulate}'s {@code decidedBy}, joined with {@code "; "} */
    public String layerCodes() {
        return Formats.join(f.decidingLayers());
    }

    /** @return how many instances the finding affects (0 when it is not about instances) */
    public int instanceCount() {
        return f.finding().instances().size();
    }

    /** @return how many principals the finding lists (one fix for all of them); 0 when it is not about principals */
    public int principalCount() {
        return f.finding().principals().size();
    }


    /** @return volume ids joined with {@code ", "} */
    public String volumes() {
        return String.join(", ", f.volumeIds());
    }

    /** @return the change value, or empty when there was no previous run */
    public String change() {
        return f.change() == null ? "" : f.change().name();
    }

    /** @return lowercase change for CSS, or empty */
    public String changeCss() {
        return change().toLowerCase(Locale.ROOT);
    }

    /** @return account label {@code name (id)}, or the id */
    public String accountLabel() {
        return f.accountId() == null ? "" : ReportModel.accountLabel(f.accountId(), f.accountName());
    }

    /**
     * @param layer a layer name of {@code simulate}'s {@code decidedBy}
     * @return the layer in words
     */
    static String layerName(String layer) {
        return switch (layer) {
            case "identity" -> "Identity policy";
            case "boundary" -> "Permissions boundary";
            case "session" -> "Session policy";
            case "scp" -> "SCP";
            case "rcp" -> "RCP";
            case "resource" -> "Key policy";
            case "grant" -> "Grant";
            case "keyState" -> "Key state";
            default -> layer;
        };
    }
}
