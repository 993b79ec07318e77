<#ftl output_format="XML" strip_whitespace=true>
<#-- A managed network: a libvirt NAT network with its own bridge, or a pass-through to a host bridge. -->
<network>
  <name>${n.name}</name>
<#if n.nat>
  <forward mode='nat'/>
  <bridge name='${n.bridgeName}' stp='on' delay='0'/>
  <ip address='${n.gateway}' netmask='${n.netmask}'>
    <dhcp>
      <range start='${n.dhcpStart}' end='${n.dhcpEnd}'/>
    </dhcp>
  </ip>
<#else>
  <forward mode='bridge'/>
  <bridge name='${n.bridgeName}'/>
</#if>
</network>
