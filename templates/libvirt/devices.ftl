<#ftl output_format="XML" strip_whitespace=true>
<#-- Device snippets shared by domain.ftl and by the hot-plug steps (disk.ftl, interface.ftl). -->
<#macro disk d boot=0>
<#if d.drbd??>
    <disk type='block' device='disk'>
      <driver name='qemu' type='raw' cache='none' io='native'/>
      <source dev='${d.source}'/>
      <target dev='${d.target}' bus='${d.bus}'/>
<#if boot gt 0>
      <boot order='${boot?c}'/>
</#if>
    </disk>
<#else>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='${d.source}'/>
      <target dev='${d.target}' bus='${d.bus}'/>
<#if boot gt 0>
      <boot order='${boot?c}'/>
</#if>
    </disk>
</#if>
</#macro>
<#-- An installer ISO: a read-only CD-ROM on SATA, with its boot order when the vm says boot:. -->
<#macro cdrom c>
    <disk type='file' device='cdrom'>
      <driver name='qemu' type='raw'/>
      <source file='${c.source}'/>
      <target dev='${c.target}' bus='sata'/>
      <readonly/>
<#if c.boot gt 0>
      <boot order='${c.boot?c}'/>
</#if>
    </disk>
</#macro>
<#-- A cloud-init seed: a read-only CD-ROM on the virtio-scsi controller (seed.ftl has the controller too). -->
<#macro seed s>
    <disk type='file' device='cdrom'>
      <driver name='qemu' type='raw'/>
      <source file='${s.source}'/>
      <target dev='${s.target}' bus='scsi'/>
      <readonly/>
    </disk>
</#macro>
<#macro scsiController>
    <controller type='scsi' index='0' model='virtio-scsi'/>
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
<#list m.pair as node>
      <mcvirt:pair-node>${node}</mcvirt:pair-node>
</#list>
<#list m.disks as d>
<#if d.drbd??>
      <mcvirt:disk name='${d.name}' storage='${d.storage}' target='${d.target}' source='${d.source}' resource='${d.drbd.resource}' minor='${d.drbd.minor?c}' port='${d.drbd.port?c}'<#if d.image??> image='${d.image.name}' image-sha256='${d.image.sha256}'</#if>/>
<#else>
      <mcvirt:disk name='${d.name}' storage='${d.storage}' target='${d.target}' source='${d.source}'<#if d.image??> image='${d.image.name}' image-sha256='${d.image.sha256}'</#if>/>
</#if>
</#list>
    </mcvirt:vm>
</#macro>
