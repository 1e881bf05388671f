package dev.hotline.cli;

import dev.hotline.cluster.ManifestException;
import dev.hotline.source.ManifestReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Outputs never overwrite inputs: checked before anything is written. */
final class OutputPaths {
    private OutputPaths() {
    }

    /**
     * The reason the outputs cannot be written as named, or null when they can.
     *
     * @param outputs option name to path (null paths are skipped)
     * @param inputs  option name to path; directories stand for the manifest files in them
     */
    static String clash(Map<String, Path> outputs, Map<String, List<Path>> inputs) {
        Map<Path, String> in = new LinkedHashMap<>();
        inputs.forEach((option, paths) -> {
            for (Path p : paths) {
                for (Path f : filesOf(p)) {
                    in.putIfAbsent(f, option);
                }
            }
        });
        List<Map.Entry<String, Path>> outs = new ArrayList<>();
        outputs.forEach((option, p) -> {
            if (p != null) {
                outs.add(Map.entry(option, p));
            }
        });
        for (int i = 0; i < outs.size(); i++) {
            Path out = outs.get(i).getValue();
            for (Map.Entry<Path, String> e : in.entrySet()) {
                if (same(out, e.getKey())) {
                    return outs.get(i).getKey() + " " + out + " is also an input (" + e.getValue()
                            + "); write the output to another file";
                }
            }
            for (int j = 0; j < i; j++) {
                if (same(out, outs.get(j).getValue())) {
                    return outs.get(j).getKey() + " and " + outs.get(i).getKey() + " name the same file, " + out;
                }
            }
        }
        return null;
    }

    private static List<Path> filesOf(Path p) {
        if (Files.isDirectory(p)) {
            try {
                return ManifestReader.manifestFilesOf(p);
            } catch (ManifestException e) {
                return List.of();
            }
        }
        return List.of(p);
    }

    private static boolean same(Path a, Path b) {
        try {
            if (Files.exists(a) && Files.exists(b)) {
                return Files.isSameFile(a, b);
            }
        } catch (IOException e) {
            // fall through to comparing names
        }
        return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
    }
}
