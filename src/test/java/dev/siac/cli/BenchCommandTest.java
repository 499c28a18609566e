package dev.siac.cli;

import dev.siac.eval.Bench;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchCommandTest {

    /** The table rows (cells trimmed) of a bench section. */
    private static List<String[]> rows(String md) {
        List<String[]> out = new ArrayList<>();
        for (String line : md.split("\n")) {
            if (!line.startsWith("| ") || line.startsWith("| preset")) continue;
            String[] cells = line.substring(2, line.length() - 2).split(" \\| ", -1);
            for (int i = 0; i < cells.length; i++) cells[i] = cells[i].trim();
            out.add(cells);
        }
        return out;
    }

    private static double leadingNumber(String cell) {
        return Double.parseDouble(cell.split(" ")[0]);
    }

    /** The whole suite on the tiny preset, each measurement in its own child JVM, written into an existing file. */
    @Test
    void quickSuiteOnTinyWritesItsSectionAndKeepsTheRest(@TempDir Path dir) throws Exception {
        Path doc = Files.createDirectory(dir.resolve("docs")).resolve("BENCHMARKS.md");
        Files.writeString(doc, "# Benchmarks\n\nintro text\n\n" + Bench.BEGIN + "\nold table\n" + Bench.END
                + "\n\n## Quality\n\nkept below\n");
        // The streams use tiny with the physical initialisation: with random banks its encoder may place no event
        // at all in a short stream, and an encode that places none measures nothing.
        String tinyJson;
        try (var in = BenchCommandTest.class.getResourceAsStream("/presets/tiny.json")) {
            tinyJson = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip();
        }
        Path physical = Files.writeString(dir.resolve("tiny-physical.json"),
                tinyJson.substring(0, tinyJson.lastIndexOf('}')) + ", \"init\": \"physical\"}\n");
        // a 3-second stream instead of --quick's minute: the tiny model encodes slower than real time
        CliRun r = CliRun.of(new BenchCommand(), "--quick", "--presets", "tiny", "--warmup", "0",
                "--stream-preset", physical.toString(), "--stream-minutes", "0.05", "-o", doc.toString());
        assertEquals(0, r.code(), r.err());

        String written = Files.readString(doc);
        assertTrue(written.startsWith("# Benchmarks\n\nintro text\n\n" + Bench.BEGIN + "\n"), written);
        assertTrue(written.endsWith(Bench.END + "\n\n## Quality\n\nkept below\n"), written);
        assertFalse(written.contains("old table"), written);
        assertTrue(r.out().contains(Bench.BEGIN) && r.out().contains("| preset | measurement |"), r.out());
        assertTrue(written.contains("- command: `siac bench --quick --presets tiny --warmup 0 --stream-preset " + physical
                + " --stream-minutes 0.05 -o " + doc + "`"), written);
        assertTrue(written.matches("(?s).*- threads: \\d+ .*"), written);

        List<String[]> rows = rows(written);
        assertEquals(List.of("tiny", "tiny", "tiny-physical", "tiny-physical"), rows.stream().map(x -> x[0]).toList());
        assertEquals("iterative, one window, no grad", rows.get(0)[1]);
        assertEquals("training step, batch 2, 2 workers", rows.get(1)[1]);
        assertTrue(rows.get(2)[1].matches("encode 0\\.05-minute stream \\((\\d+\\.\\d) events/s\\)"), rows.get(2)[1]);
        double eventsPerSecond = Double.parseDouble(rows.get(2)[1].replaceAll(".*\\((.*) events/s\\)", "$1"));
        assertTrue(eventsPerSecond > 0, rows.get(2)[1]);
        assertEquals("decode 0.05-minute stream", rows.get(3)[1]);
        for (String[] row : rows) {
            assertTrue(leadingNumber(row[2]) > 0, String.join(" | ", row));
            assertTrue(Double.parseDouble(row[4]) > 50, "a JVM with libtorch loaded uses more than 50 MiB: " + row[4]);
            assertEquals("–", row[5], "the reference measured only the paper preset");
        }
        for (String[] row : List.of(rows.get(0), rows.get(2), rows.get(3))) {
            assertTrue(Double.parseDouble(row[3]) > 0, "RTF " + String.join(" | ", row));
        }
        assertEquals("–", rows.get(1)[3], "a training step has no real-time factor");
        try (Stream<Path> s = Files.list(doc.getParent())) {
            assertEquals(1, s.count(), "no temp files left beside the document");
        }
    }

    @Test
    void unknownPresetIsAUsageErrorBeforeAnythingRuns(@TempDir Path dir) {
        Path doc = dir.resolve("B.md");
        CliRun r = CliRun.of(new BenchCommand(), "--presets", "tiny,huge", "-o", doc.toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("unknown preset 'huge'"), r.err());
        assertFalse(Files.exists(doc));
    }

    /** The command line written into BENCHMARKS.md can be pasted back into a shell: empty and spaced words are quoted. */
    @Test
    void theRecordedCommandQuotesWhatAShellWouldSplit() {
        assertEquals("''", BenchCommand.shellWord(""));
        assertEquals("models/default", BenchCommand.shellWord("models/default"));
        assertEquals("10,60", BenchCommand.shellWord("10,60"));
        assertEquals("'a b'", BenchCommand.shellWord("a b"));
        assertEquals("'it'\\''s'", BenchCommand.shellWord("it's"));
    }
}
