package dev.hotline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hotline.TestManifests;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckCommandTest {

    @Test
    void seedExampleIsHealthy() {
        CliRun r = CliRun.of("check", "-f", TestManifests.root().resolve("examples/seed").toString());
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("ok      Service default/my-api-service: 2 ready endpoint(s) (10.1.1.5:8080, 10.1.1.6:8080)")
                .contains("0 problem(s)");
    }

    @Test
    void brokenExampleFindsEachChecklistMistakeWithAFix() {
        CliRun r = CliRun.of("check", "-f", TestManifests.root().resolve("examples/broken").toString());
        assertThat(r.exitCode()).isEqualTo(1);
        List<String> problems = r.out().lines().filter(l -> l.startsWith("PROBLEM")).toList();
        assertThat(problems).hasSize(5);
        assertThat(problems).anySatisfy(l -> assertThat(l).contains("Service default/typo-selector: spec.selector:",
                "matches no Pod", "Pod api-1 has app=my-api, the selector wants app=my-apl", "->"));
        assertThat(problems).anySatisfy(l -> assertThat(l).contains("Service default/wrong-target: spec.ports[0].targetPort:",
                "9090/TCP is not a containerPort", "api-1 has http=8080/TCP"));
        assertThat(problems).anySatisfy(l -> assertThat(l).contains("Service default/named-port: spec.ports[0].targetPort:",
                "named port 'web'", "does not resolve"));
        assertThat(problems).anySatisfy(l -> assertThat(l).contains("Service default/no-endpoints:", "no selector"));
        assertThat(problems).anySatisfy(l -> assertThat(l).contains("Service default/clash: spec.ports[0].nodePort:",
                "30080 is already the NodePort of default/exposed"));
        assertThat(r.out()).contains("ok      Service default/exposed");
    }

    @Test
    void podsThatAreNotRunningOrNotReadyAreReported(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("c.yaml");
        Files.writeString(f, TestManifests.service("web", "10.96.0.1", "app: web", "- {name: http, port: 80}")
                + TestManifests.pod("p1", "10.1.0.1", "n1", "app: web", false, "").replace("phase: Running", "phase: Pending")
                + TestManifests.service("api", "10.96.0.2", "app: api", "- {name: http, port: 80}")
                + TestManifests.pod("p2", "10.1.0.2", "n1", "app: api", false, ""));
        CliRun r = CliRun.of("check", "-f", f.toString());
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.out()).contains("Service default/web: spec.selector: selector app=web matches 1 Pod(s) but none is Running with an IP (p1 is Pending)")
                .contains("Service default/api: none of its 1 Pod(s) is Ready (p2)");
    }

    @Test
    void selectorMatchingOnlyADeploymentTemplateSaysThePodsAreMissing(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("d.yaml");
        Files.writeString(f, TestManifests.service("web", "10.96.0.1", "app: web", "- {name: http, port: 80}") + """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web, namespace: default}
                spec:
                  selector: {matchLabels: {app: web}}
                  template:
                    metadata: {labels: {app: web}}
                    spec: {containers: [{name: c, image: x}]}
                """);
        CliRun r = CliRun.of("check", "-f", f.toString());
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.out()).contains("Deployment default/web's pod template matches, but none of its Pods is in the input");
    }

    @Test
    void unreadableInputExitsTwo() {
        assertThat(CliRun.of("check", "-f", "/nonexistent.yaml").exitCode()).isEqualTo(2);
    }
}
