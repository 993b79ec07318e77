<#-- The scheduled DRBD online verify of one cluster on one node (v: Views.VerifyScheduleView): a oneshot service
     that runs mcvirt's verify program (node-scripts/drbd-verify.sh, copied to v.program) in its scheduled mode. It
     verifies, one at a time, the cluster's replicated disks that are Primary on this node (the vms that run here) and
     records each result as mcvirt verify does. Every value here is a path or a name checked by the manifest binder:
     no quoting is needed. -->
# Managed by mcvirt (cluster ${v.cluster}): do not edit, mcvirt rewrites it.
[Unit]
Description=mcvirt: DRBD online verify of cluster ${v.cluster}'s replicated disks on ${v.node}
After=network-online.target drbd.service

[Service]
Type=oneshot
ExecStart=/bin/sh ${v.program} scheduled ${v.stateDirectory} ${v.drbdConfigDirectory} ${v.node} ${v.cluster} ${v.waitSeconds?c}
Nice=10
IOSchedulingClass=idle
TimeoutStartSec=${v.timeoutSeconds?c}
