package dev.hotline;

import dev.hotline.cluster.ClusterState;
import dev.hotline.cluster.ClusterStateBuilder;
import dev.hotline.cluster.ManifestException;
import dev.hotline.source.ManifestReader;
import dev.hotline.cluster.NodePortRange;
import java.nio.file.Path;

/** Small builders of manifests for tests: YAML text in, cluster picture out. */
public final class TestManifests {
    private TestManifests() {
    }

    public static ClusterState state(String yaml) {
        return state(yaml, NodePortRange.DEFAULT);
    }

    public static ClusterState state(String yaml, NodePortRange range) {
        try {
            return new ClusterStateBuilder(range).build(ManifestReader.parse("test.yaml", yaml));
        } catch (ManifestException e) {
            throw new AssertionError(e);
        }
    }

    /** The project root, as Maven passes it (or the parent of the module directory). */
    public static Path root() {
        String r = System.getProperty("hotline.root");
        return r != null ? Path.of(r) : Path.of("..").toAbsolutePath().normalize();
    }

    public static String service(String name, String clusterIP, String selector, String ports) {
        return """
                apiVersion: v1
                kind: Service
                metadata:
                  name: %s
                  namespace: default
                spec:
                  clusterIP: %s
                  selector: {%s}
                  ports:
                %s
                ---
                """.formatted(name, clusterIP, selector, ports.indent(2).stripTrailing());
    }

    public static String pod(String name, String ip, String node, String labels, boolean ready, String containerPorts) {
        return """
                apiVersion: v1
                kind: Pod
                metadata:
                  name: %s
                  namespace: default
                  labels: {%s}
                spec:
                  nodeName: %s
                  containers:
                  - name: app
                    image: app
                    ports: [%s]
                status:
                  phase: Running
                  podIP: %s
                  conditions:
                  - type: Ready
                    status: "%s"
                ---
                """.formatted(name, labels, node, containerPorts, ip, ready ? "True" : "False");
    }
}
