package dev.hotline.source;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import dev.hotline.cluster.ManifestDocument;
import dev.hotline.cluster.ManifestException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.constructor.StandardConstructor;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * Reads what `kubectl get -o yaml` prints: single objects, multi-document files and `kind: List`
 * (whose items are flattened), from files or directories of *.yaml, *.yml and *.json files.
 * Keeps the line each object starts on so messages can point at it.
 */
public final class ManifestReader {
    private ManifestReader() {
    }

    /** Reads every path in order; a directory contributes its manifest files in name order. */
    public static List<ManifestDocument> read(List<Path> paths) throws ManifestException {
        List<ManifestDocument> out = new ArrayList<>();
        for (Path p : paths) {
            if (Files.isDirectory(p)) {
                for (Path f : manifestFiles(p)) {
                    out.addAll(readFile(f));
                }
            } else {
                out.addAll(readFile(p));
            }
        }
        return out;
    }

    /** The manifest files of a directory, in name order. */
    public static List<Path> manifestFilesOf(Path dir) throws ManifestException {
        return manifestFiles(dir);
    }

    static List<Path> manifestFiles(Path dir) throws ManifestException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(f -> {
                String n = f.getFileName().toString();
                return Files.isRegularFile(f) && !n.startsWith(".")
                        && (n.endsWith(".yaml") || n.endsWith(".yml") || n.endsWith(".json"));
            }).sorted().toList();
        } catch (IOException e) {
            throw new ManifestException(dir + ": cannot list directory: " + e.getMessage());
        }
    }

    public static List<ManifestDocument> readFile(Path file) throws ManifestException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ManifestException(file + ": no such file");
        } catch (IOException e) {
            throw new ManifestException(file + ": cannot read: " + e.getMessage());
        }
        return parse(file.toString(), text);
    }

    /** Parses YAML (JSON is YAML) text holding one or more documents. */
    public static List<ManifestDocument> parse(String name, String text) throws ManifestException {
        LoadSettings settings = LoadSettings.builder().setLabel(name).setAllowDuplicateKeys(false).build();
        List<ManifestDocument> out = new ArrayList<>();
        try {
            for (Node doc : new Compose(settings).composeAllFromString(text)) {
                collect(name, doc, settings, out);
            }
        } catch (MarkedYamlEngineException e) {
            int line = e.getProblemMark().map(m -> m.getLine() + 1).orElse(0);
            String problem = e.getProblem() == null ? "invalid YAML" : e.getProblem();
            throw new ManifestException(name + ":" + line + ": invalid YAML: " + ManifestException.oneLine(problem));
        } catch (YamlEngineException e) {
            throw new ManifestException(name + ": invalid YAML: " + ManifestException.oneLine(e.getMessage()));
        }
        return out;
    }

    private static void collect(String name, Node node, LoadSettings settings, List<ManifestDocument> out)
            throws ManifestException {
        String where = name + ":" + node.getStartMark().map(m -> m.getLine() + 1).orElse(0);
        if (node instanceof ScalarNode s && s.getValue().isEmpty()) {
            return; // an empty document, e.g. a trailing "---"
        }
        if (!(node instanceof MappingNode mapping)) {
            throw new ManifestException(where + ": invalid manifest: a document must be a mapping with apiVersion and kind");
        }
        if (isList(mapping)) {
            Node items = value(mapping, "items");
            if (items instanceof SequenceNode seq) {
                for (Node item : seq.getValue()) {
                    collect(name, item, settings, out);
                }
            } else if (items != null && !(items instanceof ScalarNode sc && sc.getValue().isEmpty())) {
                throw new ManifestException(where + ": invalid List: items must be a sequence");
            }
            return;
        }
        Object body = new StandardConstructor(settings).constructSingleDocument(java.util.Optional.of(node));
        @SuppressWarnings("unchecked")
        Map<String, Object> map = (Map<String, Object>) body;
        out.add(new ManifestDocument(where, map));
    }

    /** kind: List, or any *List kind (ServiceList, PodList) as the API server returns them. */
    private static boolean isList(MappingNode mapping) {
        Node kind = value(mapping, "kind");
        return kind instanceof ScalarNode s && s.getValue().endsWith("List") && value(mapping, "items") != null;
    }

    private static Node value(MappingNode mapping, String key) {
        for (NodeTuple t : mapping.getValue()) {
            if (t.getKeyNode() instanceof ScalarNode k && k.getValue().equals(key)) {
                return t.getValueNode();
            }
        }
        return null;
    }

}
