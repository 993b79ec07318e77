package org.mcvirt.model;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.stream.IntStream;

/**
 * MAC addresses mcvirt derives for NICs the manifest gives no {@code mac}. A NIC's candidates are, in order,
 * 52:54:00 followed by 24 bits of SHA-256 over "VM/nic/INDEX" (the first, unchanged since the first version), then
 * over "VM/nic/INDEX/ATTEMPT" for attempts 1 to {@link #CANDIDATES} - 1. Since 24 bits collide (among 5,000 vms
 * a collision is more likely than not), {@link #assign} gives each NIC the first candidate nobody else has.
 */
public final class Macs {
    /** How many candidates a NIC has; a NIC whose candidates are all taken needs a {@code mac} in the manifest. */
    public static final int CANDIDATES = 64;

    private Macs() {
    }

    /** Candidate {@code attempt} (0 is the first) of NIC {@code index} of a vm. */
    /** Looking a digest up in the security providers costs more than hashing a seed; one per thread. */
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    });

    public static String derived(String vm, int index, int attempt) {
        String seed = vm + "/nic/" + index + (attempt == 0 ? "" : "/" + attempt);
        byte[] hash = SHA256.get().digest(seed.getBytes(StandardCharsets.UTF_8));
        return "52:54:00:" + HexFormat.ofDelimiter(":").formatHex(hash, 0, 3);
    }

    /**
     * Gives every derived NIC ({@link VmSpec.NicSpec#derived()}) its MAC; NICs with a MAC from the manifest are
     * left as they are. Deterministic, in three rules:
     * <ol>
     * <li>a NIC of a vm that exists keeps the MAC it has when that MAC is one of its candidates ({@code live}: the
     * MACs of each vm's existing domain, by vm name), so resolving a collision never changes a live vm;</li>
     * <li>no NIC is given a MAC in {@code taken} (the manifest's explicit MACs and every MAC seen on a node);</li>
     * <li>otherwise vms go in name order and each NIC takes its first candidate not given yet: of two vms whose
     * first candidates collide, the one whose name sorts first keeps it.</li>
     * </ol>
     * Offline, {@code live} is empty and {@code taken} holds the explicit MACs. A NIC whose candidates are all taken
     * is reported to {@code exhausted} (vm, NIC index) and keeps its first candidate.
     *
     * @return the vms, in the order given, with their MACs
     */
    public static List<VmSpec> assign(List<VmSpec> vms, Set<String> taken, Map<String, Set<String>> live,
                                      BiConsumer<VmSpec, Integer> exhausted) {
        Set<String> used = new HashSet<>(taken);
        VmSpec[] assigned = vms.toArray(VmSpec[]::new);
        List<Integer> byName = IntStream.range(0, vms.size()).boxed()
                .sorted(Comparator.comparing(i -> vms.get(i).name())).toList();
        for (int position : byName) {
            VmSpec vm = vms.get(position);
            Set<String> own = live.getOrDefault(vm.name(), Set.of());
            Set<String> kept = new HashSet<>();
            List<VmSpec.NicSpec> nics = new ArrayList<>();
            for (int i = 0; i < vm.nics().size(); i++) {
                VmSpec.NicSpec nic = vm.nics().get(i);
                if (!nic.derived()) {
                    nics.add(nic);
                    continue;
                }
                String mac = null;
                for (int attempt = 0; attempt < CANDIDATES && mac == null && !own.isEmpty(); attempt++) {
                    String candidate = derived(vm.name(), i, attempt);
                    if (own.contains(candidate) && kept.add(candidate)) {
                        mac = candidate;
                    }
                }
                for (int attempt = 0; attempt < CANDIDATES && mac == null; attempt++) {
                    String candidate = derived(vm.name(), i, attempt);
                    if (!used.contains(candidate)) {
                        mac = candidate;
                    }
                }
                if (mac == null) {
                    exhausted.accept(vm, i);
                    mac = derived(vm.name(), i, 0);
                }
                used.add(mac);
                nics.add(new VmSpec.NicSpec(nic.network(), mac, true));
            }
            if (!nics.equals(vm.nics())) {
                assigned[position] = vm.withNics(nics);
            }
        }
        return List.of(assigned);
    }
}
