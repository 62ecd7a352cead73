package io.cmkaudit.match;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class KmsActionsTest {

    @Test
    void oneTableEveryListDerived() {
        assertThat(KmsActions.NAMES).hasSize(55).doesNotHaveDuplicates().allMatch(n -> n.startsWith("kms:"));
        assertThat(KmsActions.NAMES).isSortedAccordingTo(String.CASE_INSENSITIVE_ORDER);
        assertThat(KmsActions.ON_KEY).hasSize(44).contains("kms:CreateGrant", "kms:CreateAlias")
                .doesNotContain("kms:CreateKey", "kms:ListAliases", "kms:GenerateRandom");
        assertThat(KmsActions.ON_ALIAS).containsExactly("kms:CreateAlias", "kms:DeleteAlias", "kms:UpdateAlias");
        assertThat(KmsActions.DEFAULT_KEY_USER).containsExactly("kms:Decrypt", "kms:DescribeKey", "kms:Encrypt",
                "kms:GenerateDataKey", "kms:GenerateDataKeyPair", "kms:GenerateDataKeyPairWithoutPlaintext",
                "kms:GenerateDataKeyWithoutPlaintext", "kms:ReEncryptFrom", "kms:ReEncryptTo");
        assertThat(KmsActions.ENCRYPTION_CONTEXT_LOWER).hasSize(8).contains("kms:decrypt", "kms:reencryptto")
                .doesNotContain("kms:creategrant", "kms:describekey");
        // key-policy-modifying-external-accounts.html: the cryptographic operations, grant management, and
        // DescribeKey / GetKeyRotationStatus / GetPublicKey; never administration of the key
        assertThat(KmsActions.CROSS_ACCOUNT_LOWER).hasSize(20)
                .contains("kms:creategrant", "kms:describekey", "kms:retiregrant", "kms:derivesharedsecret")
                .doesNotContain("kms:putkeypolicy", "kms:scheduledeletion", "kms:createalias", "kms:listkeys");
    }

    @Test
    void findIgnoresCase() {
        assertThat(KmsActions.find("KMS:createGRANT").name()).isEqualTo("kms:CreateGrant");
        assertThat(KmsActions.find("KMS:createGRANT").on()).isEqualTo(KmsActions.On.KEY);
        assertThat(KmsActions.find("kms:UpdateAlias").on()).isEqualTo(KmsActions.On.ALIAS_AND_KEY);
        assertThat(KmsActions.find("kms:NoSuchAction")).isNull();
    }
}
