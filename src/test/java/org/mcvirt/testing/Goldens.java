package org.mcvirt.testing;

import java.util.Map;

/**
 * -Dgolden.update=true: a golden-file test writes its goldens from this run and then compares them with themselves, so
 * it cannot fail. It is for a person who reviews the diff afterwards, never for CI: where the environment has CI, the
 * tests that honour it (PlanGoldenTest, DrbdResourceRenderTest) refuse to run.
 */
public final class Goldens {
    public static final String PROPERTY = "golden.update";

    private Goldens() {
    }

    /** Whether this run rewrites the goldens; fails the calling test class where CI is set. */
    public static boolean update() {
        return update(Boolean.getBoolean(PROPERTY), System.getenv());
    }

    /** Whether asked is honoured in environment: it is refused (IllegalStateException) where CI is set. */
    public static boolean update(boolean asked, Map<String, String> environment) {
        if (asked && environment.containsKey("CI")) {
            throw new IllegalStateException("-D" + PROPERTY + "=true rewrites the golden files and then compares them"
                    + " with themselves, so it cannot fail; it is refused where CI is set (CI=" + environment.get("CI")
                    + "). Regenerate on a workstation and review the diff.");
        }
        return asked;
    }
}
