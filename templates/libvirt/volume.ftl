<#ftl output_format="XML" strip_whitespace=true>
<volume>
  <name>${v.name}</name>
  <capacity unit='bytes'>${v.capacityBytes?c}</capacity>
  <allocation unit='bytes'>0</allocation>
  <target>
    <format type='${v.format}'/>
  </target>
<#if v.backingPath??>
  <backingStore>
    <path>${v.backingPath}</path>
    <format type='${v.backingFormat}'/>
  </backingStore>
</#if>
</volume>
