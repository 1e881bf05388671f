package dev.hotline.dataplane;

import java.util.Map;

/**
 * A snapshot of a dataplane's counters: frames by verdict and by reason, and frames per Service
 * (by Service ID: every frame translated, rejected or reverse-translated for it) and per backend ID.
 */
public record DataplaneCounters(Map<Verdict, Long> byVerdict, Map<Reason, Long> byReason,
                                Map<Integer, Long> byService, Map<Integer, Long> byBackend, long conntrackEntries) {
}
