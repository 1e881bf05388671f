package dev.hotline.cli;

import dev.hotline.dataplane.DataplaneConfig;
import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;

/** Conntrack and SNAT settings, shared by every command that runs a dataplane. */
public final class DataplaneOptions {
    @Option(names = "--conntrack-max", paramLabel = "N", defaultValue = "262144",
            description = "Flows conntrack holds; when full, expired flows are swept and new flows beyond are dropped "
                    + "and counted. Default: ${DEFAULT-VALUE}.")
    int conntrackMax;

    @Option(names = "--ct-tcp-established", paramLabel = "DURATION", defaultValue = "6h", converter = DurationConverter.class,
            description = "Idle timeout of a TCP flow that has seen a reply. Default: ${DEFAULT-VALUE}.")
    Duration tcpEstablished;

    @Option(names = "--ct-tcp-opening", paramLabel = "DURATION", defaultValue = "60s", converter = DurationConverter.class,
            description = "Idle timeout of a TCP flow with no reply yet. Default: ${DEFAULT-VALUE}.")
    Duration tcpOpening;

    @Option(names = "--ct-tcp-closing", paramLabel = "DURATION", defaultValue = "10s", converter = DurationConverter.class,
            description = "Idle timeout of a TCP flow after FIN both ways or a RST. Default: ${DEFAULT-VALUE}.")
    Duration tcpClosing;

    @Option(names = "--ct-udp", paramLabel = "DURATION", defaultValue = "60s", converter = DurationConverter.class,
            description = "Idle timeout of a UDP flow. Default: ${DEFAULT-VALUE}.")
    Duration udp;

    @Option(names = "--snat-port-range", paramLabel = "MIN-MAX", defaultValue = "61000-65535",
            description = "Source ports for NodePort flows SNATed to a pod on another node. The agent refuses a range that "
                    + "overlaps the node's unreserved ephemeral ports (net.ipv4.ip_local_port_range). Default: ${DEFAULT-VALUE}.")
    String snatPortRange;

    @Option(names = "--hairpin-address", paramLabel = "IPV4", defaultValue = "169.254.42.1",
            description = "The source a pod's flow gets when its own Service sends it back to itself (hairpin): an address "
                    + "no pod or node owns, link-local by convention. Default: ${DEFAULT-VALUE}.")
    String hairpinAddress;

    DataplaneConfig config() {
        String[] r = snatPortRange.split("-");
        int min;
        int max;
        try {
            if (r.length != 2) {
                throw new NumberFormatException();
            }
            min = Integer.parseInt(r[0].trim());
            max = Integer.parseInt(r[1].trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--snat-port-range " + snatPortRange + ": not a range like 61000-65535");
        }
        dev.hotline.net.Ipv4 hairpin;
        try {
            hairpin = dev.hotline.net.Ipv4.parse(hairpinAddress.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--hairpin-address " + hairpinAddress + ": not an IPv4 address like 169.254.42.1");
        }
        int first = hairpin.value() >>> 24;
        if (hairpin.value() == 0 || first == 127 || first >= 224) {
            throw new IllegalArgumentException("--hairpin-address " + hairpinAddress
                    + ": must be a unicast address outside 127.0.0.0/8 (pods answer it), such as 169.254.42.1");
        }
        return new DataplaneConfig(conntrackMax, tcpEstablished, tcpOpening, tcpClosing, udp, min, max, hairpin.value());
    }

    /** "90s", "10m", "6h", "500ms", or ISO-8601 ("PT6H"). */
    static final class DurationConverter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String v) {
            String s = v.trim().toLowerCase(java.util.Locale.ROOT);
            try {
                if (s.startsWith("pt") || s.startsWith("p")) {
                    return positive(Duration.parse(v.trim().toUpperCase(java.util.Locale.ROOT)), v);
                }
                if (s.endsWith("ms")) {
                    return positive(Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2))), v);
                }
                long n = Long.parseLong(s.substring(0, s.length() - 1));
                return positive(switch (s.charAt(s.length() - 1)) {
                    case 's' -> Duration.ofSeconds(n);
                    case 'm' -> Duration.ofMinutes(n);
                    case 'h' -> Duration.ofHours(n);
                    case 'd' -> Duration.ofDays(n);
                    default -> throw new IllegalArgumentException();
                }, v);
            } catch (RuntimeException e) {
                throw new picocli.CommandLine.TypeConversionException("'" + v + "' is not a duration like 90s, 10m or 6h");
            }
        }

        private static Duration positive(Duration d, String v) {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(v);
            }
            return d;
        }
    }
}
