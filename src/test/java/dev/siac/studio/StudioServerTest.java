package dev.siac.studio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.siac.cli.EditCommand;
import dev.siac.codec.EventList;
import dev.siac.codec.SiacFormat;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The studio's API without a browser: its security checks, and edits that equal `siac edit` byte for byte. */
class StudioServerTest {

    @TempDir
    static Path tmp;
    static StudioFixture f;

    @BeforeAll
    static void start() throws Exception {
        f = new StudioFixture(tmp);
    }

    @AfterAll
    static void stop() {
        if (f != null) f.close();
    }

    /** Runs `siac edit IN -o OUT ARGS` in process and returns OUT's bytes. */
    static byte[] sharedEdit(Path in, Path out, String args, Path dir) throws Exception {
        List<String> argv = new ArrayList<>(List.of(in.toString(), "-o", out.toString()));
        for (String a : args.trim().split(" +")) {
            if (a.isEmpty()) continue;
            argv.add(a.startsWith("b.siac@") ? dir.resolve("b.siac") + a.substring("b.siac".length()) : a);
        }
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new EditCommand());
        cl.setOut(new PrintWriter(new StringWriter(), true));
        cl.setErr(new PrintWriter(err, true));
        assertEquals(0, cl.execute(argv.toArray(String[]::new)), "siac edit " + argv + ": " + err);
        return Files.readAllBytes(out);
    }

    private JsonObject ok(StudioFixture.Response r) {
        assertEquals(200, r.status(), r.body());
        return JsonParser.parseString(r.body()).getAsJsonObject();
    }

    @Test
    void listensOnLoopbackOnly() {
        assertTrue(f.server.url().startsWith("http://127.0.0.1:" + f.server.port() + "/?token="));
        assertTrue(f.server.token().length() >= 32, "the token is long enough not to be guessed");
    }

    @Test
    void refusesRequestsWithoutTheTokenOrFromOtherHostsOrOrigins() throws Exception {
        String host = "127.0.0.1:" + f.server.port();
        assertEquals(403, f.raw("GET", "/api/state", host, null, null, null, null).status(), "no token");
        assertEquals(403, f.raw("GET", "/api/state", host, null, "0".repeat(48), null, null).status(), "wrong token");
        assertEquals(403, f.raw("GET", "/", host, null, null, null, null).status(), "the page needs the token too");
        assertEquals(200, f.raw("GET", "/?token=" + f.server.token(), host, null, null, null, null).status());
        assertEquals(200, f.raw("GET", "/api/state", "localhost:" + f.server.port(), null, f.server.token(), null, null).status());
        // DNS rebinding: the right token cannot be used through another name
        StudioFixture.Response rebound = f.raw("GET", "/api/state", "evil.example:" + f.server.port(), null, f.server.token(), null, null);
        assertEquals(403, rebound.status());
        assertTrue(rebound.body().contains("answers only to 127.0.0.1"), rebound.body());
        assertEquals(403, f.raw("GET", "/api/state", null, null, f.server.token(), null, null).status(), "no Host");
        int before = f.session.version();
        StudioFixture.Response cross = f.raw("POST", "/api/edit", host, "http://evil.example", f.server.token(),
                "{\"op\":\"delete\",\"range\":[0,1]}".getBytes(), null);
        assertEquals(403, cross.status(), "another site's page cannot edit");
        StudioFixture.Response noHeader = f.raw("POST", "/api/undo?token=" + f.server.token(), host, null, null, new byte[0], null);
        assertEquals(403, noHeader.status(), "changes need the token header, not just the query");
        assertEquals(before, f.session.version(), "refused requests change nothing");
        assertTrue(cross.headers().toLowerCase().contains("content-security-policy"), cross.headers());
    }

    @Test
    void badRequestsGetOneLineErrorsAndChangeNothing() throws Exception {
        byte[] before = f.session.siacBytes();
        int version = f.session.version();
        int steps = f.session.history().size();
        String host = "127.0.0.1:" + f.server.port();
        List<StudioFixture.Response> bad = List.of(
                f.post("/api/edit", "not json"),
                f.post("/api/edit", "{\"op\":\"explode\",\"ids\":[0]}"),
                f.post("/api/edit", "{\"op\":\"delete\",\"ids\":[100000]}"),
                f.post("/api/edit", "{\"op\":\"delete\",\"ids\":[]}"),
                f.post("/api/edit", "{\"op\":\"move\",\"ids\":[0]}"),
                f.post("/api/edit", "{\"op\":\"amplitude\",\"ids\":[0],\"factor\":-1}"),
                f.post("/api/save", "{\"name\":\"../escape.siac\"}"),
                f.post("/api/save", "{\"name\":\"/tmp/escape.siac\"}"),
                f.post("/api/save", "{\"name\":\"x.txt\"}"),
                f.post("/api/export", "{\"name\":\"sub/x.wav\"}"),
                f.raw("POST", "/api/transplant?name=bad.siac&from=0&at=0", host, f.base(), f.server.token(),
                        "this is not a siac file".getBytes(), null),
                f.raw("POST", "/api/edit", host, f.base(), f.server.token(), new byte[StudioServer.MAX_JSON_BYTES + 10], null),
                f.raw("POST", "/api/transplant?from=0&at=0", host, f.base(), f.server.token(), new byte[16], "999999999"),
                f.get("/api/event.f32?i=-1"),
                f.get("/../a.siac"),
                f.get("/api/nothing"));
        for (StudioFixture.Response r : bad) {
            assertTrue(r.status() >= 400 && r.status() < 500, r.status() + " " + r.body());
            String error = JsonParser.parseString(r.body()).getAsJsonObject().get("error").getAsString();
            assertFalse(error.isBlank() || error.contains("\n"), error);
        }
        assertEquals(413, bad.get(11).status());
        assertEquals(413, bad.get(12).status());
        assertArrayEquals(before, f.session.siacBytes(), "the events are unchanged");
        assertEquals(version, f.session.version());
        assertEquals(steps, f.session.history().size());
        try (Stream<Path> files = Files.list(f.out)) {
            assertEquals(List.of(), files.toList(), "nothing was written");
        }
        assertFalse(Files.exists(tmp.resolve("escape.siac")));
    }

    /**
     * Each edit the page can make, sent as the page sends it, gives the same file as the `siac edit` arguments the
     * studio shows for it; and undo gives back the previous file byte for byte.
     */
    @Test
    void editsEqualSiacEditAndUndoRestoresEachFileExactly() throws Exception {
        EventList start = f.session.current();
        double d = start.durationSeconds();
        List<String> requests = List.of(
                "{\"op\":\"move\",\"range\":[0.25,0.75],\"seconds\":0.3}",
                "{\"op\":\"delete\",\"range\":[1.0,1.4]}",
                "{\"op\":\"amplitude\",\"range\":[0.5,1.5],\"factor\":0.5}",
                "{\"op\":\"amplitude\",\"ids\":ALL,\"factor\":2}",
                "{\"op\":\"perturb\",\"ids\":ALL,\"scale\":0.5,\"seed\":11}",
                "TRANSPLANT",
                "{\"op\":\"randomize\",\"ids\":ALL,\"seed\":12}");
        List<byte[]> files = new ArrayList<>();
        files.add(f.session.siacBytes());
        assertArrayEquals(Files.readAllBytes(f.a), files.get(0), "the opened file, as the studio would save it");
        Path cliOut = tmp.resolve("cli.siac");
        for (String req : requests) {
            JsonObject state;
            if (req.equals("TRANSPLANT")) {
                state = ok(f.raw("POST", "/api/transplant?name=b.siac&from=0&to=0.5&at=1.2", "127.0.0.1:" + f.server.port(),
                        f.base(), f.server.token(), Files.readAllBytes(f.b), null));
            } else {
                state = ok(f.post("/api/edit", req.replace("ALL", all(f.session.current().size()))));
            }
            int pos = state.get("position").getAsInt();
            String args = state.getAsJsonArray("history").get(pos).getAsJsonObject().get("edit").getAsString();
            assertFalse(args.isEmpty(), req + " has a siac edit equivalent");
            // the step alone, applied to the previous file
            Path prev = tmp.resolve("prev.siac");
            Files.write(prev, files.get(files.size() - 1));
            byte[] cli = sharedEdit(prev, cliOut, args, tmp);
            assertArrayEquals(cli, f.session.siacBytes(), req + " = siac edit " + args);
            files.add(cli);
        }
        assertNotEquals(d, 0);
        // the whole history as one command (one random step per command: the perturb and randomise are two)
        for (int k = files.size() - 1; k >= 1; k--) {
            assertArrayEquals(files.get(k), f.session.siacBytes(), "state " + k);
            ok(f.post("/api/undo", "{}"));
            assertArrayEquals(files.get(k - 1), f.session.siacBytes(), "undo restores state " + (k - 1) + " byte for byte");
        }
        assertEquals(409, f.post("/api/undo", "{}").status(), "nothing left to undo");
        ok(f.post("/api/redo", "{}"));
        assertArrayEquals(files.get(1), f.session.siacBytes(), "redo");
        JsonObject saved = ok(f.post("/api/save", "{\"name\":\"moved.siac\"}"));
        assertArrayEquals(files.get(1), Files.readAllBytes(f.out.resolve("moved.siac")), saved.toString());
        ok(f.post("/api/export", "{\"name\":\"moved.wav\"}"));
        Path reference = tmp.resolve("reference.wav");
        f.siac.decode(SiacFormat.fromBytes(files.get(1), "moved"), reference);
        assertArrayEquals(Files.readAllBytes(reference), Files.readAllBytes(f.out.resolve("moved.wav")),
                "the exported WAV is siac decode of the same events");
        ok(f.post("/api/undo", "{}"));
        Files.delete(f.out.resolve("moved.siac"));
        Files.delete(f.out.resolve("moved.wav"));
    }

    /** What the page plays (the sum of cached event renders) is the decoder's output, and edits render only new sounds. */
    @Test
    void theCachedMixIsTheDecodeAndMovesRenderNothing() throws Exception {
        float[] decoded = f.siac.decode(f.session.current());
        assertClose(decoded, f.session.mix());
        var silence = f.session.current().silence();
        assertEquals(1, silence.count(), "the fixture's gap is a silent span");
        for (long i = silence.start(0); i < silence.end(0); i++) assertEquals(0f, f.session.mix()[(int) i], "muted like the decode");
        assertFalse(f.session.current().balance().isFlat(), "the fixture's decode goes through a band balance");
        assertEquals(f.session.current().balance().toString(), ok(f.get("/api/state")).get("balance").getAsString());
        JsonArray span = ok(f.get("/api/state")).getAsJsonArray("silence").get(0).getAsJsonArray();
        assertEquals(silence.start(0), span.get(0).getAsLong());
        assertEquals(silence.end(0), span.get(1).getAsLong());
        long renders = f.session.renders();
        ok(f.post("/api/edit", "{\"op\":\"move\",\"ids\":[0,1,2],\"seconds\":0.5}"));
        assertEquals(renders, f.session.renders(), "moving events renders nothing new");
        assertClose(f.siac.decode(f.session.current()), f.session.mix());
        EventList before = f.session.current();
        ok(f.post("/api/edit", "{\"op\":\"amplitude\",\"ids\":[3],\"factor\":0.5}"));
        // the stored amplitudes share a quantisation grid, so one change may move others: count what the file changed
        java.util.Set<String> old = new java.util.HashSet<>();
        for (var e : before.events()) old.add(e.amplitude() + Arrays.toString(e.vector()));
        long changed = f.session.current().events().stream()
                .filter(e -> !old.contains(e.amplitude() + Arrays.toString(e.vector()))).count();
        assertTrue(changed >= 1 && changed < before.size(), changed + " of " + before.size());
        long rendered = f.session.renders() - renders;
        assertTrue(rendered >= 1 && rendered <= changed, rendered + " renders for " + changed + " changed events"
                + " (fewer when an earlier state had the same sound)");
        assertClose(f.siac.decode(f.session.current()), f.session.mix());
        ok(f.post("/api/undo", "{}"));
        ok(f.post("/api/undo", "{}"));
        assertEquals(renders + rendered, f.session.renders(), "undo renders nothing");
        byte[] mix = f.get("/api/mix.f32").body().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        assertTrue(mix.length > 0);
    }

    private static void assertClose(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length);
        double peak = 0, err = 0;
        for (int i = 0; i < expected.length; i++) {
            peak = Math.max(peak, Math.abs(expected[i]));
            err = Math.max(err, Math.abs(expected[i] - actual[i]));
        }
        assertTrue(peak > 0, "not silence");
        assertTrue(err <= 1e-5 * peak, "max difference " + err + " against peak " + peak);
    }

    private static String all(int n) {
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) ids[i] = i;
        return Arrays.toString(ids);
    }

    static URI uri(String s) {
        return URI.create(s);
    }
}
