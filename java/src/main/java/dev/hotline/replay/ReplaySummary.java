package dev.hotline.replay;

import dev.hotline.dataplane.Reason;
import dev.hotline.dataplane.Verdict;
import java.util.Map;

/** What a replay did: frames read and written, by verdict, by pass/drop reason, by Service and by backend. */
public record ReplaySummary(String dataplane, long framesIn, long framesOut, Map<Verdict, Long> byVerdict,
                            Map<Reason, Long> byReason, Map<String, Long> byService, Map<String, Long> byBackend,
                            Map<Integer, Long> otherLinkTypes, String cutShort) {

    public ReplaySummary(String dataplane, long framesIn, long framesOut, Map<Verdict, Long> byVerdict,
                         Map<Reason, Long> byReason, Map<String, Long> byService, Map<String, Long> byBackend) {
        this(dataplane, framesIn, framesOut, byVerdict, byReason, byService, byBackend, Map.of(), null);
    }

    public String render() {
        StringBuilder b = new StringBuilder();
        b.append("replayed ").append(framesIn).append(" frame(s) through the ").append(dataplane)
                .append(" dataplane, wrote ").append(framesOut).append('\n');
        b.append("by verdict:\n");
        byVerdict.forEach((v, n) -> {
            if (n > 0) {
                b.append(String.format("  %-10s %d%n", v.traceName(), n));
            }
        });
        boolean header = false;
        for (Map.Entry<Reason, Long> e : byReason.entrySet()) {
            // every frame passed or dropped has one reason, so these lines add up to pass + drop
            if (e.getValue() > 0 && e.getKey() != Reason.TRANSLATED) {
                if (!header) {
                    b.append("passed or dropped because:\n");
                    header = true;
                }
                b.append(String.format("  %-40s %d%n", e.getKey().description(), e.getValue()));
            }
        }
        if (!byService.isEmpty()) {
            b.append("by service:\n");
            byService.forEach((s, n) -> b.append(String.format("  %-40s %d%n", s, n)));
        }
        if (!byBackend.isEmpty()) {
            b.append("by backend:\n");
            byBackend.forEach((s, n) -> b.append(String.format("  %-40s %d%n", s, n)));
        }
        if (!otherLinkTypes.isEmpty()) {
            b.append("written as captured, of link types hotline does not translate:\n");
            otherLinkTypes.forEach((t, n) -> b.append(String.format("  link type %-30d %d%n", t, n)));
        }
        return b.toString();
    }
}
