package dev.siac.cli;

import dev.siac.codec.Balance;
import dev.siac.codec.Event;
import dev.siac.codec.EventList;
import dev.siac.codec.Precision;
import dev.siac.codec.SiacFormat;
import dev.siac.codec.TestLists;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class ExportCommandTest {

    @TempDir
    Path dir;

    /** A parsed .npy v1.0 file: the header dictionary and the data bytes. */
    record Npy(String header, ByteBuffer data) {
        static Npy read(Path f) throws Exception {
            byte[] b = Files.readAllBytes(f);
            assertArrayEquals(new byte[]{(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}, java.util.Arrays.copyOf(b, 8));
            int len = (b[8] & 0xff) | (b[9] & 0xff) << 8;
            assertEquals(0, (10 + len) % 64, "data aligned to 64 bytes");
            String header = new String(b, 10, len, StandardCharsets.US_ASCII);
            assertTrue(header.endsWith("\n"));
            return new Npy(header.strip(), ByteBuffer.wrap(b, 10 + len, b.length - 10 - len).slice().order(ByteOrder.LITTLE_ENDIAN));
        }
    }

    private EventList exportSample(Path out, boolean balance) throws Exception {
        EventList l = TestLists.encoderLike(11, 30, 32, Precision.Q8).withPrecision(Precision.Q8).shift(-0.01)
                .withSilence(dev.siac.codec.Silence.of(new long[] {100, 5000}, new long[] {2000, 5001}));
        if (balance) l = l.withBalance(Balance.of(4096, 3, 250f, new byte[] {-128, 0, 127}));
        Path in = dir.resolve("in.siac");
        SiacFormat.write(in, l);
        CliRun r = CliRun.of(new ExportCommand(), in.toString(), "--npy", out.toString());
        assertEquals(0, r.code(), r.err());
        return l;
    }

    @Test
    void writesFiveArraysWithTheEventsContentAndTheSilentSpans() throws Exception {
        Path out = dir.resolve("arrays");
        EventList l = exportSample(out, false);

        Npy v = Npy.read(out.resolve("vectors.npy"));
        assertEquals("{'descr': '<f4', 'fortran_order': False, 'shape': (30, 32), }", v.header());
        Npy t = Npy.read(out.resolve("times.npy"));
        assertEquals("{'descr': '<f8', 'fortran_order': False, 'shape': (30,), }", t.header());
        Npy s = Npy.read(out.resolve("samples.npy"));
        assertEquals("{'descr': '<i8', 'fortran_order': False, 'shape': (30,), }", s.header());
        Npy a = Npy.read(out.resolve("amplitudes.npy"));
        assertEquals("{'descr': '<f4', 'fortran_order': False, 'shape': (30,), }", a.header());
        assertEquals(30 * 32 * 4, v.data().remaining());
        for (int i = 0; i < 30; i++) {
            Event e = l.events().get(i);
            for (int d = 0; d < 32; d++) assertEquals(e.vector()[d], v.data().getFloat());
            assertEquals(e.time() / 22050.0, t.data().getDouble());
            assertEquals(e.time(), s.data().getLong());
            assertEquals(e.amplitude(), a.data().getFloat());
        }
        Npy q = Npy.read(out.resolve("silence.npy"));
        assertEquals("{'descr': '<i8', 'fortran_order': False, 'shape': (2, 2), }", q.header());
        for (long want : new long[] {100, 2000, 5000, 5001}) assertEquals(want, q.data().getLong());
        assertEquals("{'descr': '|i1', 'fortran_order': False, 'shape': (0, 0), }", Npy.read(out.resolve("balance.npy")).header());
        assertEquals("{'descr': '<f8', 'fortran_order': False, 'shape': (0,), }", Npy.read(out.resolve("balance_layout.npy")).header());
        try (Stream<Path> files = Files.list(out)) {
            assertEquals(7, files.count(), "no temporaries left behind");
        }
    }

    @Test
    void writesTheBandBalanceAsCodesAndLayout() throws Exception {
        Balance b = InspectCommandTest.balance();
        EventList l = new EventList(22050, 40 * 65536, 1, 2, "", Precision.F16, List.of()).withBalance(b);
        Path in = dir.resolve("in.siac");
        SiacFormat.write(in, l);
        Path out = dir.resolve("b");
        CliRun r = CliRun.of(new ExportCommand(), in.toString(), "--npy", out.toString());
        assertEquals(0, r.code(), r.err());
        Npy codes = Npy.read(out.resolve("balance.npy"));
        assertEquals("{'descr': '|i1', 'fortran_order': False, 'shape': (40, 8), }", codes.header());
        assertEquals(40 * 8, codes.data().remaining());
        for (int m = 0; m < 40; m++) for (int k = 0; k < 8; k++) assertEquals(b.code(m, k), codes.data().get());
        Npy layout = Npy.read(out.resolve("balance_layout.npy"));
        assertEquals("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", layout.header());
        assertEquals(65536.0, layout.data().getDouble());
        assertEquals(Balance.LOWEST_HZ, layout.data().getDouble());
        assertTrue(CliRun.of(new ExportCommand(), "--help").out().contains("balance.npy"));
    }

    /** The real consumer: NumPy must load the files and see the same numbers. */
    @Test
    void numpyLoadsTheArrays() throws Exception {
        assumeTrue(pythonWithNumpy(), "python3 with numpy is not available");
        Path out = dir.resolve("np");
        EventList l = exportSample(out, true);
        String script = String.join("\n",
                "import numpy as np, sys, json",
                "d = sys.argv[1]",
                "v = np.load(d + '/vectors.npy'); t = np.load(d + '/times.npy')",
                "s = np.load(d + '/samples.npy'); a = np.load(d + '/amplitudes.npy')",
                "b = np.load(d + '/balance.npy'); bl = np.load(d + '/balance_layout.npy')",
                "print(json.dumps({'shapes': [list(x.shape) for x in (v, t, s, a, b, bl)],",
                "  'dtypes': [str(x.dtype) for x in (v, t, s, a, b, bl)], 'b': b.tolist(), 'bl': bl.tolist(),",
                "  'v': [float(x) for x in v.ravel()], 't': [float(x) for x in t], 's': [int(x) for x in s], 'a': [float(x) for x in a]}))");
        Process p = new ProcessBuilder("python3", "-c", script, out.toString()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), output);
        com.google.gson.JsonObject o = com.google.gson.JsonParser.parseString(output).getAsJsonObject();
        assertEquals("[[30,32],[30],[30],[30],[1,3],[2]]", o.get("shapes").toString());
        assertEquals("[\"float32\",\"float64\",\"int64\",\"float32\",\"int8\",\"float64\"]", o.get("dtypes").toString());
        assertEquals("[[-128,0,127]]", o.get("b").toString());
        assertEquals("[4096.0,250.0]", o.get("bl").toString());
        for (int i = 0; i < 30; i++) {
            Event e = l.events().get(i);
            assertEquals(e.time(), o.getAsJsonArray("s").get(i).getAsLong());
            assertEquals(e.time() / 22050.0, o.getAsJsonArray("t").get(i).getAsDouble());
            assertEquals(e.amplitude(), (float) o.getAsJsonArray("a").get(i).getAsDouble());
            for (int d = 0; d < 32; d++) {
                assertEquals(e.vector()[d], (float) o.getAsJsonArray("v").get(i * 32 + d).getAsDouble());
            }
        }
    }

    private static boolean pythonWithNumpy() {
        try {
            Process p = new ProcessBuilder("python3", "-c", "import numpy").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (Exception e) {
            return false;
        }
    }

    @Test
    void emptyListsExportEmptyArrays() throws Exception {
        Path in = dir.resolve("empty.siac");
        SiacFormat.write(in, new EventList(22050, 100, 1, 32, "", Precision.F16, List.of()));
        Path out = dir.resolve("e");
        assertEquals(0, CliRun.of(new ExportCommand(), in.toString(), "--npy", out.toString()).code());
        assertEquals("{'descr': '<f4', 'fortran_order': False, 'shape': (0, 32), }", Npy.read(out.resolve("vectors.npy")).header());
        assertEquals(0, Npy.read(out.resolve("times.npy")).data().remaining());
    }

    @Test
    void errorsLeaveNoOutput() throws Exception {
        Path out = dir.resolve("never");
        CliRun r = CliRun.of(new ExportCommand(), dir.resolve("missing.siac").toString(), "--npy", out.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("error: ") && r.err().strip().lines().count() == 1, r.err());
        assertFalse(Files.exists(out));

        Path in = dir.resolve("in.siac");
        SiacFormat.write(in, TestLists.encoderLike(1, 3, 2, Precision.F32));
        Path plainFile = dir.resolve("plain");
        Files.writeString(plainFile, "x");
        CliRun notDir = CliRun.of(new ExportCommand(), in.toString(), "--npy", plainFile.toString());
        assertEquals(1, notDir.code());
        assertEquals("x", Files.readString(plainFile));

        assertEquals(2, CliRun.of(new ExportCommand(), in.toString()).code(), "--npy is required");
    }
}
