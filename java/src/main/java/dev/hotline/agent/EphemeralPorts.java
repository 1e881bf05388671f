package dev.hotline.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;

/**
 * The node's own ephemeral ports against hotline's SNAT range. A NodePort flow to another node's
 * pod leaves with a SNAT port from that range; if the node's own sockets can be given the same
 * port (net.ipv4.ip_local_port_range), a reply meant for one is taken for the other. The ranges
 * must not overlap, unless the overlap is reserved (net.ipv4.ip_local_reserved_ports).
 */
public final class EphemeralPorts {
    static final Path LOCAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
    static final Path RESERVED = Path.of("/proc/sys/net/ipv4/ip_local_reserved_ports");

    private EphemeralPorts() {
    }

    /** Why the SNAT range cannot be used on this node, or null when it can. */
    public static String conflict(int snatMin, int snatMax) {
        try {
            return conflict(snatMin, snatMax, read(LOCAL_RANGE), Files.exists(RESERVED) ? read(RESERVED) : "");
        } catch (IOException e) {
            return null; // no procfs here: nothing to compare with
        }
    }

    /** A sysctl's text. (Files.readString trusts procfs's reported size and can return a single byte.) */
    private static String read(Path p) throws IOException {
        try (java.io.InputStream in = new java.io.FileInputStream(p.toFile())) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
        }
    }

    /** The same, from the two sysctls' text ("32768\t60999", "8080,61000-65535"). */
    static String conflict(int snatMin, int snatMax, String localRange, String reserved) {
        String[] lr = localRange.trim().split("\\s+");
        if (lr.length != 2) {
            return null; // not a form we know: nothing to compare with
        }
        int lo = Integer.parseInt(lr[0]);
        int hi = Integer.parseInt(lr[1]);
        int from = Math.max(lo, snatMin);
        int to = Math.min(hi, snatMax);
        if (from > to) {
            return null;
        }
        BitSet held = new BitSet(65536);
        for (String part : reserved.trim().split(",")) {
            if (part.isBlank()) {
                continue;
            }
            String[] r = part.trim().split("-");
            int a = Integer.parseInt(r[0]);
            int b = r.length > 1 ? Integer.parseInt(r[1]) : a;
            held.set(a, b + 1);
        }
        int free = held.nextClearBit(from);
        if (free > to) {
            return null;
        }
        return "the SNAT port range " + snatMin + "-" + snatMax + " overlaps this node's ephemeral ports (net.ipv4.ip_local_port_range "
                + lo + "-" + hi + "; port " + free + " is not reserved): the node's own connections could take a port a NodePort "
                + "flow is SNATed to. Reserve the range (sysctl -w net.ipv4.ip_local_reserved_ports=" + snatMin + "-" + snatMax
                + "), narrow ip_local_port_range, or give --snat-port-range outside it";
    }
}
