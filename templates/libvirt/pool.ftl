<#ftl output_format="XML" strip_whitespace=true>
<pool type='dir'>
  <name>${p.name}</name>
  <target>
    <path>${p.path}</path>
  </target>
</pool>
