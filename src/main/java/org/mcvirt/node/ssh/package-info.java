/**
 * How mcvirt reaches a node's shell: {@link org.mcvirt.node.ssh.NodeTransport}, implemented over SSH by
 * {@link org.mcvirt.node.ssh.SshTransport} (JSch, key authentication, strict host-key checking) and on the
 * machine mcvirt runs on by {@link org.mcvirt.node.ssh.LocalTransport}. Commands are argument lists, never
 * shell text: over SSH they are quoted by {@link org.mcvirt.node.ssh.ShellQuoting}, locally they are run
 * without a shell.
 */
package org.mcvirt.node.ssh;
