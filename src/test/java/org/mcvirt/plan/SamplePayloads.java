package org.mcvirt.plan;

import java.util.Map;

/**
 * One payload of every step kind, with short recognisable values (name N, xml X, pool P, volume group VG, tag T,
 * resource R with minor 7, directories /c and /s, node n1), for tests that need a step of a given kind. The switch has
 * no default: a new kind does not compile until it has a sample here.
 */
public final class SamplePayloads {
    /** The SHA-256 of "X". */
    public static final String SHA256_OF_X = "4af7d92f5ff933df331468936b77c46bc9ad8d51f507bfbf96d6e82fc55ea61b";

    private SamplePayloads() {
    }

    public static StepPayload of(StepKind kind) {
        return switch (kind) {
            case CREATE_POOL -> new StepPayload.CreatePool("N", "X");
            case START_POOL -> new StepPayload.StartPool("N");
            case DELETE_POOL -> new StepPayload.DeletePool("N");
            case CREATE_VOLUME -> new StepPayload.CreateVolume("P", "N", "X");
            case CREATE_NETWORK -> new StepPayload.CreateNetwork("N", "X");
            case START_NETWORK -> new StepPayload.StartNetwork("N");
            case DELETE_NETWORK -> new StepPayload.DeleteNetwork("N");
            case DEFINE_DOMAIN -> new StepPayload.DefineDomain("N", "X", Map.of("n1", "/s"));
            case SET_MEMORY_LIVE -> new StepPayload.SetMemoryLive("N", 65536);
            case ATTACH_DEVICE_LIVE -> new StepPayload.AttachDeviceLive("N", "X");
            case DETACH_DEVICE_LIVE -> new StepPayload.DetachDeviceLive("N", "X");
            case SET_AUTOSTART -> new StepPayload.SetAutostart("N", true);
            case START_DOMAIN -> new StepPayload.StartDomain("N");
            case SHUTDOWN_DOMAIN -> new StepPayload.ShutdownDomain("N");
            case UNDEFINE_DOMAIN -> new StepPayload.UndefineDomain("N", Map.of("n1", "/s"));
            case DELETE_VOLUME -> new StepPayload.DeleteVolume("P", "N");
            case CREATE_LV -> new StepPayload.CreateLv("VG", "N", 1024, "T");
            case WRITE_DRBD_CONFIG -> new StepPayload.WriteDrbdConfig("R", "text", "/c", "/s", "/secret", null);
            case CREATE_DRBD_METADATA -> new StepPayload.CreateDrbdMetadata("R");
            case DRBD_UP -> new StepPayload.DrbdUp("R");
            case DRBD_INITIAL_SYNC -> new StepPayload.DrbdInitialSync("R", 7);
            case DRBD_PROMOTE -> new StepPayload.DrbdPromote("R", 7);
            case DRBD_DEMOTE -> new StepPayload.DrbdDemote("R", 7, false);
            case DELETE_DRBD -> new StepPayload.DeleteDrbd("R", "/c", "/s");
            case DELETE_LV -> new StepPayload.DeleteLv("VG", "N", "T");
            case GROW_VOLUME -> new StepPayload.GrowVolume("P", "N", 1024, "D", "/d");
            case GROW_LV -> new StepPayload.GrowLv("VG", "N", 1024, "T");
            case GROW_DRBD -> new StepPayload.GrowDrbd("R", 7, "D", "/dev/drbd7", 1024);
            case MIGRATE_LIVE -> new StepPayload.MigrateLive("N", "n1", "tcp://x", Map.of("R", 7), Map.of("n1", "/s"),
                    250, true);
            case UNDEFINE_MIGRATED -> new StepPayload.UndefineMigrated("N", "n1", "u-1");
            case REGISTER_DOMAIN -> new StepPayload.RegisterDomain("N", "n1", "/s", SHA256_OF_X, Map.of("n1", "/s"));
            case REJOIN_STALE_COPY -> new StepPayload.RejoinStaleCopy("N", "n1", "/s", Map.of("R", 7));
            case RECORD_FAILOVER -> new StepPayload.RecordFailover("N", "n2", "/s", java.util.List.of("R"),
                    java.util.List.of());
            case INSTALL_VERIFY_SCHEDULE -> new StepPayload.InstallVerifySchedule("T.timer", "/s/bin/p",
                    org.mcvirt.model.Digests.sha256(org.mcvirt.node.ssh.NodeScript.DRBD_VERIFY.text()), "/u/T.service",
                    "S", "/u/T.timer", "X");
            case REMOVE_VERIFY_SCHEDULE -> new StepPayload.RemoveVerifySchedule("T.timer",
                    java.util.List.of("/u/T.service", "/u/T.timer"));
            case CONFIGURE_PERMISSIONS -> new StepPayload.ConfigurePermissions("c",
                    "/etc/polkit-1/rules.d/10-mcvirt-c.rules", "RULES", "/etc/libvirt/libvirtd.conf",
                    StepPayload.ConfigurePermissions.AccessDriver.ENABLE);
            case UPLOAD_IMAGE -> new StepPayload.UploadImage("P", "I", "X", "/src/i.qcow2", "a".repeat(64), "/p/I");
            case CREATE_VOLUME_FROM_IMAGE -> new StepPayload.CreateVolumeFromImage("P", "N", "X", "IP", "I", "/p/I",
                    "a".repeat(64), 1 << 30, false);
            case DELETE_SEED -> new StepPayload.DeleteSeed("P", "seed.vm.0123456789ab.iso");
            case WRITE_IMAGE -> new StepPayload.WriteImage("R", 7, "/p/I", "qcow2", "a".repeat(64), 1 << 20);
            case WRITE_SEED -> new StepPayload.WriteSeed("P", "/p", "S", "d".repeat(64), "UD", "MD", null);
        };
    }
}
