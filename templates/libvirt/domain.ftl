<#ftl output_format="XML" strip_whitespace=true>
<#import "devices.ftl" as dev>
<domain type='${d.domainType}'>
  <name>${d.name}</name>
<#if d.uuid??>
  <uuid>${d.uuid}</uuid>
</#if>
  <metadata>
<@dev.metadata m=d.metadata/>
  </metadata>
  <memory unit='KiB'>${d.memoryKib?c}</memory>
  <currentMemory unit='KiB'>${d.memoryKib?c}</currentMemory>
  <vcpu placement='static'>${d.cpus?c}</vcpu>
  <os>
    <type arch='x86_64'>hvm</type>
<#if !d.perDeviceBoot()>
    <boot dev='hd'/>
    <boot dev='network'/>
</#if>
  </os>
  <features>
    <acpi/>
    <apic/>
  </features>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>restart</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
<#list d.disks as disk>
<@dev.disk d=disk boot=disk?is_first?then(d.firstDiskBoot, 0)/>
</#list>
<#if d.seed??>
<@dev.scsiController/>
<@dev.seed s=d.seed/>
</#if>
<#if d.cdrom??>
<@dev.cdrom c=d.cdrom/>
</#if>
<#list d.nics as nic>
<@dev.interface n=nic/>
</#list>
    <serial type='pty'>
      <target port='0'/>
    </serial>
    <console type='pty'>
      <target type='serial' port='0'/>
    </console>
    <graphics type='vnc' port='-1' autoport='yes' listen='127.0.0.1'>
      <listen type='address' address='127.0.0.1'/>
    </graphics>
    <memballoon model='virtio'/>
  </devices>
</domain>
