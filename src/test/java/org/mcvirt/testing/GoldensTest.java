package org.mcvirt.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class GoldensTest {
    @Test
    void goldenUpdateIsRefusedWhereCiIsSet() {
        assertThatThrownBy(() -> Goldens.update(true, Map.of("CI", "true"))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("refused where CI is set (CI=true)");
        assertThat(Goldens.update(true, Map.of())).isTrue();
        assertThat(Goldens.update(false, Map.of("CI", "true"))).isFalse();
        assertThat(Goldens.update(false, Map.of())).isFalse();
    }
}
