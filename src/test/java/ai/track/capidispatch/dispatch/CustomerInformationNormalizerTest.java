package ai.track.capidispatch.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The ASCII shortcut of name, city and state normalization must give what the general rule gives. */
class CustomerInformationNormalizerTest {

    @Test
    void asciiShortcutAgreesWithTheGeneralRuleOnEveryAsciiCharacter() {
        for (char c = 0; c < 0x80; c++) {
            String value = "a" + c + "Z9";
            assertThat(CustomerInformationNormalizer.asciiLettersAndDigits(value)).as("U+%04X", (int) c)
                    .isEqualTo(CustomerInformationNormalizer.lettersMarksAndDigitsOfAnyScript(value));
        }
    }

    @Test
    void asciiShortcutAgreesWithTheGeneralRuleOnRandomAsciiStrings() {
        Random random = new Random(20261129);
        for (int i = 0; i < 10_000; i++) {
            char[] chars = new char[random.nextInt(40)];
            for (int j = 0; j < chars.length; j++) {
                chars[j] = (char) random.nextInt(0x80);
            }
            String value = new String(chars);
            assertThat(CustomerInformationNormalizer.asciiLettersAndDigits(value))
                    .isEqualTo(CustomerInformationNormalizer.lettersMarksAndDigitsOfAnyScript(value));
        }
    }

    @Test
    void takesTheGeneralRuleBeyondAscii() {
        // NFD "é" (e + combining acute) composes to NFC; "İ" lowercases to i + combining dot, a mark that stays.
        assertThat(CustomerInformationNormalizer.lettersMarksAndDigits("Vale\u0301ry-São Paulo"))
                .isEqualTo("val\u00e9rys\u00e3opaulo");
        assertThat(CustomerInformationNormalizer.lettersMarksAndDigits("\u0130stanbul")).isEqualTo("i\u0307stanbul");
        assertThat(CustomerInformationNormalizer.lettersMarksAndDigits("Mary Ann O'Neil 2nd"))
                .isEqualTo("maryannoneil2nd");
    }
}
