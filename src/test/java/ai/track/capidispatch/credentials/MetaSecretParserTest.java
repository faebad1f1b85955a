package ai.track.capidispatch.credentials;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class MetaSecretParserTest {

    private final MetaSecretParser parser = new MetaSecretParser(JsonMapper.builder().build());

    @Test
    void readsTheSinglePixelAndMultiPixelFormsTogether() {
        MetaSecret secret = parser.parse("""
                {"access_token": "t1", "pixel_id": "111", "app_secret": "s1",
                 "pixels": {"222": {"access_token": "t2"}}}""");

        assertThat(secret.defaultPixelId()).isEqualTo("111");
        assertThat(secret.forPixel(null).orElseThrow().appSecret()).isEqualTo("s1");
        assertThat(secret.forPixel("222").orElseThrow().accessToken()).isEqualTo("t2");
        assertThat(secret.forPixel("222").orElseThrow().appSecret()).isNull();
        assertThat(secret.forPixel("333")).isEmpty();
        assertThat(secret.toString()).doesNotContain("t1", "t2", "s1");
    }

    @Test
    void rejectsAPixelIdThatCouldLeaveTheUrlPathWithoutQuotingIt() {
        assertThatThrownBy(() -> parser.parse("{\"pixels\": {\"../../me\": {\"access_token\": \"t\"}}}"))
                .isInstanceOf(InvalidSecretException.class).hasMessageContaining("digits")
                .hasMessageNotContaining("../");
    }

    @Test
    void doesNotQuoteAKeyThatIsNotAPixelIdBecauseItMightBeAPastedToken() {
        assertThatThrownBy(() -> parser.parse("{\"pixels\": {\"EAAB-pasted-token\": \"oops\"}}"))
                .hasMessageNotContaining("EAAB-pasted-token");
    }

    @Test
    void rejectsNonAsciiDigitsAndOverlongIds() {
        assertThatThrownBy(() -> parser.parse("{\"pixel_id\": \"١٢٣\", \"access_token\": \"t\"}"))
                .hasMessageContaining("ASCII digits");
        assertThatThrownBy(() -> parser.parse("{\"pixel_id\": \"" + "1".repeat(21) + "\", \"access_token\": \"t\"}"))
                .hasMessageContaining("1 to 20");
    }

    @Test
    void namesTheFieldButNeverTheValueOfAMalformedSecret() {
        assertThatThrownBy(() -> parser.parse("{\"pixel_id\": \"111\", \"access_token\": {\"v\": \"EAAB-x\"}}"))
                .hasMessage("access_token must be a string");
        assertThatThrownBy(() -> parser.parse("{\"pixel_id\": \"111\", \"access_token\": \"EAAB-x"))
                .hasMessage("the secret is not valid JSON");
    }
}
