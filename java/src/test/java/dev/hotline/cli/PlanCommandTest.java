package dev.hotline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hotline.TestManifests;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class PlanCommandTest {
    static final String SEED = TestManifests.root().resolve("examples/seed").toString();

    static String golden(String name) throws IOException {
        try (InputStream in = PlanCommandTest.class.getResourceAsStream("/golden/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void seedExamplePlanMatchesTheGoldenText() throws IOException {
        CliRun r = CliRun.of("plan", "-f", SEED, "--node-name", "node-1");
        assertThat(r.exitCode()).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).isEqualTo(golden("seed-plan.txt"));
    }

    @Test
    void seedExamplePlanAsJson() throws IOException {
        CliRun r = CliRun.of("plan", "-f", SEED, "--node-name", "node-1", "-o", "json");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).isEqualTo(golden("seed-plan.json"));
        JsonNode root = JsonMapper.builder().build().readTree(r.out());
        JsonNode svc = root.get("services").get(0);
        assertThat(svc.get("name").asString()).isEqualTo("default/my-api-service:http");
        assertThat(svc.get("frontends").get(0).get("address").asString()).isEqualTo("10.96.100.200");
        assertThat(svc.get("backends").findValuesAsString("address")).containsExactly("10.1.1.5", "10.1.1.6");
        assertThat(svc.get("backends").findValuesAsString("pod")).containsExactly("pod-1", "pod-2");
    }

    @Test
    void nodePortsListenOnTheGivenNodeAddresses(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("np.yaml");
        Files.writeString(f, """
                apiVersion: v1
                kind: Service
                metadata: {name: web}
                spec: {type: NodePort, clusterIP: 10.96.0.1, ports: [{port: 80, nodePort: 30080}]}
                """);
        CliRun r = CliRun.of("plan", "-f", f.toString(), "--node-ip", "192.0.2.1", "--node-ip", "192.0.2.2");
        assertThat(r.out()).containsPattern("192.0.2.1:30080/TCP +NodePort").containsPattern("192.0.2.2:30080/TCP +NodePort").contains(
                "no backends: connections are rejected");
    }

    @Test
    void invalidYamlExitsTwoWithOneLine(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("bad.yaml");
        Files.writeString(f, "apiVersion: v1\nkind: Service\nmetadata: {name: [\n");
        CliRun r = CliRun.of("plan", "-f", f.toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err().lines()).singleElement().asString().startsWith("hotline: " + f + ":").contains("invalid YAML");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void missingFileExitsTwo() {
        CliRun r = CliRun.of("plan", "-f", "/nonexistent/cluster.yaml");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("hotline: /nonexistent/cluster.yaml: no such file\n");
    }

    @Test
    void badOptionIsOneLineAndExitTwo() {
        CliRun r = CliRun.of("plan", "-f", SEED, "--node-ip", "300.1.1.1");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err().lines().findFirst().orElseThrow()).startsWith("hotline: ").contains("300.1.1.1");
    }

    @Test
    void aBadServiceIsReportedAndTheOthersArePlanned(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("mixed.yaml");
        Files.writeString(f, """
                apiVersion: v1
                kind: Service
                metadata: {name: bad}
                spec: {clusterIP: 10.96.0.1, ports: [{port: 0}]}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: good}
                spec: {clusterIP: 10.96.0.2, ports: [{port: 80}]}
                """);
        CliRun r = CliRun.of("plan", "-f", f.toString());
        assertThat(r.exitCode()).isZero();
        assertThat(r.err()).isEqualTo("error: " + f + ":1: Service default/bad: spec.ports[0].port: 0 is out of range 1-65535\n");
        assertThat(r.out()).contains("Service default/good:").doesNotContain("default/bad");
    }

    @Test
    void noArgumentsPrintsHelp() {
        CliRun r = CliRun.of();
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).startsWith("Usage: hotline").contains("plan", "check");
    }
}
