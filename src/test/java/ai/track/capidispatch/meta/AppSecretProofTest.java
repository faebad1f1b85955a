package ai.track.capidispatch.meta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.api.Test;

class AppSecretProofTest {

    @Test
    void matchesMetaSdkTestVector() {
        // facebook-java-business-sdk APIContextTest, re-checked with `openssl dgst -sha256 -hmac app_secret`.
        assertThat(AppSecretProof.of("app_secret", "access_token"))
                .isEqualTo("d52ddf968d622d8af8677906b7fbae09ac1f89f7cd5c1584b27544624cc23e5a");
    }

    @Test
    void changesWhenTheTokenIsRotated() {
        assertThat(AppSecretProof.of("app_secret", "access_token_2"))
                .isNotEqualTo(AppSecretProof.of("app_secret", "access_token"))
                .matches("[0-9a-f]{64}");
    }

    @Test
    void rejectsEmptyAppSecret() {
        assertThatIllegalArgumentException().isThrownBy(() -> AppSecretProof.of("", "access_token"));
    }
}
