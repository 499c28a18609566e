package dev.siac.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.siac.codec.Balance;
import dev.siac.codec.Event;
import dev.siac.codec.EventList;
import dev.siac.codec.Precision;
import dev.siac.codec.SiacFormat;
import dev.siac.codec.TestLists;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InspectCommandTest {

    @TempDir
    Path dir;

    private Path file(EventList l) throws Exception {
        Path f = dir.resolve("in.siac");
        SiacFormat.write(f, l);
        return f;
    }

    private static EventList three() {
        return new EventList(22050, 3 * 22050, 0.5f, 4, TestLists.MODEL_ID, Precision.F32, List.of(
                new Event(0, 0.25f, new float[]{1, 2, 3, 4}),
                new Event(22050, 1.5f, new float[]{-1, 0, 0, 0}),
                new Event(44100, 3f, new float[]{0.5f, 0.5f, 0.5f, 0.5f})));
    }

    @Test
    void tableShowsHeaderAndOneLinePerEvent() throws Exception {
        Path f = file(three());
        CliRun r = CliRun.of(new InspectCommand(), f.toString(), "--values", "2");
        assertEquals(0, r.code(), r.err());
        long bytes = Files.size(f);
        assertTrue(r.out().contains("duration    3.000 s (66150 samples at 22050 Hz)"), r.out());
        assertTrue(r.out().contains("events      3 (1.00 per second)"), r.out());
        assertTrue(r.out().contains(String.format(java.util.Locale.ROOT, "size        %d bytes (%.2f kbps)", bytes, bytes * 8 / 3.0 / 1000)), r.out());
        assertTrue(r.out().contains("precision   f32"));
        assertTrue(r.out().contains("model       " + TestLists.MODEL_ID.substring(0, 16)));
        List<String> rows = r.out().lines().filter(s -> s.matches("\\s+\\d+\\s+\\d.*")).toList();
        assertEquals(3, rows.size(), r.out());
        // index, time, amplitude, norm (sqrt(30) = 5.477), first two values, an ellipsis for the rest
        assertTrue(rows.get(0).matches("\\s+0\\s+0\\.0000\\s+0\\.25000\\s+5\\.477\\s+1\\.0000\\s+2\\.0000 \\.\\.\\."), rows.get(0));
        assertTrue(rows.get(1).matches("\\s+1\\s+1\\.0000\\s+1\\.5000\\s+1\\.000\\s+-1\\.0000\\s+0\\.0000 \\.\\.\\."), rows.get(1));
    }

    @Test
    void jsonHoldsEveryValue() throws Exception {
        EventList l = TestLists.encoderLike(3, 40, 32, Precision.F16).withPrecision(Precision.F16);
        Path f = file(l);
        CliRun r = CliRun.of(new InspectCommand(), f.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        JsonObject o = JsonParser.parseString(r.out()).getAsJsonObject();
        assertEquals(1, o.get("format_version").getAsInt());
        assertEquals(0, o.getAsJsonArray("silence").size());
        EventList withSpans = l.withSilence(dev.siac.codec.Silence.of(new long[] {10}, new long[] {2000}));
        Path spans = dir.resolve("spans.siac");
        SiacFormat.write(spans, withSpans);
        JsonObject o2 = JsonParser.parseString(CliRun.of(new InspectCommand(), spans.toString(), "--json").out()).getAsJsonObject();
        assertEquals(2, o2.get("format_version").getAsInt());
        assertEquals("[[10,2000]]", o2.getAsJsonArray("silence").toString());
        assertTrue(CliRun.of(new InspectCommand(), spans.toString()).out().contains("silence     1 span, 0.090 s decoded as zeros"));
        assertEquals(22050, o.get("sample_rate").getAsInt());
        assertEquals(l.lengthSamples(), o.get("length_samples").getAsLong());
        assertEquals(l.gain(), o.get("gain").getAsFloat());
        assertEquals("f16", o.get("precision").getAsString());
        assertEquals(TestLists.MODEL_ID, o.get("model_id").getAsString());
        assertEquals(Files.size(f), o.get("bytes").getAsLong());
        assertEquals(Files.size(f) * 8 / l.durationSeconds() / 1000, o.get("kbps").getAsDouble(), 1e-9);
        JsonArray events = o.getAsJsonArray("events");
        assertEquals(40, o.get("event_count").getAsInt());
        assertEquals(40, events.size());
        for (int i = 0; i < 40; i++) {
            JsonObject e = events.get(i).getAsJsonObject();
            Event expected = l.events().get(i);
            assertEquals(expected.time(), e.get("sample").getAsLong());
            assertEquals(expected.time() / 22050.0, e.get("time").getAsDouble());
            assertEquals(expected.amplitude(), e.get("amplitude").getAsFloat());
            JsonArray v = e.getAsJsonArray("vector");
            assertEquals(32, v.size());
            for (int d = 0; d < 32; d++) assertEquals(expected.vector()[d], v.get(d).getAsFloat(), "exact, not rounded for display");
        }
    }

    /** 40 frames of 65536 samples x 8 bands, codes -6 .. +13: what the encoder stores for a minute of audio. */
    static Balance balance() {
        byte[] codes = new byte[40 * Balance.BANDS];
        for (int i = 0; i < codes.length; i++) codes[i] = (byte) (i * 7 % 20 - 6);
        return Balance.of(65536, Balance.BANDS, Balance.LOWEST_HZ, codes);
    }

    @Test
    void theBandBalanceIsShownWhenThereIsOne() throws Exception {
        EventList l = new EventList(22050, 40 * 65536, 0.5f, 4, "", Precision.Q8, three().events()).withBalance(balance());
        Path f = file(l);
        CliRun table = CliRun.of(new InspectCommand(), f.toString());
        assertEquals(0, table.code(), table.err());
        assertTrue(table.out().contains("balance     40 frames of 65536 samples x 8 bands, -3.0..+6.5 dB"), table.out());
        JsonObject o = JsonParser.parseString(CliRun.of(new InspectCommand(), f.toString(), "--json").out()).getAsJsonObject();
        assertEquals(3, o.get("format_version").getAsInt());
        JsonObject b = o.getAsJsonObject("balance");
        assertEquals(65536, b.get("hop").getAsInt());
        assertEquals(8, b.get("bands").getAsInt());
        assertEquals(Balance.LOWEST_HZ, b.get("lowest_hz").getAsFloat(), "exact");
        JsonArray frames = b.getAsJsonArray("codes");
        assertEquals(40, frames.size());
        for (int m = 0; m < 40; m++) {
            for (int k = 0; k < 8; k++) assertEquals(balance().code(m, k), frames.get(m).getAsJsonArray().get(k).getAsInt());
        }

        Path none = dir.resolve("none.siac");
        SiacFormat.write(none, three());
        assertFalse(CliRun.of(new InspectCommand(), none.toString()).out().contains("balance"));
        JsonObject o2 = JsonParser.parseString(CliRun.of(new InspectCommand(), none.toString(), "--json").out()).getAsJsonObject();
        assertTrue(o2.get("balance").isJsonNull());
    }

    @Test
    void jsonOfAnEmptyFileIsValid() throws Exception {
        Path f = file(new EventList(22050, 0, 1, 2, "", Precision.Q8, List.of()));
        CliRun r = CliRun.of(new InspectCommand(), f.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        JsonObject o = JsonParser.parseString(r.out()).getAsJsonObject();
        assertEquals(0, o.getAsJsonArray("events").size());
        assertEquals("", o.get("model_id").getAsString());
    }

    @Test
    void csvHasOneRowPerEventWithAllComponents() throws Exception {
        EventList l = TestLists.encoderLike(4, 25, 32, Precision.F32);
        Path f = file(l);
        CliRun r = CliRun.of(new InspectCommand(), f.toString(), "--csv");
        assertEquals(0, r.code(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals(26, lines.size());
        String[] head = lines.get(0).split(",");
        assertEquals(4 + 32, head.length);
        assertEquals("index,sample,time_s,amplitude,v0", String.join(",", java.util.Arrays.copyOf(head, 5)));
        assertEquals("v31", head[35]);
        for (int i = 0; i < 25; i++) {
            String[] cells = lines.get(i + 1).split(",");
            Event e = l.events().get(i);
            assertEquals(i, Integer.parseInt(cells[0]));
            assertEquals(e.time(), Long.parseLong(cells[1]));
            assertEquals(e.amplitude(), Float.parseFloat(cells[3]));
            for (int d = 0; d < 32; d++) assertEquals(e.vector()[d], Float.parseFloat(cells[4 + d]));
        }
    }

    @Test
    void jsonAndCsvExcludeEachOther() throws Exception {
        Path f = file(three());
        assertEquals(2, CliRun.of(new InspectCommand(), f.toString(), "--json", "--csv").code());
    }

    @Test
    void badInputIsOneLineAndExitCodeOne() throws Exception {
        Path f = dir.resolve("song.wav");
        Files.write(f, "RIFF\0\0\0\0WAVEfmt ".getBytes());
        CliRun r = CliRun.of(new InspectCommand(), f.toString());
        assertEquals(1, r.code());
        assertEquals("error: " + f + ": not a .siac file (bad magic)", r.err().strip());
        assertEquals("", r.out());
        CliRun missing = CliRun.of(new InspectCommand(), dir.resolve("none.siac").toString());
        assertEquals(1, missing.code());
        assertEquals(1, missing.err().strip().lines().count());
    }
}
