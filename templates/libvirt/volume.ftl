<#ftl output_format="XML" strip_whitespace=true>
<volume>
  <name>${v.name}</name>
  <capacity unit='bytes'>${v.capacityBytes?c}</capacity>
  <allocation unit='bytes'>0</allocation>
  <target>
    <format type='qcow2'/>
  </target>
</volume>
