package dev.hotline.replay;

/**
 * A captured frame as tc ingress would see it, and back. The dataplanes take Ethernet frames with
 * any VLAN tag already moved into metadata (as the kernel does before tc ingress); captures come
 * as Ethernet (tagged or not), Linux cooked SLL and SLL2 (tcpdump -i any), or raw IPv4/IPv6. This
 * class makes the Ethernet view of each (a cooked or raw frame gets an Ethernet header, its
 * source MAC from the cooked header where it has one; tags are taken out), and after the dataplane
 * puts the frame back in its own encapsulation: the original link-layer header and tags, around
 * the frame's new network-layer bytes. Both dataplanes see the same view, so their outputs stay
 * byte-identical. Other link types are not presented at all.
 *
 * One instance per replay; it holds the current frame's header between {@link #toEthernet} and
 * {@link #restore}, and allocates nothing per frame.
 */
public final class LinkLayer {
    public static final int ETHERNET = 1;
    public static final int RAW = 101;
    public static final int RAW_ALT_12 = 12; // DLT_RAW's number on some systems
    public static final int RAW_ALT_14 = 14; // and on others
    public static final int IPV4 = 228;
    public static final int IPV6 = 229;
    public static final int SLL = 113;
    public static final int SLL2 = 276;

    static final int ETH_HLEN = 14;
    static final int SLL_HLEN = 16;
    static final int SLL2_HLEN = 20;
    static final int TPID_8021Q = 0x8100;
    static final int TPID_8021AD = 0x88a8;
    /**
     * The kernel takes one tag off before tc ingress (skb_vlan_untag); an inner one of QinQ stays in
     * the frame, and the program passes it (reason vlan), as it would on a node.
     */
    static final int MAX_TAGS = 1;

    private final byte[] header = new byte[SLL2_HLEN + 4 * MAX_TAGS];
    private int linkType;
    private int headerLength;   // the original header's bytes kept in header (L2 header, or MACs for Ethernet)
    private int tagBytes;       // VLAN tags taken out, kept after the MACs in header
    private int inputL3;        // where the network layer began in the input

    /** Whether frames of this link type are presented to the dataplane. */
    public static boolean supported(int linkType) {
        return switch (linkType) {
            case ETHERNET, RAW, RAW_ALT_12, RAW_ALT_14, IPV4, IPV6, SLL, SLL2 -> true;
            default -> false;
        };
    }

    /**
     * Writes the Ethernet view of the captured frame into out (from 0) and returns its length, or -1
     * when the frame is too short for its own link-layer header (it then passes as captured).
     */
    public int toEthernet(int linkType, byte[] in, int off, int len, byte[] out) {
        this.linkType = linkType;
        tagBytes = 0;
        int ethertype;
        switch (linkType) {
            case ETHERNET -> {
                if (len < ETH_HLEN) {
                    return -1;
                }
                System.arraycopy(in, off, header, 0, 12);
                headerLength = 12;
                int p = off + 12;
                ethertype = u16(in, p);
                // the tag the kernel takes off before tc: the outer one, 802.1ad or 802.1Q
                while ((ethertype == TPID_8021Q || ethertype == TPID_8021AD) && tagBytes < 4 * MAX_TAGS && p + 6 <= off + len) {
                    System.arraycopy(in, p, header, 12 + tagBytes, 4);
                    tagBytes += 4;
                    p += 4;
                    ethertype = u16(in, p);
                }
                System.arraycopy(in, off, out, 0, 12);
                inputL3 = p + 2 - off;
            }
            case SLL -> {
                if (len < SLL_HLEN) {
                    return -1;
                }
                System.arraycopy(in, off, header, 0, SLL_HLEN);
                headerLength = SLL_HLEN;
                ethertype = u16(in, off + 14);
                macsFromCooked(in, off + 6, u16(in, off + 4), u16(in, off + 2), out);
                inputL3 = SLL_HLEN;
            }
            case SLL2 -> {
                if (len < SLL2_HLEN) {
                    return -1;
                }
                System.arraycopy(in, off, header, 0, SLL2_HLEN);
                headerLength = SLL2_HLEN;
                ethertype = u16(in, off);
                macsFromCooked(in, off + 12, in[off + 11] & 0xff, u16(in, off + 8), out);
                inputL3 = SLL2_HLEN;
            }
            default -> { // raw IP: the version says which
                headerLength = 0;
                if (len < 1) {
                    return -1;
                }
                ethertype = (in[off] & 0xf0) == 0x60 ? 0x86dd : 0x0800;
                java.util.Arrays.fill(out, 0, 12, (byte) 0);
                inputL3 = 0;
            }
        }
        if (linkType == SLL || linkType == SLL2) {
            // libpcap puts a tag it got from the kernel's metadata back after a cooked header: taken out again
            int p = off + inputL3;
            while ((ethertype == TPID_8021Q || ethertype == TPID_8021AD) && tagBytes < 4 * MAX_TAGS && p + 4 <= off + len) {
                header[headerLength + tagBytes] = (byte) (ethertype >>> 8);
                header[headerLength + tagBytes + 1] = (byte) ethertype;
                header[headerLength + tagBytes + 2] = in[p];
                header[headerLength + tagBytes + 3] = in[p + 1];
                tagBytes += 4;
                ethertype = u16(in, p + 2);
                p += 4;
            }
            inputL3 = p - off;
        }
        out[12] = (byte) (ethertype >>> 8);
        out[13] = (byte) ethertype;
        int l3 = len - inputL3;
        if (l3 < 0) {
            return -1;
        }
        System.arraycopy(in, off + inputL3, out, ETH_HLEN, l3);
        return ETH_HLEN + l3;
    }

