<#-- When the scheduled verify of one cluster runs on a node (v: Views.VerifyScheduleView). v.schedule is a systemd
     calendar expression checked by model.CalendarSpec. Persistent: a run missed while the node was off runs when it
     is back. -->
# Managed by mcvirt (cluster ${v.cluster}): do not edit, mcvirt rewrites it.
[Unit]
Description=mcvirt: scheduled DRBD online verify of cluster ${v.cluster}

[Timer]
OnCalendar=${v.schedule}
Persistent=true

[Install]
WantedBy=timers.target
