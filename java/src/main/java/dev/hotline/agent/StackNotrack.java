package dev.hotline.agent;

import java.util.List;
import java.util.function.Consumer;

/**
 * The one netfilter rule hotline owns: translated frames the program leaves to the host stack
 * (redirect off, or a next hop the FIB could not give) carry the notrack mark, and this rule, in
 * hotline's own nftables table, clears the mark and exempts them from conntrack. Netfilter would
 * otherwise see each translated flow as two unrelated halves (the request after DNAT, the reply
 * after reverse NAT), record the reply as INVALID, and a node's "--ctstate INVALID -j DROP"
 * (kube-proxy's and Calico's chains have one) would break the connection.
 *
 * The table is hotline's alone ("ip hotline"): made anew at start, deleted at stop and by
 * --cleanup; no other table or chain is ever touched. Its chain runs at priority -310, before the
 * raw table (-300) and conntrack (-200), so no one else sees the mark.
 */
public final class StackNotrack {
    public static final String TABLE = "hotline";

    private StackNotrack() {
    }

    static String ruleset(int mark, boolean localOut) {
        String m = String.format("0x%08x", mark);
        String keep = String.format("0x%08x", ~mark);
        // "add" then "delete" makes the delete safe when the table is not there yet
        return "add table ip " + TABLE + "\n"
                + "delete table ip " + TABLE + "\n"
                + "table ip " + TABLE + " {\n"
                + "  chain prerouting_notrack {\n"
                + "    type filter hook prerouting priority -310; policy accept;\n"
                + "    meta mark & " + m + " == " + m + " meta mark set meta mark & " + keep + " notrack\n"
                + "  }\n"
                // the user-space dataplane hands translated packets back through a raw socket: the output path
                + (localOut ? "  chain output_notrack {\n"
                + "    type filter hook output priority -310; policy accept;\n"
                + "    meta mark & " + m + " == " + m + " meta mark set meta mark & " + keep + " notrack\n"
                + "  }\n" : "")
                + "}\n";
    }

    /** Installs the rule for this mark; returns null, or why it could not (nft missing or refusing). */
    public static String install(int mark) {
        return install(mark, false);
    }

    /** localOut: also in the output path (the user-space dataplane's raw socket sends translated packets there). */
    public static String install(int mark, boolean localOut) {
        return dev.hotline.live.Nft.run(ruleset(mark, localOut));
    }

    /** Removes hotline's table if it is there; returns null, or why it could not. */
    public static String remove() {
        return dev.hotline.live.Nft.run("add table ip " + TABLE + "\ndelete table ip " + TABLE + "\n");
    }

    /** Removes the table, saying so in the log when that fails for another reason than nft being absent. */
    public static void remove(Consumer<String> log) {
        String why = remove();
        if (why != null && !why.startsWith("nft is not installed")) {
            log.accept("cannot remove the nftables table ip " + TABLE + ": " + why);
        }
    }
}
