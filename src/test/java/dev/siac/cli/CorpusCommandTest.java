package dev.siac.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Argument handling only: a real run downloads packages, which tests must not do. */
class CorpusCommandTest {

    @TempDir
    Path tmp;

    record Run(int code, String out, String err) {
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cl = new CommandLine(new CorpusCommand());
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void usageErrorsExitWithTwoAndTouchNothing() {
        Path dir = tmp.resolve("c");
        Run r = run("--out", dir.toString(), "--sources", "midi,opera");
        assertEquals(2, r.code);
        assertTrue(r.err.contains("unknown source 'opera'"), r.err);
        r = run("--out", dir.toString(), "--variants", "0");
        assertEquals(2, r.code);
        assertTrue(r.err.contains("--variants must be >= 1"), r.err);
        r = run("--out", dir.toString(), "--max-minutes", "-3");
        assertEquals(2, r.code);
        assertTrue(r.err.contains("--max-minutes must be positive"), r.err);
        r = run("--sources", "speech");
        assertEquals(2, r.code, "--out is required");
        assertFalse(Files.exists(dir));
    }

    @Test
    void helpNamesTheOptions() {
        Run r = run("--help");
        assertEquals(0, r.code);
        for (String o : new String[] {"--out", "--sources", "--max-minutes", "--variants", "--seed", "--big-soundfont"}) {
            assertTrue(r.out.contains(o), o);
        }
    }
}
