<#ftl output_format="XML" strip_whitespace=true>
<#-- Device snippets shared by domain.ftl and by the hot-plug steps (disk.ftl, interface.ftl). -->
<#macro disk d>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='${d.source}'/>
      <target dev='${d.target}' bus='${d.bus}'/>
    </disk>
</#macro>
<#macro interface n>
    <interface type='network'>
      <mac address='${n.mac}'/>
      <source network='${n.network}'/>
      <model type='virtio'/>
    </interface>
</#macro>
<#macro metadata m>
    <mcvirt:vm xmlns:mcvirt='${m.namespace}'>
      <mcvirt:cluster>${m.cluster}</mcvirt:cluster>
      <mcvirt:name>${m.name}</mcvirt:name>
      <mcvirt:protect>${m.protect?c}</mcvirt:protect>
<#list m.disks as d>
      <mcvirt:disk name='${d.name}' storage='${d.storage}' target='${d.target}' source='${d.source}'/>
</#list>
    </mcvirt:vm>
</#macro>
