package dev.hotline.check;

import dev.hotline.cluster.ObjectRef;

/** One problem `hotline check` reports: where, what is wrong, and what to do about it, on one line. */
public record Finding(String source, ObjectRef object, String field, String problem, String fix) {

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        if (source != null) {
            b.append(source).append(": ");
        }
        if (object != null) {
            b.append(object).append(": ");
        }
        if (field != null) {
            b.append(field).append(": ");
        }
        b.append(problem);
        if (fix != null) {
            b.append(" -> ").append(fix);
        }
        return b.toString();
    }
}
