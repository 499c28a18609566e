package dev.siac.studio;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.siac.Siac;
import dev.siac.codec.Event;
import dev.siac.codec.EventList;
import dev.siac.codec.SiacFormat;
import dev.siac.codec.SiacFormatException;
import dev.siac.io.AtomicFiles;
import dev.siac.io.Messages;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Pattern;

/**
 * The studio's web server: the page and a small JSON API over one {@link StudioSession}, on the loopback interface
 * only. Every request must carry the session's random token (header {@code X-Siac-Token}, or {@code token} in the
 * query for what the page loads by URL), a Host naming this server (against DNS rebinding) and, when it has one, an
 * Origin naming it too. Requests are handled one at a time; bodies are size-limited; files are written only into the
 * output folder, under plain names; a request that fails answers one line of error and changes nothing.
 */
public final class StudioServer implements AutoCloseable {

    /** Largest JSON body. */
    static final int MAX_JSON_BYTES = 64 * 1024;
    /** Largest uploaded .siac file (a transplant source). */
    static final int MAX_UPLOAD_BYTES = 16 * 1024 * 1024;
    private static final Pattern PLAIN_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._ -]{0,120}");
    private static final String[] ASSETS = {"index.html", "studio.js", "studio.css"};

    private final StudioSession session;
    private final Siac siac;
    private final Path outDir;
    private final HttpServer http;
    private final ExecutorService executor;
    private final String token;
    private final int port;
    private final Random seeds = new SecureRandom();
    private final Map<String, byte[]> assets = new HashMap<>();

    /**
     * @param outDir   where save and export may write (must exist)
     * @param port     0 for any free port
     */
    public StudioServer(Siac siac, StudioSession session, Path outDir, int port) throws IOException {
        if (!Files.isDirectory(outDir)) throw new IOException(outDir + ": the output folder does not exist");
        this.siac = siac;
        this.session = session;
        this.outDir = outDir.toRealPath();
        byte[] t = new byte[24];
        new SecureRandom().nextBytes(t);
        this.token = HexFormat.of().formatHex(t);
        for (String a : ASSETS) {
            try (InputStream in = StudioServer.class.getResourceAsStream("/studio/" + a)) {
                if (in == null) throw new IOException("the studio page is missing from the build (/studio/" + a + ")");
                assets.put(a, in.readAllBytes());
            }
        }
        this.http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 16);
        this.port = http.getAddress().getPort();
        this.executor = Executors.newSingleThreadExecutor(r -> {
            Thread th = new Thread(r, "siac-studio");
            th.setDaemon(true);
            return th;
        });
        http.setExecutor(executor);
        http.createContext("/", this::handle);
        http.start();
    }

    public int port() {
        return port;
    }

    public String token() {
        return token;
    }

    /** The address to open, token included. */
    public String url() {
        return "http://127.0.0.1:" + port + "/?token=" + token;
    }

    public Path outputFolder() {
        return outDir;
    }

    @Override
    public void close() {
        http.stop(0);
        executor.shutdownNow();
    }

    // ------------------------------------------------------------------------------------------------ dispatch

    /** A refusal with its status and one-line message. */
    static final class Refused extends Exception {
        final int status;

        Refused(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            try {
                check(ex);
                route(ex);
            } catch (Refused r) {
                error(ex, r.status, r.getMessage());
            } catch (IllegalArgumentException | SiacFormatException e) {
                error(ex, 400, Messages.oneLine(e));
            } catch (IOException | RuntimeException e) {
                error(ex, 500, Messages.oneLine(e));
            }
        }
    }

    private void check(HttpExchange ex) throws Refused {
        Headers h = ex.getRequestHeaders();
        String host = h.getFirst("Host");
        if (host == null || !(host.equals("127.0.0.1:" + port) || host.equals("localhost:" + port))) {
            throw new Refused(403, "this server answers only to 127.0.0.1:" + port + " (Host was " + host + ")");
        }
        String origin = h.getFirst("Origin");
        if (origin != null && !(origin.equals("http://127.0.0.1:" + port) || origin.equals("http://localhost:" + port))) {
            throw new Refused(403, "requests from other sites are refused (Origin " + origin + ")");
        }
        String given = h.getFirst("X-Siac-Token");
        if (given == null) given = query(ex).get("token");
        if (given == null || !MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), token.getBytes(StandardCharsets.UTF_8))) {
            throw new Refused(403, "missing or wrong token: open the address siac studio printed");
        }
        String method = ex.getRequestMethod();
        if (!method.equals("GET") && !method.equals("POST")) throw new Refused(405, method + " is not supported");
        if (method.equals("POST") && h.getFirst("X-Siac-Token") == null) {
            // a custom header cannot be sent across sites without a preflight, which this server never grants
            throw new Refused(403, "changes need the X-Siac-Token header");
        }
    }

    private void route(HttpExchange ex) throws IOException, Refused {
        String path = ex.getRequestURI().getRawPath();
        boolean post = ex.getRequestMethod().equals("POST");
        Map<String, String> q = query(ex);
        if (!post) {
            switch (path) {
                case "/", "/index.html" -> asset(ex, "index.html", "text/html; charset=utf-8");
                case "/studio.js" -> asset(ex, "studio.js", "text/javascript; charset=utf-8");
                case "/studio.css" -> asset(ex, "studio.css", "text/css; charset=utf-8");
                case "/api/state" -> json(ex, state());
                case "/api/spectrogram.png" -> send(ex, 200, "image/png", session.spectrogramPng());
                case "/api/mix.f32" -> send(ex, 200, "application/octet-stream", StudioSession.f32(session.mix()));
                case "/api/event.f32" -> send(ex, 200, "application/octet-stream",
                        StudioSession.f32(session.eventAudio(integer(q.get("i"), "i"))));
                default -> throw new Refused(404, "no such page: " + path);
            }
            return;
        }
        switch (path) {
            case "/api/edit" -> edit(readJson(ex));
            case "/api/undo" -> {
                readBody(ex, MAX_JSON_BYTES);
                if (!session.undo()) throw new Refused(409, "nothing to undo");
            }
            case "/api/redo" -> {
                readBody(ex, MAX_JSON_BYTES);
                if (!session.redo()) throw new Refused(409, "nothing to redo");
            }
            case "/api/transplant" -> transplant(ex, q);
            case "/api/save" -> {
                Path f = target(readJson(ex), ".siac");
                AtomicFiles.write(f, session.siacBytes());
                JsonObject o = state();
                o.addProperty("saved", f.toString());
                json(ex, o);
                return;
            }
            case "/api/export" -> {
                Path f = target(readJson(ex), ".wav");
                siac.decode(session.current(), f);
                JsonObject o = state();
                o.addProperty("saved", f.toString());
                json(ex, o);
                return;
            }
            default -> throw new Refused(404, "no such action: " + path);
        }
        json(ex, state());
    }

    // ------------------------------------------------------------------------------------------------ edits

    private void edit(JsonObject req) throws IOException, Refused {
        EventList l = session.current();
        String op = string(req, "op");
        String range = null; // as siac edit's FROM:TO
        int[] ids;
        if (req.has("range") && !req.get("range").isJsonNull()) {
            JsonArray r = req.getAsJsonArray("range");
            if (r.size() != 2) throw new IllegalArgumentException("range must be [from, to] in seconds");
            double from = finite(r.get(0), "range start"), to = finite(r.get(1), "range end");
            ids = l.indicesInTimeRange(from, to);
            range = from + ":" + to;
        } else if (req.has("ids")) {
            JsonArray a = req.getAsJsonArray("ids");
            if (a.size() > l.size()) throw new IllegalArgumentException("more ids than events");
            ids = new int[a.size()];
            for (int i = 0; i < ids.length; i++) ids[i] = a.get(i).getAsInt();
        } else {
            throw new IllegalArgumentException("an edit needs ids or a range");
        }
        if (ids.length == 0) throw new IllegalArgumentException("nothing is selected");
        Arrays.sort(ids);
        boolean all = ids.length == l.size();
        String where = range != null ? range : all ? ":" : null;
        String what = ids.length + (ids.length == 1 ? " event" : " events");
        switch (op) {
            case "delete" -> session.apply("delete " + what, where == null ? "" : "--delete-range " + where, l.deleteEvents(ids));
            case "move" -> {
                double s = finite(req.get("seconds"), "seconds");
                session.apply("move " + what + " by " + StudioSession.seconds(s) + " s",
                        where == null ? "" : "--shift-range " + s + "@" + where, l.shiftEvents(ids, s));
            }
            case "duplicate" -> {
                double s = finite(req.get("seconds"), "seconds");
                session.apply("duplicate " + what + " " + StudioSession.seconds(s) + " s later", "", l.duplicateEvents(ids, s));
            }
            case "amplitude" -> {
                float f = (float) finite(req.get("factor"), "factor");
                session.apply("amplitude x" + f + " on " + what, where == null ? "" : "--amplitude " + f + "@" + where,
                        l.scaleAmplitudes(ids, f));
            }
            case "perturb" -> {
                float scale = (float) finite(req.get("scale"), "scale");
                long seed = seed(req);
                session.apply("perturb " + what + " by " + scale + " (seed " + seed + ")",
                        all ? "--perturb " + scale + " --seed " + seed : "", l.perturbRandom(new Random(seed), scale, ids));
            }
            case "randomize" -> {
                long seed = seed(req);
                session.apply("randomise " + what + " (seed " + seed + ")",
                        all ? "--randomize-vectors --seed " + seed : "", l.randomizeVectors(new Random(seed), ids));
            }
            default -> throw new IllegalArgumentException("unknown edit '" + op + "' (delete, move, duplicate, amplitude, perturb, randomize)");
        }
    }

    private void transplant(HttpExchange ex, Map<String, String> q) throws IOException, Refused {
        byte[] body = readBody(ex, MAX_UPLOAD_BYTES);
        String source = q.getOrDefault("name", "other.siac");
        if (!PLAIN_NAME.matcher(source).matches()) source = "other.siac";
        EventList other = SiacFormat.fromBytes(body, source);
        double from = finiteText(q.get("from"), "from");
        String toText = q.get("to");
        double to = toText == null || toText.isBlank() ? Double.POSITIVE_INFINITY : finiteText(toText, "to");
        double at = finiteText(q.get("at"), "at");
        EventList l = session.current();
        EventList next = l.transplant(other, from, to, at);
        int added = next.size() - l.size();
        String range = from + ":" + (Double.isInfinite(to) ? "" : Double.toString(to));
        session.apply("paste " + added + " events of " + source + " at " + StudioSession.seconds(at) + " s",
                "--transplant " + source + "@" + range + "@" + at, next);
    }

    private long seed(JsonObject req) {
        if (req.has("seed") && !req.get("seed").isJsonNull()) return req.get("seed").getAsLong();
        return StudioSession.newSeed(seeds);
    }

    private Path target(JsonObject req, String extension) throws Refused {
        String name = string(req, "name");
        if (!PLAIN_NAME.matcher(name).matches() || name.contains("..") || !name.endsWith(extension)) {
            throw new Refused(400, "'" + name + "' is not a plain file name ending in " + extension
                    + " (letters, digits, '.', '_', '-', ' '; it is written into " + outDir + ")");
        }
        Path f = outDir.resolve(name).normalize();
        if (!outDir.equals(f.getParent())) throw new Refused(400, "'" + name + "' is outside the output folder");
        if (Files.isSymbolicLink(f)) throw new Refused(400, f + " is a symbolic link; the studio does not follow links");
        return f;
    }

    // ------------------------------------------------------------------------------------------------ state

    private JsonObject state() throws IOException {
        EventList l = session.current();
        JsonObject o = new JsonObject();
        o.addProperty("name", session.name());
        o.addProperty("version", session.version());
        o.addProperty("sampleRate", l.sampleRate());
        o.addProperty("length", l.lengthSamples());
        o.addProperty("duration", l.durationSeconds());
        o.addProperty("count", l.size());
        o.addProperty("bytes", SiacFormat.encodedSize(l));
        o.addProperty("kbps", session.kbps());
        o.addProperty("guard", session.guardSamples());
        o.addProperty("renders", session.renders());
        o.addProperty("logBins", dev.siac.report.Plots.LOG_BINS);
        o.addProperty("output", outDir.toString());
        JsonArray silence = new JsonArray(); // [start, end) samples the decoder mutes
        for (int i = 0; i < l.silence().count(); i++) {
            JsonArray span = new JsonArray();
            span.add(l.silence().start(i));
            span.add(l.silence().end(i));
            silence.add(span);
        }
        o.add("silence", silence);
        // the band balance the mix plays through (time-based, like the spans: moved events play under another frame's)
        o.addProperty("balance", l.balance().toString());
        double[] heights = session.heights();
        JsonArray events = new JsonArray();
        List<Event> es = l.events();
        for (int i = 0; i < es.size(); i++) {
            Event e = es.get(i);
            JsonObject ev = new JsonObject();
            ev.addProperty("time", e.time());
            ev.addProperty("amplitude", e.amplitude());
            ev.addProperty("height", heights[i]);
            JsonArray rgb = new JsonArray();
            for (int c : session.colour(e.vector())) rgb.add(c);
            ev.add("rgb", rgb);
            events.add(ev);
        }
        o.add("events", events);
        JsonArray history = new JsonArray();
        for (StudioSession.Step s : session.history()) {
            JsonObject h = new JsonObject();
            h.addProperty("label", s.label());
            h.addProperty("edit", s.editArgs());
            history.add(h);
        }
        o.add("history", history);
        o.addProperty("position", session.position());
        return o;
    }

    // ------------------------------------------------------------------------------------------------ HTTP helpers

    private void asset(HttpExchange ex, String name, String type) throws IOException {
        byte[] b = assets.get(name);
        if (name.equals("index.html")) {
            b = new String(b, StandardCharsets.UTF_8).replace("{{TOKEN}}", token).getBytes(StandardCharsets.UTF_8);
        }
        send(ex, 200, type, b);
    }

    private static JsonObject readJson(HttpExchange ex) throws IOException, Refused {
        byte[] body = readBody(ex, MAX_JSON_BYTES);
        try {
            JsonElement e = JsonParser.parseString(new String(body, StandardCharsets.UTF_8));
            if (!e.isJsonObject()) throw new IllegalArgumentException("the request body must be a JSON object");
            return e.getAsJsonObject();
        } catch (JsonParseException e) {
            throw new IllegalArgumentException("the request body is not JSON: " + Messages.oneLine(e), e);
        }
    }

    static byte[] readBody(HttpExchange ex, int limit) throws IOException, Refused {
        String declared = ex.getRequestHeaders().getFirst("Content-Length");
        if (declared != null) {
            long n;
            try {
                n = Long.parseLong(declared.trim());
            } catch (NumberFormatException e) {
                throw new Refused(400, "bad Content-Length");
            }
            if (n > limit) throw new Refused(413, "the request is " + n + " bytes; at most " + limit + " are accepted");
        }
        InputStream in = ex.getRequestBody();
        byte[] b = in.readNBytes(limit + 1);
        if (b.length > limit) throw new Refused(413, "the request is larger than " + limit + " bytes");
        return b;
    }

    private static String string(JsonObject o, String key) {
        JsonElement e = o.get(key);
        if (e == null || !e.isJsonPrimitive()) throw new IllegalArgumentException("'" + key + "' is missing");
        return e.getAsString();
    }

    private static double finite(JsonElement e, String what) {
        if (e == null || e.isJsonNull()) throw new IllegalArgumentException("'" + what + "' is missing");
        double v;
        try {
            v = e.getAsDouble();
        } catch (RuntimeException x) {
            throw new IllegalArgumentException("'" + what + "' is not a number");
        }
        if (!Double.isFinite(v)) throw new IllegalArgumentException("'" + what + "' must be finite");
        return v;
    }

    private static double finiteText(String s, String what) {
        if (s == null) throw new IllegalArgumentException("'" + what + "' is missing");
        try {
            double v = Double.parseDouble(s.trim());
            if (!Double.isFinite(v)) throw new IllegalArgumentException("'" + what + "' must be finite");
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + what + "' is not a number: " + s);
        }
    }

    private static int integer(String s, String what) {
        if (s == null) throw new IllegalArgumentException("'" + what + "' is missing");
        try {
            return Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + what + "' is not an integer: " + s);
        }
    }

    static Map<String, String> query(HttpExchange ex) {
        Map<String, String> out = new HashMap<>();
        URI uri = ex.getRequestURI();
        String raw = uri.getRawQuery();
        if (raw == null) return out;
        for (String part : raw.split("&")) {
            int eq = part.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? part : part.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8);
            out.putIfAbsent(k, v);
        }
        return out;
    }

    private static void json(HttpExchange ex, JsonObject o) throws IOException {
        send(ex, 200, "application/json; charset=utf-8", o.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static void error(HttpExchange ex, int status, String message) throws IOException {
        JsonObject o = new JsonObject();
        o.addProperty("error", Messages.oneLine(message));
        send(ex, status, "application/json; charset=utf-8", o.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        Headers h = ex.getResponseHeaders();
        h.set("Content-Type", type);
        h.set("Cache-Control", "no-store");
        h.set("X-Content-Type-Options", "nosniff");
        h.set("Referrer-Policy", "no-referrer");
        h.set("X-Frame-Options", "DENY");
        h.set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
                + " connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
        // the rest of a refused upload is not read: close instead of letting the client send it into the void
        if (status == 413) h.set("Connection", "close");
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }
}
