package dev.hotline.cluster;

/**
 * One thing wrong with the input, as a single line naming where it came from, the object and the
 * field: "svc.yaml:3: Service default/web: spec.ports[0].port: 70000 is out of range 1-65535".
 * An ERROR means the object was skipped; a WARNING means it was used, or ignored on purpose.
 */
public record Problem(Severity severity, String source, ObjectRef object, String field, String message) {

    public enum Severity { WARNING, ERROR }

    public static Problem error(String source, ObjectRef object, String field, String message) {
        return new Problem(Severity.ERROR, source, object, field, message);
    }

    public static Problem warning(String source, ObjectRef object, String field, String message) {
        return new Problem(Severity.WARNING, source, object, field, message);
    }

    public boolean isError() {
        return severity == Severity.ERROR;
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        if (source != null) {
            b.append(source).append(": ");
        }
        if (object != null) {
            b.append(object).append(": ");
        }
        if (field != null && !field.isEmpty()) {
            b.append(field).append(": ");
        }
        return b.append(message).toString();
    }
}
