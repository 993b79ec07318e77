package org.mcvirt.cli;
public class Main { public static void main(String[] a) {} }
