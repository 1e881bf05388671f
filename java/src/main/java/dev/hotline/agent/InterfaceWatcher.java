package dev.hotline.agent;

import dev.hotline.dataplane.Attachment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import dev.hotline.source.Daemons;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Keeps the program attached at tc ingress of every interface whose name matches one of the
 * patterns (names, or globs such as veth*): rescans the namespace's interfaces whenever rtnetlink
 * announces a link change, and at every poll period as the safety net; attaches to new ones (pods
 * come and go), forgets vanished ones, and attaches again to one made anew under a known name (a
 * restarted pod: same name, new ifindex).
 */
public final class InterfaceWatcher implements AutoCloseable {
    private final Attachment attachment;
    private final List<Pattern> patterns = new ArrayList<>();
    private final Consumer<String> log;
    private final java.util.Map<String, Integer> attached = new java.util.TreeMap<>(); // name -> ifindex
    private final ScheduledExecutorService scanner = Daemons.thread("interface-watch");
    private volatile boolean closed;

    private final java.util.Set<String> refused = new java.util.HashSet<>();

    public InterfaceWatcher(Attachment attachment, List<String> globs, Consumer<String> log) {
        this.attachment = attachment;
        this.log = log;
        for (String g : globs) {
            patterns.add(glob(g));
        }
    }

    static Pattern glob(String g) {
        StringBuilder b = new StringBuilder();
        for (char c : g.toCharArray()) {
            switch (c) {
                case '*' -> b.append(".*");
                case '?' -> b.append('.');
                default -> b.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(b.toString());
    }

    boolean matches(String name) {
        return patterns.stream().anyMatch(p -> p.matcher(name).matches());
    }

    /**
     * The interfaces of this process's network namespace, from /proc/net/dev (procfs follows the
     * caller's namespace, whereas /sys/class/net shows whichever namespace sysfs was mounted in).
     */
    public static List<String> interfaces() {
        try {
            List<String> out = new ArrayList<>();
            for (String line : Files.readAllLines(Path.of("/proc/net/dev"))) {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    out.add(line.substring(0, colon).trim());
                }
            }
            out.sort(null);
            return out;
        } catch (IOException e) {
            return List.of();
        }
    }

    /** The ifindex of an interface of this process's network namespace, or 0 when it is gone. */
    static int indexOf(String name) {
        try {
            java.net.NetworkInterface ni = java.net.NetworkInterface.getByName(name);
            return ni == null ? 0 : ni.getIndex();
        } catch (java.net.SocketException e) {
            return 0;
        }
    }

    /**
     * The interfaces present now with their ifindex: from the attachment (netlink, every interface),
     * else from /proc/net/dev and the JDK (which sees only interfaces that have an address).
     */
    private java.util.Map<String, Integer> present() {
        java.util.Map<String, Integer> links = attachment.links();
        if (links != null) {
            return links;
        }
        java.util.Map<String, Integer> out = new java.util.TreeMap<>();
        for (String name : interfaces()) {
            out.put(name, indexOf(name));
        }
        return out;
    }

    /** Attaches to every matching interface not attached yet (or made anew); returns the names attached now. */
    public synchronized List<String> scan() {
        java.util.Map<String, Integer> links = present();
        java.util.Set<String> present = links.keySet();
        for (var it = attached.entrySet().iterator(); it.hasNext();) {
            var e = it.next();
            int now = links.getOrDefault(e.getKey(), 0);
            if (now != e.getValue()) {
                // gone, or deleted and made again under the same name: its old index means nothing now
                attachment.forget(e.getValue());
                it.remove();
                if (now != 0) {
                    log.accept(e.getKey() + " was made anew (ifindex " + e.getValue() + " -> " + now + "): attaching again");
                }
            }
        }
        refused.retainAll(present);
        List<String> added = new ArrayList<>();
        for (String name : present) {
            if (!attached.containsKey(name) && !refused.contains(name) && matches(name)) {
                try {
                    int ifindex = attachment.attach(name);
                    attached.put(name, ifindex);
                    added.add(name);
                } catch (IllegalArgumentException e) {
                    // not one we can serve (an L3 device): said once, not at every rescan
                    refused.add(name);
                    log.accept("not attaching to " + e.getMessage());
                } catch (RuntimeException e) {
                    log.accept("cannot attach to " + name + ": " + e.getMessage());
                }
            }
        }
        if (!added.isEmpty()) {
            log.accept("attached at tc ingress of " + String.join(", ", added));
        }
        return added;
    }

    /**
     * Rescans on every link event, and every periodMillis without one. The events come from an
     * rtnetlink socket opened on the scanning thread (the agent's network namespace); if one
     * cannot be had, polling alone carries on.
     */
    public void start(long periodMillis) {
        scanner.execute(() -> {
            Attachment.LinkChanges events = null;
            try {
                events = attachment.linkChanges();
                if (events == null) {
                    log.accept("no link events from this dataplane: interfaces are rescanned every " + periodMillis + " ms");
                }
            } catch (RuntimeException e) {
                log.accept("no link events (" + e.getMessage() + "): interfaces are rescanned every " + periodMillis + " ms only");
            }
            try {
                while (!closed) {
                    if (events != null) {
                        try {
                            events.await((int) Math.min(Integer.MAX_VALUE, periodMillis));
                        } catch (RuntimeException e) {
                            // the polling goes on without events, never stops
                            log.accept("link events failed (" + e.getMessage() + "): interfaces are rescanned every "
                                    + periodMillis + " ms only");
                            events.close();
                            events = null;
                        }
                    } else {
                        Thread.sleep(periodMillis);
                    }
                    if (closed) {
                        break;
                    }
                    try {
                        scan();
                    } catch (RuntimeException e) {
                        log.accept("interface scan: " + e);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                if (events != null) {
                    events.close();
                }
            }
        });
    }

    public synchronized Set<String> attached() {
        return new TreeSet<>(attached.keySet());
    }

    /** Removes our filter from every interface we attached to. */
    public synchronized int detachAll() {
        int n = 0;
        for (String name : attached.keySet()) {
            try {
                if (attachment.detach(name)) {
                    n++;
                }
            } catch (RuntimeException e) {
                log.accept("cannot detach from " + name + ": " + e.getMessage());
            }
        }
        attached.clear();
        return n;
    }

    @Override
    public void close() {
        closed = true;
        Daemons.stop(scanner);
    }
}
