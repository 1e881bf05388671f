package dev.hotline.replay;

import dev.hotline.dataplane.PacketResult;
import dev.hotline.dataplane.Reason;
import dev.hotline.dataplane.Verdict;
import dev.hotline.net.Ipv4;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The replay trace: one JSON object per input frame, exactly
 * {"index":N,"verdict":V,"service":S,"backend":B} followed by extra fields ("reason", "length").
 * S is "namespace/name:portName" or null, B is "ip:port" or null.
 */
public final class TraceWriter implements AutoCloseable {
    private final java.io.Writer out;
    private final java.util.function.IntFunction<String> serviceName;

    /** serviceNames: the JSON string (quoted) for each Service ID, null where there is none. */
    public TraceWriter(Path file, String[] serviceNames) throws IOException {
        this(Files.newBufferedWriter(file, StandardCharsets.UTF_8),
                id -> id > 0 && id < serviceNames.length ? serviceNames[id] : null);
    }

    /** serviceName: the JSON string (quoted) of a Service ID, null where there is none (live use: names change). */
    public TraceWriter(java.io.Writer out, java.util.function.IntFunction<String> serviceName) {
        this.out = out;
        this.serviceName = serviceName;
    }

    public void write(long index, PacketResult r) throws IOException {
        write(index, r, null);
    }

    /** extra: more members, already JSON ("\"interface\":\"eth0\""), after the contract's, or null. */
    public void write(long index, PacketResult r, String extra) throws IOException {
        out.write("{\"index\":");
        out.write(Long.toString(index));
        out.write(",\"verdict\":\"");
        out.write(r.verdict.traceName());
        out.write("\",\"service\":");
        String s = r.serviceId > 0 ? serviceName.apply(r.serviceId) : null;
        out.write(s == null ? "null" : s);
        out.write(",\"backend\":");
        if (r.backendIp != 0 && (r.verdict == Verdict.DNAT || r.verdict == Verdict.DNAT_SNAT || r.verdict == Verdict.REVERSE)) {
            out.write('"');
            out.write(new Ipv4(r.backendIp).toString());
            out.write(':');
            out.write(Integer.toString(r.backendPort));
            out.write('"');
        } else {
            out.write("null");
        }
        if (r.reason != Reason.TRANSLATED) {
            out.write(",\"reason\":\"");
            out.write(r.reason.name().toLowerCase(java.util.Locale.ROOT));
            out.write('"');
        }
        out.write(",\"length\":");
        out.write(Integer.toString(r.length));
        if (extra != null) {
            out.write(',');
            out.write(extra);
        }
        out.write("}\n");
    }

    /** Sends what is written so far on (a live trace read as it is written). */
    public void flush() throws IOException {
        out.flush();
    }

    /** A JSON string literal. */
    public static String quote(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
