package dev.hotline.cluster;

import java.util.ArrayList;
import java.util.List;

/**
 * Collects what is wrong with one object while it is converted. Any error means the object is
 * skipped; warnings are kept and the object is used.
 */
final class ObjectProblems {
    private final String source;
    private final ObjectRef ref;
    private final List<Problem> problems = new ArrayList<>();
    private boolean failed;

    ObjectProblems(String source, ObjectRef ref) {
        this.source = source;
        this.ref = ref;
    }

    void error(String field, String message) {
        problems.add(Problem.error(source, ref, field, message));
        failed = true;
    }

    void warning(String field, String message) {
        problems.add(Problem.warning(source, ref, field, message));
    }

    boolean failed() {
        return failed;
    }

    String source() {
        return source;
    }

    ObjectRef ref() {
        return ref;
    }

    List<Problem> problems() {
        return problems;
    }
}
