package dev.hotline.net;

/**
 * An IPv4 prefix (address/length), as loadBalancerSourceRanges, --cluster-cidr and
 * --nodeport-addresses give them. The address is kept masked, so 10.1.2.3/8 and 10.0.0.0/8 are
 * the same prefix.
 */
public record Cidr(Ipv4 address, int prefix) implements Comparable<Cidr> {
    public Cidr {
        if (prefix < 0 || prefix > 32) {
            throw new IllegalArgumentException("prefix length " + prefix + " is not within 0-32");
        }
        address = new Ipv4(address.value() & mask(prefix));
    }

    /** Parses "a.b.c.d/n" (or a bare address, a /32); throws IllegalArgumentException naming the text. */
    public static Cidr parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("missing IPv4 prefix");
        }
        String t = text.trim();
        int slash = t.indexOf('/');
        try {
            if (slash < 0) {
                return new Cidr(Ipv4.parse(t), 32);
            }
            String len = t.substring(slash + 1);
            if (len.isEmpty() || len.length() > 2 || !len.chars().allMatch(Character::isDigit)) {
                throw new IllegalArgumentException("bad length");
            }
            return new Cidr(Ipv4.parse(t.substring(0, slash)), Integer.parseInt(len));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + text + "' is not an IPv4 prefix (a.b.c.d/n, n within 0-32)");
        }
    }

    static int mask(int prefix) {
        return prefix == 0 ? 0 : -1 << (32 - prefix);
    }

    public boolean contains(Ipv4 ip) {
        return (ip.value() & mask(prefix)) == address.value();
    }

    public boolean contains(int ip) {
        return (ip & mask(prefix)) == address.value();
    }

    @Override
    public int compareTo(Cidr o) {
        int c = address.compareTo(o.address);
        return c != 0 ? c : Integer.compare(prefix, o.prefix);
    }

    @Override
    public String toString() {
        return address + "/" + prefix;
    }
}
