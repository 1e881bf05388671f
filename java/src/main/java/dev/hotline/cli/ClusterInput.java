package dev.hotline.cli;

import dev.hotline.cluster.ClusterState;
import dev.hotline.cluster.ManifestException;
import dev.hotline.source.ManifestFiles;
import dev.hotline.cluster.Node;
import dev.hotline.cluster.NodePortRange;
import dev.hotline.net.Ipv4;
import dev.hotline.plan.NodeIdentity;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;

/** The options every command that reads manifests shares: the files, the node's identity, the NodePort range. */
public final class ClusterInput {
    @Option(names = {"-f", "--filename"}, paramLabel = "FILE",
            description = "Manifest file or directory (kubectl get -o yaml output: single objects, multi-document "
                    + "files, kind: List). Repeatable.")
    List<Path> files = new ArrayList<>();

    @Option(names = "--node-name", paramLabel = "NAME",
            description = "This node's name: backends on it are local. Default: the only Node in the manifests, if there is one.")
    String nodeName;

    @Option(names = "--node-ip", paramLabel = "IP", converter = Ipv4Converter.class,
            description = "An address of this node that NodePorts listen on. Repeatable. Default: the InternalIP and "
                    + "ExternalIP addresses of the Node named by --node-name.")
    List<Ipv4> nodeIps = new ArrayList<>();

    @Option(names = "--node-port-range", paramLabel = "MIN-MAX", converter = RangeConverter.class,
            description = "Range NodePorts must lie in, like kube-apiserver's --service-node-port-range. Default: ${DEFAULT-VALUE}.",
            defaultValue = "30000-32767")
    NodePortRange nodePortRange = NodePortRange.DEFAULT;

    @Option(names = "--nodeport-addresses", paramLabel = "CIDR|primary", split = ",",
            description = "Which of this node's addresses accept NodePorts, like kube-proxy's flag: IPv4 prefixes, or "
                    + "'primary' for the node's own address (--node-ip, else the Node's InternalIP). Repeatable or "
                    + "comma-separated. Default: every node address.")
    List<String> nodePortAddresses = new ArrayList<>();

    @Option(names = "--cluster-cidr", paramLabel = "CIDR", split = ",",
            description = "The cluster's pod address ranges, like kube-proxy's flag: sources in them (and the node itself) "
                    + "reaching an externalTrafficPolicy Local address keep the Cluster policy, as they do with kube-proxy. "
                    + "Repeatable or comma-separated. Default: none (every source at such an address counts as external).")
    List<String> clusterCidrs = new ArrayList<>();

    /**
     * The dataplane settings with what this node adds: its own address (where flows from outside to
     * an externalIP or LoadBalancer IP are SNATed to) and the cluster's source ranges.
     */
    public dev.hotline.dataplane.DataplaneConfig withNode(dev.hotline.dataplane.DataplaneConfig config, NodeIdentity node) {
        return config.withNode(node.primary() == null ? 0 : node.primary().value(), clusterCidrs());
    }

    /** Checks --cluster-cidr and --nodeport-addresses before anything else runs; throws IllegalArgumentException naming the bad one. */
    public void checkNodeOptions() {
        clusterCidrs();
        nodePortAddresses(List.of(), null);
    }

    /** --cluster-cidr, parsed; throws IllegalArgumentException naming the bad one. */
    public List<dev.hotline.net.Cidr> clusterCidrs() {
        List<dev.hotline.net.Cidr> out = new ArrayList<>();
        for (String c : clusterCidrs) {
            try {
                out.add(dev.hotline.net.Cidr.parse(c));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--cluster-cidr " + c + ": " + e.getMessage());
            }
        }
        return out;
    }

