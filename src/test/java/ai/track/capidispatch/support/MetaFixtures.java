package ai.track.capidispatch.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Recorded answers of Meta and of what can stand in its place (proxies, gateways), under {@code src/test/resources/meta}. */
public final class MetaFixtures {

    private MetaFixtures() {
    }

    public static String read(String name) {
        try (InputStream in = MetaFixtures.class.getResourceAsStream("/meta/" + name)) {
            assertThat(in).as("fixture %s", name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
