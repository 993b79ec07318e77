<#ftl output_format="XML" strip_whitespace=true>
<#import "devices.ftl" as dev>
<@dev.cdrom c=c/>
