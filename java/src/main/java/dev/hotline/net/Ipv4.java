package dev.hotline.net;

/** An IPv4 address held as the 32-bit big-endian value the packet path works with. */
public record Ipv4(int value) implements Comparable<Ipv4> {

    /** Parses dotted-quad text; throws IllegalArgumentException naming the text when it is not one. */
    public static Ipv4 parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("missing IPv4 address");
        }
        String[] parts = text.trim().split("\\.", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("'" + text + "' is not an IPv4 address");
        }
        int v = 0;
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit)) {
                throw new IllegalArgumentException("'" + text + "' is not an IPv4 address");
            }
            int octet = Integer.parseInt(p);
            if (octet > 255) {
                throw new IllegalArgumentException("'" + text + "' is not an IPv4 address");
            }
            v = (v << 8) | octet;
        }
        return new Ipv4(v);
    }

    /** True when the text is an IPv6 address (dual-stack objects carry both families). */
    public static boolean looksLikeIpv6(String text) {
        return text != null && text.indexOf(':') >= 0;
    }

    @Override
    public int compareTo(Ipv4 o) {
        return Integer.compareUnsigned(value, o.value);
    }

    @Override
    public String toString() {
        return ((value >>> 24) & 0xff) + "." + ((value >>> 16) & 0xff) + "." + ((value >>> 8) & 0xff) + "." + (value & 0xff);
    }
}
