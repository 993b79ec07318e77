package org.mcvirt.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ByNameTest {
    record Item(String name, int n) {
    }

    @Test
    void findsWhatAScanFromTheStartFinds() {
        Random random = new Random(7);
        for (int round = 0; round < 500; round++) {
            List<Item> items = new ArrayList<>();
            int count = random.nextInt(12);
            for (int i = 0; i < count; i++) {
                items.add(new Item("v" + random.nextInt(6), i)); // repeated names: the first one counts
            }
            List<Item> sorted = items.stream().sorted(Comparator.comparing(Item::name)).toList();
            for (int w = 0; w < 7; w++) {
                String wanted = "v" + w;
                Optional<Item> scan = sorted.stream().filter(i -> i.name().equals(wanted)).findFirst();
                assertThat(ByName.find(sorted, Item::name, wanted)).isEqualTo(scan);
            }
        }
    }
}
