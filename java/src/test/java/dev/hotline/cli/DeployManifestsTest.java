package dev.hotline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hotline.TestManifests;
import dev.hotline.cluster.ManifestDocument;
import dev.hotline.source.ManifestReader;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** deploy/ cannot be rolled out here; what can be checked is that it parses and the agent accepts its arguments. */
class DeployManifestsTest {
    static final Path DEPLOY = TestManifests.root().resolve("deploy");

    @Test
    void theDaemonSetParsesAndItsArgumentsAreTheAgentsOwn() throws Exception {
        List<ManifestDocument> docs = ManifestReader.read(List.of(DEPLOY.resolve("daemonset.yaml")));
        assertThat(docs).singleElement().extracting(ManifestDocument::kind).isEqualTo("DaemonSet");
        DaemonSet ds = new KubernetesSerialization().convertValue(docs.get(0).body(), DaemonSet.class);
        var container = ds.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(ds.getSpec().getTemplate().getSpec().getHostNetwork()).isTrue();
        assertThat(container.getEnv()).anySatisfy(e -> assertThat(e.getName()).isEqualTo("NODE_NAME"));
        // the same parser bin/hotline uses: unknown options or bad values would fail here
        CommandLine.ParseResult parsed = Main.commandLine().parseArgs(container.getArgs().toArray(String[]::new));
        assertThat(parsed.subcommand().commandSpec().name()).isEqualTo("agent");
        assertThat(parsed.subcommand().hasMatchedOption("--kube")).isTrue();
        String pinDir = parsed.subcommand().matchedOptionValue("--pin-dir", "");
        assertThat(container.getVolumeMounts()).anySatisfy(m -> assertThat(pinDir).startsWith(m.getMountPath()));
        // least privilege: not privileged, read-only root, exactly three capabilities
        var sc = container.getSecurityContext();
        assertThat(sc.getPrivileged()).isFalse();
        assertThat(sc.getReadOnlyRootFilesystem()).isTrue();
        assertThat(sc.getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(sc.getCapabilities().getAdd()).containsExactlyInAnyOrder("BPF", "NET_ADMIN", "PERFMON");
        assertThat(container.getVolumeMounts()).anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo("/tmp"));
        // probes on the agent's health server; the metrics port declared
        assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
        assertThat(container.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/livez");
        assertThat(container.getReadinessProbe().getHttpGet().getPort().getIntVal()).isEqualTo(10256);
        assertThat(container.getPorts()).anySatisfy(p -> assertThat(p.getContainerPort()).isEqualTo(10249));
        // the socket-level programs go to the host's cgroup v2 root, mounted from the host
        String cgroup = parsed.subcommand().matchedOptionValue("--cgroup", "");
        var mount = container.getVolumeMounts().stream().filter(m -> m.getMountPath().equals(cgroup)).findFirst().orElseThrow();
        assertThat(ds.getSpec().getTemplate().getSpec().getVolumes()).anySatisfy(v -> {
            assertThat(v.getName()).isEqualTo(mount.getName());
            assertThat(v.getHostPath().getPath()).isEqualTo("/sys/fs/cgroup");
        });
    }

    @Test
    void theRbacGrantsWhatTheInformersWatch() throws Exception {
        List<ManifestDocument> docs = ManifestReader.read(List.of(DEPLOY.resolve("rbac.yaml")));
        assertThat(docs).extracting(ManifestDocument::kind).containsExactly("ServiceAccount", "ClusterRole", "ClusterRoleBinding");
        ClusterRole role = new KubernetesSerialization().convertValue(docs.get(1).body(), ClusterRole.class);
        // KubeSource lists and watches these three; each is granted list and watch, nothing else
        for (String[] wanted : new String[][] {{"", "services"}, {"", "nodes"}, {"discovery.k8s.io", "endpointslices"}}) {
            assertThat(role.getRules()).as("%s/%s", wanted[0], wanted[1]).anySatisfy(r -> {
                assertThat(r.getApiGroups()).contains(wanted[0]);
                assertThat(r.getResources()).contains(wanted[1]);
                assertThat(r.getVerbs()).containsExactlyInAnyOrder("list", "watch");
            });
        }
        // the binding gives the role to the DaemonSet's service account
        ClusterRoleBinding binding = new KubernetesSerialization().convertValue(docs.get(2).body(), ClusterRoleBinding.class);
        assertThat(binding.getRoleRef().getName()).isEqualTo(role.getMetadata().getName());
        assertThat(binding.getSubjects()).singleElement().satisfies(s -> assertThat(s.getName()).isEqualTo("hotline"));
    }
}
