package dev.siac;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * README.md and docs/*.md point only at what is there: every relative link, and every path into the repository's own
 * folders written in backticks, exists. Not checked: commands in fenced blocks (they name what they create), build
 * outputs (a target/ folder) and placeholders (RUN_DIR, OUT, PKG: a capitalised name stands for the reader's own).
 */
class DocsPathsTest {
    private static final List<String> FOLDERS = List.of("src/", "docs/", "models/", "training/", "examples/", "spark/");
    private static final Pattern LINK = Pattern.compile("\\]\\(([^)#\\s]+)(#[^)]*)?\\)");
    private static final Pattern CODE = Pattern.compile("`([^`\\n]+)`");
    private static final Pattern PLACEHOLDER = Pattern.compile("[*<>{}$]|(^|/)[A-Z][A-Z_]+(/|$|\\.)");

    private static List<Path> documents() throws IOException {
        List<Path> docs = new ArrayList<>(List.of(Path.of("README.md")));
        try (Stream<Path> s = Files.list(Path.of("docs"))) {
            docs.addAll(s.filter(p -> p.toString().endsWith(".md")).sorted().toList());
        }
        return docs;
    }

    @Test
    void everyPathTheDocsNameExists() throws IOException {
        List<Path> docs = documents();
        assertTrue(docs.size() > 5, docs.toString());
        Set<String> missing = new TreeSet<>();
        for (Path doc : docs) {
            String text = Files.readString(doc).replaceAll("(?s)```.*?```", "");
            Matcher link = LINK.matcher(text);
            while (link.find()) {
                String target = link.group(1);
                if (target.matches("^[a-z]+:.*")) continue; // http:, mailto:
                if (!Files.exists(doc.toAbsolutePath().getParent().resolve(target))) missing.add(doc + ": link " + target);
            }
            Matcher code = CODE.matcher(text);
            while (code.find()) {
                for (String token : code.group(1).split("\\s+")) {
                    String path = token.replaceAll("^[\"(]+|[\",;:)]+$", "");
                    if (FOLDERS.stream().noneMatch(path::startsWith)) continue;
                    if (PLACEHOLDER.matcher(path).find() || path.contains("/target/")) continue;
                    if (!Files.exists(Path.of(path))) missing.add(doc + ": " + path);
                }
            }
        }
        assertEquals(Set.of(), missing, "paths the docs name that are not in the repository");
    }
}
