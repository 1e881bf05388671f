package dev.hotline.cluster;

/** The range NodePorts are taken from, like kube-apiserver's --service-node-port-range. */
public record NodePortRange(int min, int max) {
    public static final NodePortRange DEFAULT = new NodePortRange(30000, 32767);

    public NodePortRange {
        if (min < 1 || max > 65535 || min > max) {
            throw new IllegalArgumentException("node port range " + min + "-" + max + " is not within 1-65535 with min <= max");
        }
    }

    /** Parses "30000-32767". */
    public static NodePortRange parse(String text) {
        String[] parts = text.trim().split("-");
        if (parts.length != 2) {
            throw new IllegalArgumentException("'" + text + "' is not a port range like 30000-32767");
        }
        try {
            return new NodePortRange(Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a port range like 30000-32767");
        }
    }

    public boolean contains(int port) {
        return port >= min && port <= max;
    }

    @Override
    public String toString() {
        return min + "-" + max;
    }
}
