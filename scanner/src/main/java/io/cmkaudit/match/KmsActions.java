package io.cmkaudit.match;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The one list of AWS KMS actions cmk-audit knows, with what each applies to and how it behaves, from which every
 * other list (actions on a key, cross-account operations, operations taking an encryption context, the console's
 * key-user actions) is derived.
 *
 * <p>Sources: Service Authorization Reference, AWS Key Management Service (actions and their resource types):
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_awskeymanagementservice.html ;
 * operations usable on a key of another account:
 * https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying-external-accounts.html ; operations
 * that take an encryption context, to which grant constraints apply:
 * https://docs.aws.amazon.com/kms/latest/APIReference/API_GrantConstraints.html ; alias permissions:
 * https://docs.aws.amazon.com/kms/latest/developerguide/alias-access.html ; the default key policy:
 * https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html .
 *
 * <p>All lists are immutable; names are written as AWS spells them ({@code kms:CreateGrant}), the {@code *Lower}
 * sets in lower case for lookups of a lower-cased action.
 */
public final class KmsActions {

    /** The resources an action is authorized on. */
    public enum On {
        /** A KMS key ({@code arn:PARTITION:kms:REGION:ACCOUNT:key/ID}). */
        KEY,
        /**
         * An alias and the key it points to: two separate authorizations, the alias by identity policies alone
         * (an alias has no key policy), the key by its key policy as usual.
         */
        ALIAS_AND_KEY,
        /** No resource ({@code Resource: "*"}): account-level operations. */
        NONE
    }

    /**
     * One KMS action.
     *
     * @param name                 as AWS spells it, e.g. {@code kms:CreateGrant}
     * @param on                   what it is authorized on
     * @param crossAccount         whether it works on a key of another account
     * @param encryptionContext    whether the operation takes an encryption context (grant constraints apply)
     * @param defaultKeyUser       whether the console's default key policy gives it to key users ("Allow use of the
     *                             key"), CreateGrant aside (that is in "Allow attachment of persistent resources")
     */
    public record Action(String name, On on, boolean crossAccount, boolean encryptionContext,
            boolean defaultKeyUser) {
    }

    private static final List<Action> TABLE = List.of(
            key("kms:CancelKeyDeletion"),
            new Action("kms:ConnectCustomKeyStore", On.NONE, false, false, false),
            new Action("kms:CreateAlias", On.ALIAS_AND_KEY, false, false, false),
            new Action("kms:CreateCustomKeyStore", On.NONE, false, false, false),
            cross("kms:CreateGrant"),
            new Action("kms:CreateKey", On.NONE, false, false, false),
            crypto("kms:Decrypt"),
            new Action("kms:DeleteAlias", On.ALIAS_AND_KEY, false, false, false),
            new Action("kms:DeleteCustomKeyStore", On.NONE, false, false, false),
            key("kms:DeleteImportedKeyMaterial"),
            cross("kms:DeriveSharedSecret"),
            new Action("kms:DescribeCustomKeyStores", On.NONE, false, false, false),
            new Action("kms:DescribeKey", On.KEY, true, false, true),
            key("kms:DisableKey"),
            key("kms:DisableKeyRotation"),
            new Action("kms:DisconnectCustomKeyStore", On.NONE, false, false, false),
            key("kms:EnableKey"),
            key("kms:EnableKeyRotation"),
            crypto("kms:Encrypt"),
            crypto("kms:GenerateDataKey"),
            crypto("kms:GenerateDataKeyPair"),
            crypto("kms:GenerateDataKeyPairWithoutPlaintext"),
            crypto("kms:GenerateDataKeyWithoutPlaintext"),
            cross("kms:GenerateMac"),
            new Action("kms:GenerateRandom", On.NONE, false, false, false),
            key("kms:GetKeyPolicy"),
            cross("kms:GetKeyRotationStatus"),
            key("kms:GetParametersForImport"),
            cross("kms:GetPublicKey"),
            key("kms:ImportKeyMaterial"),
            new Action("kms:ListAliases", On.NONE, false, false, false),
            cross("kms:ListGrants"),
            key("kms:ListKeyPolicies"),
            key("kms:ListKeyRotations"),
            new Action("kms:ListKeys", On.NONE, false, false, false),
            key("kms:ListResourceTags"),
            new Action("kms:ListRetirableGrants", On.NONE, false, false, false),
            key("kms:PutKeyPolicy"),
            crypto("kms:ReEncryptFrom"),
            crypto("kms:ReEncryptTo"),
            key("kms:ReplicateKey"),
            cross("kms:RetireGrant"),
            cross("kms:RevokeGrant"),
            key("kms:RotateKeyOnDemand"),
            key("kms:ScheduleKeyDeletion"),
            cross("kms:Sign"),
            key("kms:SynchronizeMultiRegionKey"),
            key("kms:TagResource"),
            key("kms:UntagResource"),
            new Action("kms:UpdateAlias", On.ALIAS_AND_KEY, false, false, false),
            new Action("kms:UpdateCustomKeyStore", On.NONE, false, false, false),
            key("kms:UpdateKeyDescription"),
            key("kms:UpdatePrimaryRegion"),
            cross("kms:Verify"),
            cross("kms:VerifyMac"));

