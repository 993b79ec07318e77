package org.mcvirt.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SizesTest {
    @Test
    void exactSizesTakeTheLargestUnitThatDividesEvenly() {
        assertThat(Sizes.format(3L << 30)).isEqualTo("3GiB");
        assertThat(Sizes.format((1L << 30) + 1024)).isEqualTo("1048577KiB");
    }

    @Test
    void approximateSizesHaveOneDecimalInTheLargestUnitReached() {
        assertThat(Sizes.approximate(5L << 29)).isEqualTo("2.5 GiB");
        assertThat(Sizes.approximate(512L << 20)).isEqualTo("512.0 MiB");
        assertThat(Sizes.approximate(16318412L * 1024)).isEqualTo("15.6 GiB");
        assertThat(Sizes.approximate(-(3L << 29))).isEqualTo("-1.5 GiB");
        assertThat(Sizes.approximate(1023)).isEqualTo("1023 B");
        assertThat(Sizes.approximate(0)).isEqualTo("0 B");
        assertThat(Sizes.approximate(1024)).isEqualTo("1.0 KiB");
    }
}
