<#-- Who may do what to the vms of one cluster through libvirt (r: Views.PolkitRulesView), as a polkit rules file
     for libvirtd's polkit access driver (access_drivers = ["polkit"]). ECMAScript 5 only: Debian 12's polkitd runs
     rules with duktape (var and function; no let, const or arrows). Measured on the lab
     (docs/research/issue-20-polkit-lab.md): root never reaches a rule; a vm's start and stop also ask for a port on
     each libvirt network of its NICs (network-port.create and .delete, driver "network"); a NO on domain.getattr and
     domain.read hides a domain. Names and groups come from the manifest (user names only: no quotes can occur), and
     are written with ?js_string all the same. -->
// Managed by mcvirt (cluster ${r.cluster}): do not edit, mcvirt rewrites it.
// mcvirt-polkit: ${r.cluster}
// Superusers may do everything through libvirt on this node. The users of a vm may look at it, start, stop, shut
// down and reset it, and open its console and graphics; its owners may also snapshot it and save its memory (managed
// save). Nobody but root may change or remove its definition. A user or owner does not see this cluster's other vms.
polkit.addRule(function (action, subject) {
    var id = action.id;
    if (id.indexOf("org.libvirt.") != 0) {
        return polkit.Result.NOT_HANDLED;
    }
    // a name, or "@group"
    function member(names) {
        for (var i = 0; i < names.length; i++) {
            var name = names[i];
            if (name.charAt(0) == "@" ? subject.isInGroup(name.substring(1)) : subject.user == name) {
                return true;
            }
        }
        return false;
    }
    var superusers = [<#list r.superusers as name>"${name?js_string}"<#sep>, </#sep></#list>];
    if (member(superusers)) {
        return polkit.Result.YES;
    }
    // each vm of the cluster with owners or users: them, and the libvirt networks of its NICs
    var vms = {
<#list r.vms as vm>
        "${vm.name?js_string}": {owners: [<#list vm.owners as name>"${name?js_string}"<#sep>, </#sep></#list>], users: [<#list vm.users as name>"${name?js_string}"<#sep>, </#sep></#list>], networks: [<#list vm.networks as network>"${network?js_string}"<#sep>, </#sep></#list>]}<#sep>,</#sep>
</#list>
    };
    // every vm (domain) of the cluster: the ones a named user does not see
    var cluster = [<#list r.domains as name>"${name?js_string}"<#sep>, </#sep></#list>];
    var mine = [];
    for (var name in vms) {
        if (vms.hasOwnProperty(name) && (member(vms[name].owners) || member(vms[name].users))) {
            mine.push(name);
        }
    }
    if (mine.length == 0) {
        return polkit.Result.NOT_HANDLED;
    }
    if (id == "org.libvirt.unix.manage" || id == "org.libvirt.api.connect.getattr"
            || id == "org.libvirt.api.connect.read" || id == "org.libvirt.api.connect.search-domains") {
        return polkit.Result.YES;
    }
    var use = ["org.libvirt.api.domain.getattr", "org.libvirt.api.domain.read", "org.libvirt.api.domain.start",
        "org.libvirt.api.domain.stop", "org.libvirt.api.domain.init-control", "org.libvirt.api.domain.reset",
        "org.libvirt.api.domain.open-device", "org.libvirt.api.domain.open-graphics"];
    var own = ["org.libvirt.api.domain.snapshot", "org.libvirt.api.domain.hibernate"];
    var driver = action.lookup("connect_driver");
    if (driver == "QEMU") {
        var domain = action.lookup("domain_name");
        if (mine.indexOf(domain) >= 0) {
            if (use.indexOf(id) >= 0 || (own.indexOf(id) >= 0 && member(vms[domain].owners))) {
                return polkit.Result.YES;
            }
        } else if (cluster.indexOf(domain) >= 0
                && (id == "org.libvirt.api.domain.getattr" || id == "org.libvirt.api.domain.read")) {
            return polkit.Result.NO;
        }
    } else if (driver == "network"
            && (id == "org.libvirt.api.network-port.create" || id == "org.libvirt.api.network-port.delete")) {
        var network = action.lookup("network_name");
        for (var i = 0; i < mine.length; i++) {
            if (vms[mine[i]].networks.indexOf(network) >= 0) {
                return polkit.Result.YES;
            }
        }
    }
    return polkit.Result.NOT_HANDLED;
});
