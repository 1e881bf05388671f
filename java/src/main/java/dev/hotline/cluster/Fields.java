package dev.hotline.cluster;

import dev.hotline.net.Ipv4;
import dev.hotline.net.Protocol;
import java.util.regex.Pattern;

/** Field checks shared by the converters; each reports through ObjectProblems and returns a usable value or null. */
final class Fields {
    // IANA_SVC_NAME, as the API server validates container port names (and named targetPorts):
    // lowercase alphanumerics and '-', at most 15, a letter somewhere
    private static final Pattern PORT_NAME = Pattern.compile("[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?");
    // a DNS-1123 label, as the API server validates Service port names: at most 63, digits alone allowed
    private static final Pattern SERVICE_PORT_NAME = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

    private Fields() {
    }

    static Integer port(ObjectProblems p, String field, Integer value, boolean required) {
        if (value == null) {
            if (required) {
                p.error(field, "missing");
            }
            return null;
        }
        if (value < 1 || value > 65535) {
            p.error(field, value + " is out of range 1-65535");
            return null;
        }
        return value;
    }

    static Protocol protocol(ObjectProblems p, String field, String value) {
        Protocol proto = Protocol.fromKubernetes(value);
        if (proto == null) {
            p.error(field, "'" + value + "' is not one of TCP, UDP, SCTP");
        }
        return proto;
    }

    /** A Service port's name (spec.ports[].name): a DNS-1123 label. */
    static boolean validServicePortName(String name) {
        return SERVICE_PORT_NAME.matcher(name).matches();
    }

    /** A container port's name, or a named targetPort: an IANA service name. */
    static boolean validPortName(String name) {
        return PORT_NAME.matcher(name).matches() && name.chars().anyMatch(Character::isLetter) && !name.contains("--");
    }

    /** Parses an address; IPv6 is reported as ignored (the dataplane is IPv4) and gives null without failing. */
    static Ipv4 ipv4(ObjectProblems p, String field, String value, boolean errorIfInvalid) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        if (Ipv4.looksLikeIpv6(value)) {
            p.warning(field, value + " is IPv6; hotline's dataplane is IPv4 only, ignored");
            return null;
        }
        try {
            return Ipv4.parse(value);
        } catch (IllegalArgumentException e) {
            if (errorIfInvalid) {
                p.error(field, "'" + value + "' is not an IPv4 address");
            } else {
                p.warning(field, "'" + value + "' is not an IPv4 address, ignored");
            }
            return null;
        }
    }

    static String nonEmpty(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
