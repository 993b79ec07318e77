#!/usr/bin/env python3
"""Makes the golden plan cases from one real snapshot.

    ./mcvirt -f manifests/examples/local.yaml apply --auto-approve
    virsh define <a hand-made domain named handmade>
    ./mcvirt -f manifests/examples/local.yaml observe > /tmp/observed.json
    python3 src/test/resources/testdata/plan/make-cases.py /tmp/observed.json
    mvn test -Dtest=PlanGoldenTest -Dgolden.update=true   # then review the diff of plan.txt/plan.json
"""
import copy, json, os, sys

base = json.load(open(sys.argv[1]))
root = os.path.dirname(os.path.abspath(__file__))
manifest = open(os.path.join(root, '../../../../../manifests/examples/local.yaml')).read()

def write(case, obs, man):
    d = os.path.join(root, case)
    os.makedirs(d, exist_ok=True)
    json.dump(obs, open(os.path.join(d, 'observed.json'), 'w'), indent=2, sort_keys=True)
    open(os.path.join(d, 'manifest.yaml'), 'w').write(man)

def dom(obs, name):
    return [x for x in obs['nodes'][0]['domains'] if x['name'] == name][0]

write('no-changes', base, manifest)
empty = copy.deepcopy(base)
n = empty['nodes'][0]
n['domains'] = [x for x in n['domains'] if x['name'] == 'handmade']
n['networks'] = [x for x in n['networks'] if x['name'] == 'default']
n['pools'] = []
write('create-from-empty', empty, manifest)
drift = copy.deepcopy(base)
db = dom(drift, 'demo-db')
db['memoryKib'] = 131072
db['definition'] = db['definition'].replace("<memory unit='KiB'>65536</memory>", "<memory unit='KiB'>131072</memory>")
web = dom(drift, 'demo-web')
web['vcpus'] = 2
web['definition'] = web['definition'].replace("<vcpu placement='static'>1</vcpu>", "<vcpu placement='static'>2</vcpu>")
write('drift-memory-cpus', drift, manifest)
i = manifest.index("  - name: demo-web")
j = manifest.index("  - name: demo-db")
write('vm-removed', base, manifest[:i] + manifest[j:])
write('protected-vm-removed', base, manifest[:j])
write('unmanaged-name-conflict', base, manifest + "  - name: handmade\n    node: here\n    memory: 64MiB\n")
hotplug = manifest.replace("""    nics:
      - {network: demo}
""", """      - {name: scratch, size: 16MiB, storage: images}
    nics:
      - {network: demo}
      - {network: demo, mac: "52:54:00:00:5e:02"}
""", 1)
write('hotplug-running-vm', base, hotplug)
other = copy.deepcopy(base)
other['nodes'][0]['networks'].append({"name": "mcvirt.other.demo", "active": True, "persistent": True,
                                      "autostart": True, "forwardMode": "nat", "bridge": "mcv0badf00d",
                                      "address": "192.168.99.1", "netmask": "255.255.255.0",
                                      "dhcpStart": "192.168.99.2", "dhcpEnd": "192.168.99.254"})
write('other-clusters-network-untouched', other, manifest)
un = copy.deepcopy(base)
un['nodes'][0] = {"node": "here", "reachable": False,
                  "error": "node here: cannot connect to libvirt at qemu:///system: Failed to connect socket",
                  "libvirtVersion": None, "hypervisorVersion": None, "domains": [], "networks": [], "pools": []}
write('unreachable-node', un, manifest)
write('network-netmask-changed', base, manifest.replace('cidr: 192.168.151.0/24', 'cidr: 192.168.151.0/25'))
dhcp = copy.deepcopy(base)
[x for x in dhcp['nodes'][0]['networks'] if x['name'] == 'mcvirt.demo.demo'][0].update(
    dhcpStart='192.168.151.100', dhcpEnd='192.168.151.200')  # as after 'virsh net-edit' by hand
write('network-dhcp-range-changed', dhcp, manifest)
pools = copy.deepcopy(base)
pools['nodes'][0]['pools'] += [
    # a storage removed from the manifest, empty: removed with --allow-destroy, its directory kept
    {"name": "mcvirt.demo.scratch", "type": "dir", "active": True, "autostart": True,
     "path": "/var/lib/mcvirt/scratch", "volumes": []},
    # one that still holds a volume: kept, with a warning naming it
    {"name": "mcvirt.demo.archive", "type": "dir", "active": True, "autostart": True,
     "path": "/var/lib/mcvirt/archive", "volumes": [{"name": "old-root.qcow2", "capacityBytes": 67108864,
                                                    "path": "/var/lib/mcvirt/archive/old-root.qcow2"}]},
    # another cluster's (a renamed cluster's) pool: never touched
    {"name": "mcvirt.olddemo.images", "type": "dir", "active": True, "autostart": True,
     "path": "/var/lib/mcvirt/olddemo", "volumes": []}]
write('pool-removed', pools, manifest)
