#!/usr/bin/env python3
"""Makes the tampered saved plans from the golden replicated-create/plan.json, one edit each, and README.md.

    python3 src/test/resources/testdata/plan/tampered/make-tampered.py

Run it again whenever the golden plan.json changes: SavedPlanTamperTest plans the replicated-create case afresh and
expects each file to be refused for its own edit (the first difference it names), and the golden itself to pass.
"""
import copy, json, os

root = os.path.dirname(os.path.abspath(__file__))
golden = json.load(open(os.path.join(root, '..', 'replicated-create', 'plan.json')))


def step(plan, id):
    return [s for s in plan['steps'] if s['id'] == id][0]


def host_disk(p):
    s = step(p, 12)
    assert "/dev/drbd100" in s['arguments']['xml']
    s['arguments']['xml'] = s['arguments']['xml'].replace("/dev/drbd100", "/dev/sda")


def drbd_handlers(p):
    s = step(p, 5)
    text = s['arguments']['text']
    i = text.index('split-brain "') + len('split-brain "')
    j = text.index('";', i)
    s['arguments']['text'] = text[:i] + "id > /tmp/owned" + text[j:]


def uri_ext(p):
    p['nodes'][0]['libvirtUri'] = "qemu+ext:///system?command=/tmp/evil"


def uri_tcp(p):
    p['nodes'][1]['libvirtUri'] = "qemu+tcp://192.0.2.12/system"


def uri_other_libssh(p):
    p['nodes'][0]['libvirtUri'] = p['nodes'][0]['libvirtUri'].replace("known_hosts_verify=normal",
                                                                      "known_hosts_verify=ignore")


def state_directory(p):
    p['nodes'][0]['stateDirectory'] = "/etc"


def address(p):
    p['nodes'][1]['address'] = "203.0.113.66"


def known_hosts(p):
    p['nodes'][0]['knownHosts'] = "/dev/null"


def config_directory(p):
    step(p, 6)['arguments']['configDirectory'] = "/etc/cron.d"


def secret_file(p):
    step(p, 5)['arguments']['secretFile'] = "/root/.ssh/id_ed25519"


def kind_swapped(p):
    s = step(p, 9)
    assert s['kind'] == 'DRBD_UP'
    s['kind'] = 'CREATE_DRBD_METADATA'


def extra_step(p):
    lv = step(p, 3)
    p['steps'].append({"id": 14, "kind": "DELETE_LV", "node": "alpha", "subject": "lv:alpha/vg0/other",
                       "uses": [], "change": lv['change'], "description": "create logical volume vg0/other",
                       "arguments": {"volumeGroup": "vg0", "name": "other", "tag": lv['arguments']['tag']},
                       "dependsOn": [13]})


def step_removed(p):
    p['steps'] = [s for s in p['steps'] if s['id'] != 13]


def description(p):
    step(p, 11)['description'] = "check DRBD resource vm-web1-root"


def depends_on(p):
    step(p, 12)['dependsOn'] = [10]


def lv_size(p):
    step(p, 3)['arguments']['bytes'] = str(1 << 40)


def change_hidden(p):
    vm = [c for c in p['changes'] if c['address'] == 'vm.web1'][0]
    vm['attributes'] = [a for a in vm['attributes'] if a['name'] != 'disk.root']


def manifest_digest(p):
    p['manifestDigest'] = "0" * 64


def cluster(p):
    p['cluster'] = "staging"


def made_with(p):
    p['madeWith'] = {"targets": ["web1"], "live": True}


EDITS = [
    ("host-disk", host_disk, "step 12 DEFINE_DOMAIN: the vm's disk /dev/drbd100 replaced by the host's /dev/sda"),
    ("drbd-handlers", drbd_handlers, "step 5 WRITE_DRBD_CONFIG: the split-brain handler replaced by a root command in the"
     " resource file"),
    ("libvirt-uri-ext", uri_ext, "node alpha: libvirt URI qemu+ext:// (runs a local program)"),
    ("libvirt-uri-tcp", uri_tcp, "node beta: libvirt URI qemu+tcp:// (unauthenticated, unencrypted)"),
    ("libvirt-uri-no-host-key", uri_other_libssh, "node alpha: qemu+libssh:// URI with known_hosts_verify=ignore"),
    ("state-directory", state_directory, "node alpha: state directory /etc instead of the manifest's"),
    ("address", address, "node beta: another address (someone else's host)"),
    ("known-hosts", known_hosts, "node alpha: known_hosts /dev/null"),
    ("config-directory", config_directory, "step 6 WRITE_DRBD_CONFIG: resource file written to /etc/cron.d"),
    ("secret-file", secret_file, "step 5 WRITE_DRBD_CONFIG: a private key read as the DRBD secret"),
    ("kind-swapped", kind_swapped, "step 9: kind DRBD_UP changed to CREATE_DRBD_METADATA (same arguments)"),
    ("extra-step", extra_step, "a 14th step DELETE_LV added, described as a create"),
    ("step-removed", step_removed, "step 13 START_DOMAIN removed"),
    ("description", description, "step 11 DRBD_INITIAL_SYNC: description hides that beta's disk is overwritten"),
    ("depends-on", depends_on, "step 12 DEFINE_DOMAIN: no longer waits for the initial sync (step 11)"),
    ("lv-size", lv_size, "step 3 CREATE_LV: 1 TiB instead of 64 MiB"),
    ("change-hidden", change_hidden, "change vm.web1: the disk.root attribute removed from what is shown"),
    ("manifest-digest", manifest_digest, "manifestDigest replaced: claims other manifests"),
    ("cluster", cluster, "cluster name prod replaced by staging"),
    ("made-with", made_with, "madeWith added: claims it was planned with --target web1 --live"),
]

with open(os.path.join(root, 'README.md'), 'w') as readme:
    readme.write("# Tampered saved plans\n\nEach file is ../replicated-create/plan.json with one edit (made by"
                 " make-tampered.py); `mcvirt apply` must refuse every one of them\n(SavedPlanTamperTest). One line"
                 " per file: what was tampered.\n\n")
    for name, edit, what in EDITS:
        plan = copy.deepcopy(golden)
        edit(plan)
        with open(os.path.join(root, name + '.json'), 'w') as out:
            json.dump(plan, out, indent=2, separators=(',', ' : '))
            out.write('\n')
        readme.write("- `%s.json`: %s\n" % (name, what))
