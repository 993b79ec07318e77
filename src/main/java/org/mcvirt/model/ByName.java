package org.mcvirt.model;

import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Lookup by name in a list sorted by name (as the desired and observed records keep their lists): a binary
 * search, so finding each of n vms among n domains costs n log n, not n squared. Gives the first element with the
 * name, as a scan from the start would.
 */
public final class ByName {
    private ByName() {
    }

    public static <T> Optional<T> find(List<T> sortedByName, Function<T, String> name, String wanted) {
        int low = 0;
        int high = sortedByName.size();
        while (low < high) {
            int middle = (low + high) >>> 1;
            if (name.apply(sortedByName.get(middle)).compareTo(wanted) < 0) {
                low = middle + 1;
            } else {
                high = middle;
            }
        }
        return low < sortedByName.size() && name.apply(sortedByName.get(low)).equals(wanted)
                ? Optional.of(sortedByName.get(low)) : Optional.empty();
    }
}
