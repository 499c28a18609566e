package dev.siac;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The package table of docs/ARCHITECTURE.md is the map: every reference from one siac package to another (imports
 * and fully qualified names) must be one the table allows, and the table's arrows must point only downwards.
 */
class ArchitectureTest {
    private static final Path DOC = Path.of("docs", "ARCHITECTURE.md");
    private static final Path SRC = Path.of("src", "main", "java", "dev", "siac");
    /** The Spark job's sources (spark/, its own Maven project): package dev.siac.spark, row `spark` of the table. */
    private static final Path SPARK_SRC = Path.of("spark", "src", "main", "java", "dev", "siac");
    /** The top-level package (the front door, dev.siac.Siac) in the table and here. */
    private static final String TOP = "dev.siac";
    private static final Pattern REF = Pattern.compile("\\bdev\\.siac\\.([a-z]+)\\.");

    /** Package name (first segment under dev.siac, or TOP) to the packages it may use, in table order. */
    private static Map<String, Set<String>> table() throws IOException {
        List<String> lines = Files.readAllLines(DOC);
        int at = lines.indexOf("| package | owns | may use |");
        assertTrue(at >= 0, "no package table in " + DOC);
        Map<String, Set<String>> rows = new LinkedHashMap<>();
        List<String> names = new ArrayList<>();
        List<String> cells = new ArrayList<>();
        for (int i = at + 2; i < lines.size() && lines.get(i).startsWith("|"); i++) {
            String[] c = lines.get(i).split("\\|");
            Matcher m = Pattern.compile("`([a-z.]+)`").matcher(c[1]);
            assertTrue(m.find(), lines.get(i));
            names.add(m.group(1));
            cells.add(c[c.length - 1]);
        }
        for (int i = 0; i < names.size(); i++) {
            Set<String> may = new LinkedHashSet<>();
            if (cells.get(i).contains("everything below")) {
                may.addAll(names.subList(i + 1, names.size()));
            } else {
                for (String n : names) if (Pattern.compile("\\b" + Pattern.quote(n) + "\\b").matcher(cells.get(i)).find()) may.add(n);
            }
            rows.put(names.get(i), may);
        }
        return rows;
    }

    @Test
    void theTablesArrowsPointDownwards() throws IOException {
        Map<String, Set<String>> rows = table();
        List<String> order = new ArrayList<>(rows.keySet());
        for (var e : rows.entrySet()) {
            for (String used : e.getValue()) {
                assertTrue(order.indexOf(used) > order.indexOf(e.getKey()), e.getKey() + " -> " + used + " points upwards");
            }
        }
        assertTrue(order.containsAll(List.of("cli", TOP, "codec", "model", "dsp", "audio", "io")), order.toString());
    }

    @Test
    void everyReferenceBetweenPackagesIsInTheTable() throws IOException {
        Map<String, Set<String>> rows = table();
        Set<String> violations = new TreeSet<>();
        for (Path src : List.of(SRC, SPARK_SRC)) try (Stream<Path> files = Files.walk(src)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                Path rel = src.relativize(f);
                String from = rel.getNameCount() == 1 ? TOP : rel.getName(0).toString();
                assertTrue(rows.containsKey(from), f + ": package " + from + " is not in the table of " + DOC);
                Matcher m = REF.matcher(Files.readString(f));
                while (m.find()) {
                    String to = m.group(1);
                    if (!to.equals(from) && !rows.get(from).contains(to)) violations.add(from + " -> " + to + " (" + rel + ")");
                }
            }
        }
        assertEquals(Set.of(), violations, "references the table of " + DOC + " does not allow");
    }

    /**
     * Numbers a command prints or writes read the same in every locale: every printf and String.format (also with its
     * arguments on the next line) names Locale.ROOT first; String.formatted, a DecimalFormat without symbols and a
     * NumberFormat without a locale (all of them the default locale's) are not used.
     */
    @Test
    void everyFormatCallNamesItsLocale() throws IOException {
        Pattern bare = Pattern.compile("\\b(printf|String\\.format)\\((?!\\s*(java\\.util\\.)?Locale\\.ROOT\\b)"
                + "|\\.formatted\\(|new (java\\.text\\.)?DecimalFormat\\(\"[^\"]*\"\\)|NumberFormat\\.get\\w*Instance\\(\\)");
        Set<String> found = new TreeSet<>();
        for (Path src : List.of(SRC, SPARK_SRC)) try (Stream<Path> files = Files.walk(src)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String text = Files.readString(f);
                Matcher m = bare.matcher(text);
                while (m.find()) found.add(src.relativize(f) + ":" + text.substring(0, m.start()).split("\n", -1).length);
            }
        }
        assertEquals(Set.of(), found, "format calls that use the default locale");
    }

    /**
     * A failure reaches a user as one line (io.Messages): no exception's raw getMessage() is printed, handed to picocli
     * as a usage error, or collected as a warning.
     */
    @Test
    void failuresReachUsersThroughMessages() throws IOException {
        Pattern raw = Pattern.compile("(println|printf|ParameterException|TypeConversionException|warnings\\.add)\\(.*\\bgetMessage\\(\\)");
        Set<String> found = new TreeSet<>();
        for (Path src : List.of(SRC, SPARK_SRC)) try (Stream<Path> files = Files.walk(src)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                List<String> lines = Files.readAllLines(f);
                for (int i = 0; i < lines.size(); i++) {
                    if (raw.matcher(lines.get(i)).find()) found.add(src.relativize(f) + ":" + (i + 1));
                }
            }
        }
        assertEquals(Set.of(), found, "raw exception messages shown to users (use io.Messages.oneLine)");
    }
}
