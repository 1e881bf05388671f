package dev.hotline.tests.lab;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * A client process in a pod (or outside the cluster). Prints one line per attempt: the server's
 * answer, or "error KIND after N ms" (refused, unreachable, timeout, or the exception).
 * <pre>
 *   get HOST PORT COUNT                 COUNT new connections, one GET each
 *   getevery HOST PORT COUNT GAP_MS     the same, GAP_MS apart (session affinity past its timeout)
 *   udp HOST PORT COUNT                 COUNT datagrams, each from a new socket
 *   hold HOST PORT SECONDS INTERVAL_MS  one connection, a GET every INTERVAL_MS for SECONDS
 *   udpmsg HOST PORT N MESSAGE         as udp, with this message
 *   udpto HOST PORT COUNT               as udp, unconnected (sendto and recvfrom)
 *   udpbig HOST PORT N SIZE            as udp, with datagrams of SIZE bytes (IPv4 fragments past the MTU)
 *   xfer HOST PORT BYTES               BYTES up and BYTES down on one connection (see LabServer),
 *                                      "xfer up=ok down=ok bytes=N" when both arrived intact
 * </pre>
 */
public final class LabClient {
    public static void main(String[] args) throws Exception {
        String host = args[1];
        int port = Integer.parseInt(args[2]);
        switch (args[0]) {
            case "get", "getevery" -> {
                for (int i = 0; i < Integer.parseInt(args[3]); i++) {
                    if (args[0].equals("getevery") && i > 0) {
                        Thread.sleep(Long.parseLong(args[4]));
                    }
                    long t0 = System.nanoTime();
                    try (Socket s = new Socket()) {
                        s.connect(new InetSocketAddress(host, port), 3000);
                        s.setSoTimeout(3000);
                        System.out.println(get(s));
                    } catch (Exception e) {
                        System.out.println(error(e, t0));
                    }
                }
            }
            case "udp", "udpbig", "udpmsg" -> {
                byte[] message = (args[0].equals("udpmsg") ? args[4] : "hello").getBytes(StandardCharsets.US_ASCII);
                int size = args[0].equals("udpbig") ? Integer.parseInt(args[4]) : message.length;
                for (int i = 0; i < Integer.parseInt(args[3]); i++) {
                    long t0 = System.nanoTime();
                    try (DatagramSocket ds = new DatagramSocket()) {
                        ds.connect(new InetSocketAddress(host, port));
                        ds.setSoTimeout(3000);
                        byte[] q = new byte[size];
                        System.arraycopy(message, 0, q, 0, Math.min(message.length, size));
                        ds.send(new DatagramPacket(q, q.length));
                        byte[] buf = new byte[2048];
                        DatagramPacket p = new DatagramPacket(buf, buf.length);
                        ds.receive(p);
                        System.out.println(new String(buf, 0, p.getLength(), StandardCharsets.US_ASCII) + " from="
                                + ((InetSocketAddress) p.getSocketAddress()).getAddress().getHostAddress() + ":" + p.getPort());
                    } catch (Exception e) {
                        System.out.println(error(e, t0));
                    }
                }
            }
            case "udpto" -> {
                // unconnected: every datagram goes through sendmsg(), every answer through recvfrom()
                for (int i = 0; i < Integer.parseInt(args[3]); i++) {
                    long t0 = System.nanoTime();
                    try (DatagramSocket ds = new DatagramSocket()) {
                        ds.setSoTimeout(3000);
                        byte[] q = "hello".getBytes(StandardCharsets.US_ASCII);
                        ds.send(new DatagramPacket(q, q.length, new InetSocketAddress(host, port)));
                        byte[] buf = new byte[2048];
                        DatagramPacket p = new DatagramPacket(buf, buf.length);
                        ds.receive(p);
                        System.out.println(new String(buf, 0, p.getLength(), StandardCharsets.US_ASCII) + " from="
                                + ((InetSocketAddress) p.getSocketAddress()).getAddress().getHostAddress() + ":" + p.getPort());
                    } catch (Exception e) {
                        System.out.println(error(e, t0));
                    }
                }
            }
            case "hold" -> {
                long end = System.nanoTime() + Long.parseLong(args[3]) * 1_000_000_000L;
                long interval = Long.parseLong(args[4]);
                // a read may wait longer than a connect: a flow that stalls while a dataplane restarts carries on
                int readTimeout = args.length > 5 ? Integer.parseInt(args[5]) : 3000;
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(host, port), 3000);
                    s.setSoTimeout(readTimeout);
                    while (System.nanoTime() < end) {
                        long t0 = System.nanoTime();
                        try {
                            System.out.println(get(s));
                        } catch (Exception e) {
                            System.out.println(error(e, t0));
                            System.exit(1);
                        }
                        System.out.flush();
                        Thread.sleep(interval);
                    }
                }
            }
            case "xfer" -> System.out.println(xfer(host, port, Long.parseLong(args[3])));
            default -> throw new IllegalArgumentException(args[0]);
        }
        System.out.flush();
    }

    static String get(Socket s) throws Exception {
        OutputStream out = s.getOutputStream();
        out.write("GET / HTTP/1.1\r\nHost: lab\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
        String status = in.readLine();
        int length = 0;
        String line;
        while ((line = in.readLine()) != null && !line.isEmpty()) {
            if (line.startsWith("Content-Length: ")) {
                length = Integer.parseInt(line.substring(16));
            }
        }
        char[] body = new char[length];
        int n = 0;
        while (n < length) {
            int r = in.read(body, n, length - n);
            if (r < 0) {
                break;
            }
            n += r;
        }
        if (status == null || !status.contains("200")) {
            throw new IllegalStateException("bad status " + status);
        }
        return new String(body, 0, n).trim();
    }

    static String error(Exception e, long t0) {
        long ms = (System.nanoTime() - t0) / 1_000_000;
        String kind;
        String msg = String.valueOf(e.getMessage());
        if (e instanceof PortUnreachableException) {
            kind = "unreachable";
        } else if (msg.contains("refused")) {
            kind = "refused";
        } else if (e instanceof SocketTimeoutException || msg.contains("timed out")) {
            kind = "timeout";
        } else {
            kind = e.getClass().getSimpleName() + ":" + msg.replace(' ', '_');
        }
        return "error " + kind + " after " + ms + " ms";
    }

    static String xfer(String host, int port, long n) {
        long t0 = System.nanoTime();
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 3000);
            s.setSoTimeout(20_000);
            java.io.DataOutputStream out = new java.io.DataOutputStream(new java.io.BufferedOutputStream(s.getOutputStream(), 65536));
            java.security.MessageDigest upSha = java.security.MessageDigest.getInstance("SHA-256");
            out.writeLong(n);
            LabServer.stream(1, n, (b, len) -> {
                try {
                    out.write(b, 0, len);
                    upSha.update(b, 0, len);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            out.flush();
            java.io.DataInputStream in = new java.io.DataInputStream(new java.io.BufferedInputStream(s.getInputStream(), 65536));
            byte[] theirs = new byte[32];
            in.readFully(theirs);
            java.security.MessageDigest downSha = java.security.MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[65536];
            for (long left = n; left > 0; ) {
                int r = in.read(buf, 0, (int) Math.min(buf.length, left));
                if (r < 0) {
                    return "error short after " + (n - left) + " of " + n + " bytes";
                }
                downSha.update(buf, 0, r);
                left -= r;
            }
            java.security.MessageDigest expected = java.security.MessageDigest.getInstance("SHA-256");
            LabServer.stream(n, n, (b, len) -> expected.update(b, 0, len));
            boolean upOk = java.util.Arrays.equals(theirs, upSha.digest());
            boolean downOk = java.util.Arrays.equals(downSha.digest(), expected.digest());
            long ms = (System.nanoTime() - t0) / 1_000_000;
            return "xfer up=" + (upOk ? "ok" : "corrupt") + " down=" + (downOk ? "ok" : "corrupt") + " bytes=" + n + " ms=" + ms;
        } catch (Exception e) {
            return error(e, t0);
        }
    }
}
