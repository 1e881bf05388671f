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
        List<Ipv4> addresses = !nodeIps.isEmpty() ? nodeIps : node != null ? node.addresses() : List.of();
        return new NodeIdentity(name, addresses);
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
}
