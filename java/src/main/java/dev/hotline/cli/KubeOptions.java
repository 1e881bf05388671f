package dev.hotline.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Reaching the API server (agent and watch): --kube, --kubeconfig, --kube-apiserver. */
final class KubeOptions {
    @Option(names = "--kube",
            description = "Read Services, EndpointSlices and Nodes from the API server (informers) instead of -f manifests. "
                    + "Uses the in-cluster service account, or --kubeconfig, or ~/.kube/config.")
    boolean kube;

    @Option(names = "--kubeconfig", paramLabel = "FILE", description = "The kubeconfig for --kube (default: in-cluster, then ~/.kube/config).")
    Path kubeconfig;

    @Option(names = "--kube-apiserver", paramLabel = "URL",
            description = "The API server's own address for --kube (https://HOST:PORT), over what the kubeconfig or the "
                    + "in-cluster KUBERNETES_SERVICE_HOST/PORT say: on a node without kube-proxy, the kubernetes Service's "
                    + "ClusterIP works only once hotline has programmed it.")
    String kubeApiserver;

    /** What is wrong with these options, in one line naming the option, or null. */
    String problem() {
        if (kubeApiserver != null) {
            String why = apiServerProblem(kubeApiserver);
            if (why != null) {
                return "--kube-apiserver " + kubeApiserver + ": " + why;
            }
        }
        if (kubeconfig != null && !Files.isReadable(kubeconfig)) {
            return "--kubeconfig " + kubeconfig + ": " + (Files.exists(kubeconfig) ? "not readable" : "no such file");
        }
        return null;
    }

    /** Why the text is not an API server URL (https://host[:port] or http://...), or null. */
    static String apiServerProblem(String url) {
        try {
            java.net.URI u = new java.net.URI(url);
            if (u.getScheme() == null || !(u.getScheme().equals("https") || u.getScheme().equals("http")) || u.getHost() == null) {
                return "not an API server URL like https://192.0.2.10:6443";
            }
            return null;
        } catch (java.net.URISyntaxException e) {
            return "not an API server URL like https://192.0.2.10:6443";
        }
    }

    io.fabric8.kubernetes.client.KubernetesClient client() {
        io.fabric8.kubernetes.client.Config config = kubeconfig == null ? io.fabric8.kubernetes.client.Config.autoConfigure(null)
                : io.fabric8.kubernetes.client.Config.fromKubeconfig(null, readKubeconfig(), kubeconfig.toString());
        if (kubeApiserver != null) {
            config.setMasterUrl(kubeApiserver);
        }
        // a failing request surfaces after a few quick retries; the informers' own backoff goes on from there
        config.setRequestRetryBackoffLimit(3);
        return new io.fabric8.kubernetes.client.KubernetesClientBuilder().withConfig(config).build();
    }

    private String readKubeconfig() {
        try {
            return Files.readString(kubeconfig);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("--kubeconfig " + kubeconfig + ": " + e.getMessage());
        }
    }
}
