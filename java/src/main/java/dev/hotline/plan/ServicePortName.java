package dev.hotline.plan;

/** One port of one Service, the unit kube-proxy balances: "namespace/name:port". */
public record ServicePortName(String namespace, String name, String port) implements Comparable<ServicePortName> {

    @Override
    public int compareTo(ServicePortName o) {
        int c = namespace.compareTo(o.namespace);
        if (c == 0) {
            c = name.compareTo(o.name);
        }
        return c != 0 ? c : port.compareTo(o.port);
    }

    @Override
    public String toString() {
        return namespace + "/" + name + ":" + port;
    }
}
