package org.mcvirt.node;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SavedDefinitionsTest {
    @Test
    void aDefinitionIsKeptInTheStateDirectoryReadableOnlyByRoot() throws Exception {
        ScriptedTransport node = new ScriptedTransport();
        SavedDefinitions saved = new SavedDefinitions("node2", node);
        saved.saveDefinition("/var/lib/mcvirt", "web", "<domain/>");
        saved.forgetDefinition("/var/lib/mcvirt", "web");
        assertThat(node.commands).containsExactly("/var/lib/mcvirt /var/lib/mcvirt/domains",
                "rm -f -- /var/lib/mcvirt/domains/web.xml");
        assertThat(node.written).containsExactly("/var/lib/mcvirt/domains/web.xml 0600");
    }
}
