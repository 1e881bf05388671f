package dev.hotline.tests.lab;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A pod's server process: HTTP on the given TCP ports (keep-alive, one response per request line),
 * a UDP responder on the given UDP ports. Every answer names the pod, the client address it saw
 * and the local port: "pod=pod-a client=10.244.1.10:40000 local=8080".
 * On xfer ports, a bulk transfer both ways: the client sends an 8-byte length N and N bytes; the
 * server answers with the SHA-256 of what it received (32 bytes), then N bytes of its own
 * ({@link #content}), so both directions of a translated flow carry large segments.
 * Usage: LabServer NAME tcp=8080,8081 udp=5353 xfer=9000
 */
public final class LabServer {
    public static void main(String[] args) throws Exception {
        String name = args[0];
        for (int i = 1; i < args.length; i++) {
            String[] kv = args[i].split("=");
            for (String p : kv[1].split(",")) {
                int port = Integer.parseInt(p);
                Thread t = new Thread(switch (kv[0]) {
                    case "tcp" -> () -> tcp(name, port);
                    case "xfer" -> () -> xfer(port);
                    default -> () -> udp(name, port);
                });
                t.start();
            }
        }
        System.out.println("listening");
        System.out.flush();
    }

    static String answer(String name, InetSocketAddress client, int local) {
        return "pod=" + name + " client=" + client.getAddress().getHostAddress() + ":" + client.getPort() + " local=" + local;
    }

    static void tcp(String name, int port) {
        try (ServerSocket ss = new ServerSocket()) {
            ss.setReuseAddress(true);
            ss.bind(new InetSocketAddress(port));
            while (true) {
                Socket s = ss.accept();
                new Thread(() -> serve(name, s)).start();
            }
        } catch (Exception e) {
            System.err.println("tcp " + port + ": " + e);
        }
    }

    static void serve(String name, Socket s) {
        try (s; BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII))) {
            OutputStream out = s.getOutputStream();
            String line;
            while ((line = in.readLine()) != null) {
                if (!line.startsWith("GET ")) {
                    continue;
                }
                while ((line = in.readLine()) != null && !line.isEmpty()) {
                    // headers
                }
                String body = answer(name, (InetSocketAddress) s.getRemoteSocketAddress(), s.getLocalPort()) + "\n";
                out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
        } catch (Exception e) {
            // the client went away
        }
    }

    static void udp(String name, int port) {
        try (DatagramSocket ds = new DatagramSocket(port)) {
            byte[] buf = new byte[65536];
            while (true) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                ds.receive(p);
                byte[] a = (answer(name, (InetSocketAddress) p.getSocketAddress(), port) + " got=" + p.getLength())
                        .getBytes(StandardCharsets.US_ASCII);
                ds.send(new DatagramPacket(a, a.length, p.getSocketAddress()));
            }
        } catch (Exception e) {
            System.err.println("udp " + port + ": " + e);
        }
    }

    /**
     * Writes n bytes of the stream seeded with seed to out, in 64 KiB pieces (a multiple of 4, so
     * the pieces join up to the same stream as one nextBytes of n): what xfer sends both ways.
     */
    public static void stream(long seed, long n, java.util.function.BiConsumer<byte[], Integer> out) {
        java.util.Random rnd = new java.util.Random(seed);
        byte[] buf = new byte[65536];
        for (long left = n; left > 0; left -= buf.length) {
            rnd.nextBytes(buf);
            out.accept(buf, (int) Math.min(buf.length, left));
        }
    }

    static void xfer(int port) {
        try (ServerSocket ss = new ServerSocket()) {
            ss.setReuseAddress(true);
            ss.bind(new InetSocketAddress(port));
            while (true) {
                Socket s = ss.accept();
                new Thread(() -> {
                    try (s) {
                        java.io.DataInputStream in = new java.io.DataInputStream(new java.io.BufferedInputStream(s.getInputStream()));
                        long n = in.readLong();
                        java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
                        byte[] buf = new byte[65536];
                        long left = n;
                        while (left > 0) {
                            int r = in.read(buf, 0, (int) Math.min(buf.length, left));
                            if (r < 0) {
                                return;
                            }
                            sha.update(buf, 0, r);
                            left -= r;
                        }
                        OutputStream out = new java.io.BufferedOutputStream(s.getOutputStream(), 65536);
                        out.write(sha.digest());
                        stream(n, n, (b, len) -> {
                            try {
                                out.write(b, 0, len);
                            } catch (java.io.IOException e) {
                                throw new java.io.UncheckedIOException(e);
                            }
                        });
                        out.flush();
                        s.shutdownOutput();
                        while (in.read(buf) >= 0) {
                            // until the client closes
                        }
                    } catch (Exception e) {
                        System.err.println("xfer " + port + ": " + e);
                    }
                }).start();
            }
        } catch (Exception e) {
            System.err.println("xfer " + port + ": " + e);
        }
    }
}