    /** The frame is presented as captured (an Ethernet runt): written back as it is. */
    void asCaptured() {
        linkType = ETHERNET;
        headerLength = 12;
        tagBytes = 0;
    }

    /** A cooked header's link-layer address, when it is a MAC, becomes the source MAC; no destination is known. */
    private static void macsFromCooked(byte[] in, int addr, int addrLen, int arphrd, byte[] out) {
        java.util.Arrays.fill(out, 0, 12, (byte) 0);
        if (arphrd == 1 && addrLen == 6) {
            System.arraycopy(in, addr, out, 6, 6);
        }
    }

    /**
     * Puts the dataplane's output (an Ethernet frame of length bytes in frame) back in the input's
     * encapsulation, into out; returns its length. A reply the dataplane generated (reject) keeps
     * the input's cooked header with the packet type "sent by us"; for Ethernet its swapped MACs
     * stand, and the tags are put back as they came.
     */
    public int restore(byte[] frame, int length, boolean reply, byte[] out) {
        int l3 = length - ETH_HLEN;
        switch (linkType) {
            case ETHERNET -> {
                System.arraycopy(frame, 0, out, 0, 12);
                System.arraycopy(header, 12, out, 12, tagBytes);
                out[12 + tagBytes] = frame[12];
                out[13 + tagBytes] = frame[13];
                System.arraycopy(frame, ETH_HLEN, out, ETH_HLEN + tagBytes, l3);
                return ETH_HLEN + tagBytes + l3;
            }
            case SLL, SLL2 -> {
                System.arraycopy(header, 0, out, 0, headerLength);
                if (reply) {
                    if (linkType == SLL) {
                        out[0] = 0;
                        out[1] = 4; // PACKET_OUTGOING
                    } else {
                        out[10] = 4;
                    }
                }
                int p = headerLength;
                if (tagBytes > 0) {
                    // the cooked header's protocol field names the first tag (kept); then its TCI, the
                    // later tags whole, and the innermost ethertype
                    System.arraycopy(header, headerLength + 2, out, p, tagBytes - 2);
                    p += tagBytes - 2;
                    out[p] = frame[12];
                    out[p + 1] = frame[13];
                    p += 2;
                } else {
                    int protocolAt = linkType == SLL ? 14 : 0;
                    out[protocolAt] = frame[12];
                    out[protocolAt + 1] = frame[13];
                }
                System.arraycopy(frame, ETH_HLEN, out, p, l3);
                return p + l3;
            }
            default -> {
                System.arraycopy(frame, ETH_HLEN, out, 0, l3);
                return l3;
            }
        }
    }

    /** How many bytes the encapsulation adds beyond the Ethernet view's 14 (negative for raw IP). */
    public int overhead() {
        return switch (linkType) {
            case ETHERNET -> tagBytes;
            case SLL -> SLL_HLEN - ETH_HLEN + tagBytes;
            case SLL2 -> SLL2_HLEN - ETH_HLEN + tagBytes;
            default -> -ETH_HLEN;
        };
    }

    private static int u16(byte[] b, int off) {
        return ((b[off] & 0xff) << 8) | (b[off + 1] & 0xff);
    }
}
