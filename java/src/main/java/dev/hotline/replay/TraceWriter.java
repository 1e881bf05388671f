package dev.hotline.replay;

import dev.hotline.dataplane.PacketResult;
import dev.hotline.dataplane.Reason;
import dev.hotline.dataplane.Verdict;
import dev.hotline.net.Ipv4;
import java.io.BufferedWriter;
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
    private final BufferedWriter out;
    private final String[] serviceNames;

    /** serviceNames: the JSON string (quoted) for each Service ID, null where there is none. */
    public TraceWriter(Path file, String[] serviceNames) throws IOException {
        this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
        this.serviceNames = serviceNames;
    }

    public void write(long index, PacketResult r) throws IOException {
        out.write("{\"index\":");
        out.write(Long.toString(index));
        out.write(",\"verdict\":\"");
        out.write(r.verdict.traceName());
        out.write("\",\"service\":");
        String s = r.serviceId > 0 && r.serviceId < serviceNames.length ? serviceNames[r.serviceId] : null;
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
        out.write("}\n");
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
