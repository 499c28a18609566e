package dev.siac.codec;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** docs/FORMAT.md makes checkable claims: its example bytes and its Python reference reader. */
class FormatDocTest {

    private static String doc() throws Exception {
        return Files.readString(Path.of("docs/FORMAT.md"));
    }

    private static String block(String doc, String heading, String fence) {
        int h = doc.indexOf(heading);
        assertTrue(h >= 0, heading);
        int start = doc.indexOf(fence, h) + fence.length();
        return doc.substring(start, doc.indexOf("\n```", start));
    }

    @Test
    void exampleHexDumpIsWhatTheWriterProduces() throws Exception {
        EventList l = new EventList(22050, 22050, 0.5f, 2, "", Precision.F16, List.of(
                new Event(512, 1.0f, new float[]{0.5f, -2f}), new Event(1280, 0.25f, new float[]{1f, 0f})));
        ByteArrayOutputStream documented = new ByteArrayOutputStream();
        for (String line : block(doc(), "## Example", "```\n").split("\n")) {
            String hex = line.substring(6, Math.min(line.length(), 6 + 16 * 3)).trim();
            for (String b : hex.split(" ")) documented.write(Integer.parseInt(b, 16));
        }
        assertArrayEquals(SiacFormat.toBytes(l), documented.toByteArray());
    }

    @Test
    void pythonReferenceReaderAgreesWithJava(@TempDir Path dir) throws Exception {
        assumeTrue(python3Available(), "python3 not available");
        String reader = block(doc(), "## Reference reader (Python)", "```python\n");
        Path script = dir.resolve("read_siac.py");
        Files.writeString(script, reader + "\n\nimport json, sys\nprint(json.dumps(read_siac(open(sys.argv[1], 'rb').read())))\n");
        for (Precision p : Precision.values()) {
            EventList l = TestLists.encoderLike(21 + p.ordinal(), 60, 32, p).shift(-0.3).withPrecision(p);
            if (p.ordinal() % 2 == 1) l = l.withSilence(Silence.of(new long[] {7, 30000}, new long[] {1031, 30001})); // version 2
            if (p.ordinal() >= 2) { // version 3: Q8 without silent spans (a count of 0), Q4 with them
                byte[] codes = new byte[8 * 8];
                for (int i = 0; i < codes.length; i++) codes[i] = (byte) (i * 37 - 128); // both signs, both ends
                l = l.withBalance(Balance.of(16384, 8, Balance.LOWEST_HZ, codes));
            }
            assertEquals(p.ordinal() < 2 ? p.ordinal() + 1 : 3, SiacFormat.versionOf(l));
            Path f = dir.resolve(p + ".siac");
            SiacFormat.write(f, l);
            Process proc = new ProcessBuilder("python3", script.toString(), f.toString()).redirectErrorStream(true).start();
            String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(proc.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, proc.exitValue(), out);
            JsonObject o = JsonParser.parseString(out).getAsJsonObject();
            assertEquals(p.label(), o.get("precision").getAsString());
            assertEquals(l.lengthSamples(), o.get("length").getAsLong());
            assertEquals(l.gain(), o.get("gain").getAsFloat());
            assertEquals(l.modelId(), o.get("model_id").getAsString());
            JsonArray silence = o.getAsJsonArray("silence");
            assertEquals(l.silence().count(), silence.size(), p + " silent spans");
            for (int i = 0; i < silence.size(); i++) {
                assertEquals(l.silence().start(i), silence.get(i).getAsJsonArray().get(0).getAsLong());
                assertEquals(l.silence().end(i), silence.get(i).getAsJsonArray().get(1).getAsLong());
            }
            Balance b = l.balance();
            if (b.isEmpty()) {
                assertTrue(o.get("balance").isJsonNull(), p + " balance");
            } else {
                JsonObject ob = o.getAsJsonObject("balance");
                assertEquals(b.hop(), ob.get("hop").getAsInt());
                assertEquals(b.bands(), ob.get("bands").getAsInt());
                assertEquals(b.lowestHz(), (float) ob.get("lowest_hz").getAsDouble());
                JsonArray frames = ob.getAsJsonArray("codes");
                assertEquals(8, b.frames(), "122500 samples need eight frames of 16384");
                assertEquals(b.frames(), frames.size());
                for (int m = 0; m < b.frames(); m++) {
                    assertEquals(b.bands(), frames.get(m).getAsJsonArray().size());
                    for (int k = 0; k < b.bands(); k++) assertEquals(b.code(m, k), frames.get(m).getAsJsonArray().get(k).getAsInt());
                }
            }
            JsonArray events = o.getAsJsonArray("events");
            assertEquals(l.size(), events.size());
            for (int i = 0; i < l.size(); i++) {
                JsonObject e = events.get(i).getAsJsonObject();
                Event x = l.events().get(i);
                assertEquals(x.time(), e.get("time").getAsLong());
                assertEquals(x.amplitude(), (float) e.get("amplitude").getAsDouble(), p + " amplitude " + i);
                JsonArray v = e.getAsJsonArray("vector");
                for (int d = 0; d < 32; d++) assertEquals(x.vector()[d], (float) v.get(d).getAsDouble(), p + " event " + i);
            }
        }
    }

    private static boolean python3Available() {
        try {
            Process p = new ProcessBuilder("python3", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (Exception e) {
            return false;
        }
    }
}
