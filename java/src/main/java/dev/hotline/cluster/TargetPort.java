package dev.hotline.cluster;

/** spec.ports[].targetPort: a number, or the name of a container port resolved per pod. */
public record TargetPort(int number, String name) {

    public static TargetPort numeric(int number) {
        return new TargetPort(number, null);
    }

    public static TargetPort named(String name) {
        return new TargetPort(0, name);
    }

    public boolean isNamed() {
        return name != null;
    }

    @Override
    public String toString() {
        return isNamed() ? name : Integer.toString(number);
    }
}