    /** The node's addresses --nodeport-addresses lets NodePorts listen on; throws IllegalArgumentException on a bad value. */
    public List<Ipv4> nodePortAddresses(List<Ipv4> all, Ipv4 primaryAddress) {
        if (nodePortAddresses.isEmpty()) {
            return all;
        }
        List<dev.hotline.net.Cidr> cidrs = new ArrayList<>();
        boolean primary = false;
        for (String v : nodePortAddresses) {
            if (v.trim().equals("primary")) {
                primary = true;
                continue;
            }
            try {
                cidrs.add(dev.hotline.net.Cidr.parse(v));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--nodeport-addresses " + v + ": " + e.getMessage() + ", or 'primary'");
            }
        }
        List<Ipv4> out = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            Ipv4 ip = all.get(i);
            if ((primary && ip.equals(primaryAddress)) || cidrs.stream().anyMatch(c -> c.contains(ip))) {
                out.add(ip);
            }
        }
        return out;
    }

    /** The manifests, read and checked; throws for input that cannot be read at all (or none given). */
    public ClusterState load() throws ManifestException {
        return ManifestFiles.load(files, nodePortRange);
    }

    /**
     * Who this node is, from the options and the Node objects in the input. A --node-name that
     * names none of the input's Nodes is an error (a typo would silently turn every NodePort off);
     * when the input has no Node at all the name is taken as given, and warnings say what is assumed.
     */
    public NodeIdentity node(ClusterState state, List<String> warnings) throws ManifestException {
        return node(state, warnings, null);
    }

    /** The same, with the addresses the node's interfaces have when --node-ip gives none (the agent's case). */
    public NodeIdentity node(ClusterState state, List<String> warnings, List<Ipv4> localAddresses) throws ManifestException {
        String name = nodeName;
        Node node = null;
        List<String> known = state.nodes().stream().map(Node::name).sorted().toList();
        if (name == null && state.nodes().size() == 1) {
            node = state.nodes().get(0);
            name = node.name();
        } else if (name == null && state.nodes().size() > 1) {
            warnings.add("the input has " + known.size() + " Nodes (" + String.join(", ", known) + ") and no --node-name says "
                    + "which one this is, so no backend counts as local; give --node-name NAME");
        } else if (name != null) {
            for (Node n : state.nodes()) {
                if (n.name().equals(name)) {
                    node = n;
                }
            }
            if (node == null && !known.isEmpty()) {
                throw new ManifestException("--node-name " + name + ": no Node of that name in the input; its Nodes are "
                        + String.join(", ", known));
            }
            if (node == null) {
                warnings.add("the input has no Node objects: " + name + " is taken as this node's name"
                        + (nodeIps.isEmpty() ? ", with no address (give --node-ip for NodePorts)" : ", at " + nodeIps));
            }
        }
        List<Ipv4> addresses = !nodeIps.isEmpty() ? nodeIps
                : localAddresses != null && !localAddresses.isEmpty() ? localAddresses : node != null ? node.addresses() : List.of();
        // the node's own address: given, else the Node's InternalIP, else the first local one
        Ipv4 primary = !nodeIps.isEmpty() ? nodeIps.get(0) : node != null && !node.addresses().isEmpty() ? node.addresses().get(0)
                : addresses.isEmpty() ? null : addresses.get(0);
        try {
            return new NodeIdentity(name, nodePortAddresses(addresses, primary), node == null ? null : node.zone(), primary);
        } catch (IllegalArgumentException e) {
            throw new ManifestException(e.getMessage());
        }
    }

    static final class Ipv4Converter implements ITypeConverter<Ipv4> {
        @Override
        public Ipv4 convert(String value) {
            try {
                return Ipv4.parse(value);
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    static final class RangeConverter implements ITypeConverter<NodePortRange> {
        @Override
        public NodePortRange convert(String value) {
            try {
                return NodePortRange.parse(value);
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    /**
     * This machine as a node (agent and watch): --node-name, else the one Node of the manifests,
     * else $NODE_NAME (a DaemonSet passes spec.nodeName down), else the host name (warned); its
     * addresses from --node-ip, else this network namespace's own.
     */
    NodeIdentity nodeOfThisMachine(ClusterState state, List<String> warnings) throws java.net.SocketException, ManifestException {
        NodeIdentity fromManifests = node(state, new java.util.ArrayList<>(), nodeIps.isEmpty() ? localAddresses() : null);
        String name = fromManifests.name();
        if (name == null && System.getenv("NODE_NAME") != null) {
            name = System.getenv("NODE_NAME");
        }
        if (name == null) {
            try {
                name = java.net.InetAddress.getLocalHost().getHostName();
            } catch (java.net.UnknownHostException e) {
                name = System.getenv().getOrDefault("HOSTNAME", "node");
            }
            warnings.add("--node-name not given and no single Node in the manifests; using the host name " + name);
        }
        return new NodeIdentity(name, fromManifests.addresses(), fromManifests.zone(), fromManifests.primary());
    }

    /** The IPv4 addresses of this network namespace's interfaces, loopback and link-local excepted. */
    static List<Ipv4> localAddresses() throws java.net.SocketException {
        List<Ipv4> out = new java.util.ArrayList<>();
        for (java.net.NetworkInterface ni : java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces())) {
            if (ni.isLoopback()) {
                continue;
            }
            for (java.net.InetAddress a : java.util.Collections.list(ni.getInetAddresses())) {
                // link-local addresses (169.254/16, e.g. the pods' gateway) are no place for NodePorts
                if (a instanceof java.net.Inet4Address && !a.isLinkLocalAddress()) {
                    Ipv4 ip = Ipv4.parse(a.getHostAddress());
                    if (!out.contains(ip)) {
                        out.add(ip);
                    }
                }
            }
        }
        java.util.Collections.sort(out);
        return out;
    }
}
