package org.mcvirt.app;

/** The one error type commands report; the category decides the exit code and the message prefix. */
public final class McvirtException extends Exception {
    private static final long serialVersionUID = 1L;

    public enum Category {
        /** Bad manifest: every problem with file:line:col. */
        MANIFEST,
        /** A broken template (an override from --templates): file:line:col of the error. */
        TEMPLATE,
        /** A node could not be reached or refused an operation. */
        NODE,
        /** A saved plan is damaged, of another version, or stale. */
        PLAN,
        /** The plan cannot be applied safely as asked (destroy without --allow-destroy, no approval...). */
        REFUSED,
        /** Another command holds the cluster lock. */
        LOCKED,
        /** Some steps failed during apply. */
        APPLY_FAILED
    }

    private final Category category;

    public McvirtException(Category category, String message) {
        super(message);
        this.category = category;
    }

    public McvirtException(Category category, String message, Throwable cause) {
        super(message, cause);
        this.category = category;
    }

    public Category category() {
        return category;
    }
}
