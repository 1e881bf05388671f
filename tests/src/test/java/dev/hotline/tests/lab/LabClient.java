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
 *   udp HOST PORT COUNT                 COUNT datagrams, each from a new socket
 *   hold HOST PORT SECONDS INTERVAL_MS  one connection, a GET every INTERVAL_MS for SECONDS
 * </pre>
 */
public final class LabClient {
    public static void main(String[] args) throws Exception {
        String host = args[1];
        int port = Integer.parseInt(args[2]);
        switch (args[0]) {
            case "get" -> {
                for (int i = 0; i < Integer.parseInt(args[3]); i++) {
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
            case "udp" -> {
                for (int i = 0; i < Integer.parseInt(args[3]); i++) {
                    long t0 = System.nanoTime();
                    try (DatagramSocket ds = new DatagramSocket()) {
                        ds.connect(new InetSocketAddress(host, port));
                        ds.setSoTimeout(3000);
                        byte[] q = "hello".getBytes(StandardCharsets.US_ASCII);
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
            case "hold" -> {
                long end = System.nanoTime() + Long.parseLong(args[3]) * 1_000_000_000L;
                long interval = Long.parseLong(args[4]);
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(host, port), 3000);
                    s.setSoTimeout(3000);
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
}
