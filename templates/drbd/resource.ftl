<#-- One DRBD resource: a replicated disk of one vm on the two nodes of its pair. r.drbd9 picks the syntax of
     the nodes' DRBD kernel (8.4 or 9). The shared secret is r.secret: in a plan it is a placeholder that apply
     replaces with the secret when it writes the file (mode 0600) on each node; it is never in the plan. The handlers
     log a split brain or a verify's finding to the node's journal (tag mcvirt-drbd) and, with cluster.notify, start
     its command in the background (DRBD waits for a handler; it must not wait for the operator's command), bounded
     by timeout, with the resource as its argument. r.notifyCommand holds no quotes or shell syntax (NotifySpec). -->
# Managed by mcvirt (cluster ${r.cluster}, vm ${r.vm}, disk ${r.disk}): do not edit, mcvirt rewrites it.
# mcvirt-resource: ${r.name}
resource ${r.name} {
<#if !r.drbd9>
  protocol ${r.protocol};
</#if>
  net {
<#if r.drbd9>
    protocol ${r.protocol};
</#if>
    cram-hmac-alg sha1;
    shared-secret "${r.secret}";
    verify-alg ${r.verifyAlg};
  }
  disk {
    resync-rate ${r.syncRate};
    c-plan-ahead 0;
  }
  handlers {
<#list ["split-brain", "out-of-sync"] as event>
    ${event} "logger -t mcvirt-drbd -p daemon.err '${r.name} (cluster ${r.cluster}, vm ${r.vm}, disk ${r.disk}): ${event?replace("-", " ")}'<#if r.notifyCommand??>; timeout 10 ${r.notifyCommand} ${r.name} </dev/null >/dev/null 2>&1 &</#if>";
</#list>
  }
<#list r.hosts as h>
  on ${h.name} {
<#if r.drbd9>
    node-id ${h?index};
</#if>
    device /dev/drbd${h.minor?c} minor ${h.minor?c};
    disk ${h.disk};
    address ${h.address}:${h.port?c};
    meta-disk internal;
  }
</#list>
<#if r.drbd9>
  connection-mesh {
    hosts<#list r.hosts as h> ${h.name}</#list>;
  }
</#if>
}
