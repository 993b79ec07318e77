package org.mcvirt.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.libvirt.Connect;
import org.libvirt.Domain;

/**
 * Issue 17 item 7: undefining a domain never discards its managed-save image (the saved memory of a guest that was
 * running). Against libvirt's in-process test driver, which keeps managed saves like the qemu driver.
 */
class ManagedSaveTest {
    private static final String NAME = "mcvirt-managed-save-test";
    private static final String XML = "<domain type='test'><name>" + NAME + "</name><memory unit='KiB'>65536</memory>"
            + "<vcpu>1</vcpu><os><type arch='x86_64'>hvm</type></os></domain>";

    @Test
    void undefiningADomainWithAManagedSaveIsRefusedAndTheImageKept() throws Exception {
        Connect connect = new Connect("test:///default");
        try (LibvirtNode node = LibvirtNode.open("t", "test:///default")) {
            Domain domain = connect.domainDefineXML(XML);
            domain.create();
            domain.managedSave();
            assertThat(domain.hasManagedSaveImage()).isEqualTo(1);
            assertThatThrownBy(() -> node.undefineDomain(NAME)).isInstanceOf(NodeException.class)
                    .hasMessageContaining("domain " + NAME + " has a managed-save image")
                    .hasMessageContaining("virsh managedsave-remove " + NAME);
            assertThat(domain.hasManagedSaveImage()).as("the saved state is kept").isEqualTo(1);
            assertThat(node.definition(NAME)).as("the domain is still defined").isPresent();
        } finally {
            try {
                Domain left = connect.domainLookupByName(NAME);
                if (left.hasManagedSaveImage() == 1) {
                    left.managedSaveRemove();
                }
                left.undefine();
            } catch (org.libvirt.LibvirtException e) {
                // undefined by the test
            }
            connect.close();
        }
    }
}
