package dev.hotline.tests;

/** Manifests for scenario tests, in the shape kubectl prints them. */
public final class Cluster {
    private Cluster() {
    }

    public static String node(String name, String ip) {
        return """
                apiVersion: v1
                kind: Node
                metadata: {name: %s}
                status: {addresses: [{type: InternalIP, address: %s}]}
                ---
                """.formatted(name, ip);
    }

    public static String pod(String name, String ip, String node, String labels, String ports) {
        return """
                apiVersion: v1
                kind: Pod
                metadata: {name: %s, namespace: default, labels: {%s}}
                spec:
                  nodeName: %s
                  containers: [{name: app, image: app, ports: [%s]}]
                status:
                  phase: Running
                  podIP: %s
                  conditions: [{type: Ready, status: "True"}]
                ---
                """.formatted(name, labels, node, ports, ip);
    }

    public static String service(String name, String type, String clusterIP, String selector, String ports) {
        return """
                apiVersion: v1
                kind: Service
                metadata: {name: %s, namespace: default}
                spec:
                  type: %s
                  clusterIP: %s
                  selector: {%s}
                  ports: [%s]
                ---
                """.formatted(name, type, clusterIP, selector, ports);
    }

    static final String WEB_PORTS = "{name: http, containerPort: 8080}, {name: metrics, containerPort: 9090}, "
            + "{name: dns, containerPort: 5353, protocol: UDP}";

    /**
     * Two nodes; web-1 on node-1 and web-2 on node-2; Services web (multiport, NodePort 30080 for
     * http), dns (53 on TCP and UDP to different target ports) and empty (no endpoints).
     */
    public static String base() {
        return node("node-1", "192.168.49.2") + node("node-2", "192.168.49.3")
                + pod("web-1", "10.1.1.5", "node-1", "app: web", WEB_PORTS)
                + pod("web-2", "10.1.1.6", "node-2", "app: web", WEB_PORTS)
                + service("web", "NodePort", "10.96.0.10", "app: web",
                        "{name: http, port: 80, targetPort: http, nodePort: 30080}, {name: metrics, port: 9100, targetPort: 9090, nodePort: 30091}")
                + service("dns", "ClusterIP", "10.96.0.53", "app: web",
                        "{name: dns-udp, port: 53, protocol: UDP, targetPort: dns}, {name: dns-tcp, port: 53, protocol: TCP, targetPort: 5354}")
                + service("empty", "ClusterIP", "10.96.0.99", "app: nothing",
                        "{name: http, port: 80}, {name: dns, port: 53, protocol: UDP}");
    }
}
