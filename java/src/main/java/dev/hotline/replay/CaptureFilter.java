package dev.hotline.replay;

import java.util.HashMap;
import java.util.Map;
import org.pcap4j.core.BpfProgram;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.Pcaps;
import org.pcap4j.packet.namednumber.DataLinkType;

/**
 * `--filter EXPR`: a tcpdump filter expression, compiled by libpcap (through pcap4j) once per link
 * type met, matched against each frame as captured. Frames it leaves out are written as captured
 * and traced as passed with reason "filtered", so a large capture can be narrowed to one flow.
 */
final class CaptureFilter implements AutoCloseable {
    private final String expression;
    private final Map<Integer, BpfProgram> byLinkType = new HashMap<>();
    // libpcap takes the frame from the start of an array (the length is given apart): one scratch
    // array, grown to the next power of two when a longer frame comes
    private byte[] scratch = new byte[2048];

    private CaptureFilter(String expression) {
        this.expression = expression;
    }

    /** Compiles the expression (checked against Ethernet now, so a typo is said before anything runs). */
    static CaptureFilter compile(String expression) throws ReplayInputException {
        CaptureFilter f = new CaptureFilter(expression);
        f.program(LinkLayer.ETHERNET);
        return f;
    }

    private BpfProgram program(int linkType) throws ReplayInputException {
        BpfProgram p = byLinkType.get(linkType);
        if (p == null) {
            LibpcapLocator.configure();
            try {
                // 255.255.255.255: libpcap's "netmask unknown" (only "ip broadcast" would need a real one)
                p = Pcaps.compileFilter(262144, DataLinkType.getInstance(linkType), expression, BpfProgram.BpfCompileMode.OPTIMIZE,
                        (java.net.Inet4Address) java.net.InetAddress.getByAddress(new byte[] {-1, -1, -1, -1}));
            } catch (PcapNativeException e) {
                String why = e.getMessage() == null ? "" : e.getMessage().replaceAll("\\s+", " ").trim();
                if (why.contains("is not supported by the pcap library")) {
                    throw new ReplayInputException(LibpcapLocator.MISSING);
                }
                throw new ReplayInputException("--filter '" + expression + "': " + why);
            } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
                throw new ReplayInputException(LibpcapLocator.MISSING);
            } catch (java.net.UnknownHostException e) {
                throw new IllegalStateException(e); // a literal address: never
            }
            byLinkType.put(linkType, p);
        }
        return p;
    }

    boolean matches(int linkType, byte[] buf, int off, int captured, int wire) throws ReplayInputException {
        if (captured > scratch.length) {
            scratch = new byte[Integer.highestOneBit(captured - 1) << 1];
        }
        System.arraycopy(buf, off, scratch, 0, captured);
        return program(linkType).applyFilter(scratch, wire, captured);
    }

    @Override
    public void close() {
        byLinkType.values().forEach(BpfProgram::free);
    }
}
