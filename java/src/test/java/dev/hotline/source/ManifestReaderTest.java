package dev.hotline.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hotline.cluster.ManifestDocument;
import dev.hotline.cluster.ManifestException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManifestReaderTest {

    @Test
    void readsMultiDocumentFilesAndKeepsTheLineEachObjectStartsOn() throws Exception {
        List<ManifestDocument> docs = ManifestReader.parse("m.yaml", """
                apiVersion: v1
                kind: Pod
                metadata: {name: a}
                ---
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: b}
                """);
        assertThat(docs).extracting(ManifestDocument::source).containsExactly("m.yaml:1", "m.yaml:6");
        assertThat(docs).extracting(d -> d.ref().name()).containsExactly("a", "b");
    }

    @Test
    void flattensKindListAndTypedLists() throws Exception {
        List<ManifestDocument> docs = ManifestReader.parse("l.yaml", """
                apiVersion: v1
                kind: List
                items:
                - apiVersion: v1
                  kind: Pod
                  metadata: {name: a}
                - apiVersion: v1
                  kind: Service
                  metadata: {name: s}
                ---
                apiVersion: v1
                kind: PodList
                items:
                - apiVersion: v1
                  kind: Pod
                  metadata: {name: c}
                """);
        assertThat(docs).extracting(d -> d.kind() + "/" + d.ref().name()).containsExactly("Pod/a", "Service/s", "Pod/c");
        assertThat(docs.get(1).source()).isEqualTo("l.yaml:7");
    }

    @Test
    void invalidYamlIsOneLineNamingFileAndLine() {
        assertThatThrownBy(() -> ManifestReader.parse("bad.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: [\n"))
                .isInstanceOf(ManifestException.class)
                .hasMessageStartingWith("bad.yaml:")
                .hasMessageContaining("invalid YAML")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void duplicateKeysAreInvalid() {
        assertThatThrownBy(() -> ManifestReader.parse("dup.yaml", "kind: Pod\nkind: Service\n"))
                .isInstanceOf(ManifestException.class).hasMessageContaining("dup.yaml:");
    }

    @Test
    void aDocumentThatIsNotAMappingIsRejected() {
        assertThatThrownBy(() -> ManifestReader.parse("s.yaml", "- a\n- b\n"))
                .isInstanceOf(ManifestException.class).hasMessageContaining("s.yaml:1").hasMessageContaining("mapping");
    }

    @Test
    void missingFileIsOneLine(@TempDir Path dir) {
        assertThatThrownBy(() -> ManifestReader.read(List.of(dir.resolve("nope.yaml"))))
                .isInstanceOf(ManifestException.class).hasMessageEndingWith("nope.yaml: no such file");
    }

    @Test
    void directoriesContributeTheirManifestFilesInNameOrder(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("b.yaml"), "apiVersion: v1\nkind: Pod\nmetadata: {name: b}\n");
        Files.writeString(dir.resolve("a.json"), "{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"metadata\": {\"name\": \"a\"}}");
        Files.writeString(dir.resolve("notes.txt"), "not a manifest");
        List<ManifestDocument> docs = ManifestReader.read(List.of(dir));
        assertThat(docs).extracting(d -> d.ref().name()).containsExactly("a", "b");
    }
}