    /** Every KMS action, sorted case-insensitively. */
    public static final List<Action> ALL = sorted(TABLE);

    /** Every KMS action name, sorted case-insensitively (for expanding wildcards such as {@code kms:Create*}). */
    public static final List<String> NAMES = names(ALL);

    /** The actions authorized on a KMS key (including the alias actions, which also need the key). */
    public static final List<String> ON_KEY = names(ALL.stream().filter(a -> a.on() != On.NONE).toList());

    /** The actions authorized on an alias ({@code CreateAlias}, {@code UpdateAlias}, {@code DeleteAlias}). */
    public static final List<String> ON_ALIAS = names(ALL.stream().filter(a -> a.on() == On.ALIAS_AND_KEY).toList());

    /**
     * The key-user actions of the console's default key policy ("Allow use of the key"), without
     * {@code kms:CreateGrant}.
     */
    public static final List<String> DEFAULT_KEY_USER = names(ALL.stream().filter(Action::defaultKeyUser).toList());

    /** Lower-case names of the operations that work on a key of another account. */
    public static final Set<String> CROSS_ACCOUNT_LOWER = lower(ALL.stream().filter(Action::crossAccount).toList());

    /** Lower-case names of the operations that take an encryption context. */
    public static final Set<String> ENCRYPTION_CONTEXT_LOWER =
            lower(ALL.stream().filter(Action::encryptionContext).toList());

    /** Lower-case names of the alias actions. */
    public static final Set<String> ON_ALIAS_LOWER =
            lower(ALL.stream().filter(a -> a.on() == On.ALIAS_AND_KEY).toList());

    private static final Map<String, Action> BY_LOWER = byLower(ALL);

    private KmsActions() {
    }

    /**
     * @param name an action name such as {@code kms:Decrypt}, any case
     * @return the action, or null when KMS has no action of that name
     */
    public static Action find(String name) {
        return BY_LOWER.get(name.toLowerCase(Locale.ROOT));
    }

    private static Action key(String name) {
        return new Action(name, On.KEY, false, false, false);
    }

    private static Action cross(String name) {
        return new Action(name, On.KEY, true, false, false);
    }

    private static Action crypto(String name) {
        return new Action(name, On.KEY, true, true, true);
    }

    private static List<Action> sorted(List<Action> in) {
        List<Action> out = new ArrayList<>(in);
        out.sort((a, b) -> String.CASE_INSENSITIVE_ORDER.compare(a.name(), b.name()));
        return List.copyOf(out);
    }

    private static List<String> names(List<Action> in) {
        return in.stream().map(Action::name).toList();
    }

    private static Set<String> lower(List<Action> in) {
        TreeSet<String> s = new TreeSet<>();
        in.forEach(a -> s.add(a.name().toLowerCase(Locale.ROOT)));
        return Set.copyOf(s);
    }

    private static Map<String, Action> byLower(List<Action> in) {
        Map<String, Action> m = new HashMap<>();
        in.forEach(a -> m.put(a.name().toLowerCase(Locale.ROOT), a));
        return Map.copyOf(m);
    }
}
