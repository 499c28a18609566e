package dev.siac.report;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.Assumptions;

/**
 * A minimal Chrome DevTools Protocol client over the JDK's WebSocket: starts a headless Chromium with a fresh
 * profile, attaches to one page, sends commands and records events. Enough to drive a page in a test without a
 * browser-automation dependency.
 */
public final class DevTools implements AutoCloseable {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final Process process;
    private final WebSocket socket;
    private final Map<Integer, CompletableFuture<JsonObject>> pending = new ConcurrentHashMap<>();
    private final List<JsonObject> events = new ArrayList<>();
    private final AtomicInteger nextId = new AtomicInteger(1);
    private String sessionId;

    /** The first Chromium-family binary found: $SIAC_CHROMIUM, then the usual names on $PATH. */
    public static Optional<Path> findChromium() {
        String explicit = System.getenv("SIAC_CHROMIUM");
        if (explicit != null && !explicit.isBlank() && Files.isExecutable(Path.of(explicit))) return Optional.of(Path.of(explicit));
        String path = System.getenv("PATH");
        if (path == null) return Optional.empty();
        for (String name : List.of("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")) {
            for (String dir : path.split(File.pathSeparator)) {
                if (dir.isEmpty()) continue;
                Path candidate = Path.of(dir, name);
                if (Files.isExecutable(candidate) && !Files.isDirectory(candidate)) return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** The Chromium binary, or aborts the calling test with a message saying how to install one. */
    public static Path chromiumOrSkip(String test) {
        Optional<Path> chromium = findChromium();
        if (chromium.isEmpty()) {
            String why = test + " skipped: no chromium binary (looked for $SIAC_CHROMIUM, chromium, "
                    + "chromium-browser, google-chrome on PATH); install it with apt-get install -y chromium";
            System.out.println(why);
            Assumptions.abort(why);
        }
        return chromium.get();
    }

    public static DevTools start(Path binary, Path profile, Path log) throws IOException, InterruptedException {
        List<String> cmd = List.of(binary.toString(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic",
                "--disable-default-apps", "--disable-extensions", "--mute-audio",
                "--autoplay-policy=no-user-gesture-required", "--remote-debugging-port=0",
                "--user-data-dir=" + profile, "about:blank");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Path portFile = profile.resolve("DevToolsActivePort");
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        List<String> lines = List.of();
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IOException(binary + " exited with status " + p.exitValue() + "; see " + log);
            }
            if (Files.exists(portFile)) {
                lines = Files.readAllLines(portFile);
                if (lines.size() >= 2) break;
            }
            Thread.sleep(50);
        }
        if (lines.size() < 2) {
            destroy(p);
            throw new IOException(binary + " did not write " + portFile + " within " + TIMEOUT.toSeconds() + " s; see " + log);
        }
        URI uri = URI.create("ws://127.0.0.1:" + lines.get(0).trim() + lines.get(1).trim());
        try {
            return new DevTools(p, uri);
        } catch (RuntimeException e) {
            destroy(p);
            throw e;
        }
    }

    private DevTools(Process process, URI uri) {
        this.process = process;
        this.socket = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(TIMEOUT)
                .buildAsync(uri, new Listener()).join();
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                JsonObject msg = JsonParser.parseString(partial.toString()).getAsJsonObject();
                partial.setLength(0);
                if (msg.has("id")) {
                    CompletableFuture<JsonObject> f = pending.remove(msg.get("id").getAsInt());
                    if (f != null) f.complete(msg);
                } else {
                    synchronized (events) {
                        events.add(msg);
                        events.notifyAll();
                    }
                }
            }
            ws.request(1);
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            pending.values().forEach(f -> f.completeExceptionally(error));
        }
    }

    /** Opens a new page and directs later {@link #send} calls to it. */
    public void openPage() {
        JsonObject created = browserCommand("Target.createTarget", obj("url", "about:blank"));
        JsonObject attach = obj("targetId", created.get("targetId").getAsString());
        attach.addProperty("flatten", true);
        sessionId = browserCommand("Target.attachToTarget", attach).get("sessionId").getAsString();
    }

    /**
     * {@link #openPage()} with what a test watches (exceptions, console, log, network, page events) recorded and a
     * desktop viewport of width x height CSS pixels.
     */
    public void openPage(int width, int height) {
        openPage();
        send("Runtime.enable", null);
        send("Log.enable", null);
        send("Network.enable", null);
        send("Page.enable", null);
        viewport(width, height);
    }

    /** Sets the viewport to width x height CSS pixels at scale 1, not mobile. */
    public void viewport(int width, int height) {
        JsonObject metrics = new JsonObject();
        metrics.addProperty("width", width);
        metrics.addProperty("height", height);
        metrics.addProperty("deviceScaleFactor", 1);
        metrics.addProperty("mobile", false);
        send("Emulation.setDeviceMetricsOverride", metrics);
    }

    /**
     * A mouse event at point (CSS pixels); buttons: the buttons held during it (1 = left), as the DOM's
     * MouseEvent.buttons. Presses and releases are of the left button, one click.
     */
    public void mouse(String type, double[] point, int buttons) {
        JsonObject m = obj("type", type);
        m.addProperty("x", point[0]);
        m.addProperty("y", point[1]);
        m.addProperty("button", type.equals("mouseMoved") && buttons == 0 ? "none" : "left");
        m.addProperty("buttons", buttons);
        if (!type.equals("mouseMoved")) m.addProperty("clickCount", 1);
        send("Input.dispatchMouseEvent", m);
    }

    /** What the page did that a test checks: its problems (one line each) and the URLs it requested, in order. */
    public record PageLog(List<String> problems, List<String> requests) {
    }

    /**
     * The problems and requests among the events so far: thrown exceptions, console calls of consoleProblems' types,
     * log entries whose level logProblem accepts, failed loads (not those the page canceled itself); and every
     * request's URL.
     */
    public PageLog pageLog(Set<String> consoleProblems, Predicate<String> logProblem) {
        List<String> problems = new ArrayList<>();
        List<String> requests = new ArrayList<>();
        for (JsonObject e : events()) {
            String method = e.get("method").getAsString();
            JsonObject p = e.getAsJsonObject("params");
            switch (method) {
                case "Runtime.exceptionThrown" -> problems.add("exception: " + p.get("exceptionDetails"));
                case "Runtime.consoleAPICalled" -> {
                    String type = p.get("type").getAsString();
                    if (consoleProblems.contains(type)) problems.add("console." + type + ": " + p.get("args"));
                }
                case "Log.entryAdded" -> {
                    JsonObject entry = p.getAsJsonObject("entry");
                    if (logProblem.test(entry.get("level").getAsString())) problems.add("log: " + entry);
                }
                case "Network.requestWillBeSent" -> requests.add(p.getAsJsonObject("request").get("url").getAsString());
                case "Network.loadingFailed" -> {
                    // canceled: the page itself dropped the request (an image whose source it replaced before the
                    // load ended, as two quick edits do); a refusal or a server error is not canceled
                    if (!(p.has("canceled") && p.get("canceled").getAsBoolean())) problems.add("failed load: " + p);
                }
                default -> {
                }
            }
        }
        return new PageLog(problems, requests);
    }

    public JsonObject browserCommand(String method, JsonObject params) {
        return command(method, params, null);
    }

    /** Sends a command to the attached page and returns its result. */
    public JsonObject send(String method, JsonObject params) {
        return command(method, params, sessionId);
    }

    private JsonObject command(String method, JsonObject params, String session) {
        int id = nextId.getAndIncrement();
        JsonObject msg = new JsonObject();
        msg.addProperty("id", id);
        msg.addProperty("method", method);
        msg.add("params", params == null ? new JsonObject() : params);
        if (session != null) msg.addProperty("sessionId", session);
        CompletableFuture<JsonObject> f = new CompletableFuture<>();
        pending.put(id, f);
        synchronized (socket) {
            socket.sendText(msg.toString(), true).join();
        }
        JsonObject reply;
        try {
            reply = f.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(method + ": no reply: " + e, e);
        }
        if (reply.has("error")) throw new IllegalStateException(method + ": " + reply.get("error"));
        return reply.getAsJsonObject("result");
    }

    /** Evaluates a JavaScript expression in the page (awaiting promises) and returns its JSON value. */
    public JsonElement eval(String expression) {
        JsonObject params = obj("expression", expression);
        params.addProperty("returnByValue", true);
        params.addProperty("awaitPromise", true);
        JsonObject result = send("Runtime.evaluate", params);
        if (result.has("exceptionDetails")) {
            throw new IllegalStateException("script failed: " + result.get("exceptionDetails") + "\n" + expression);
        }
        JsonObject value = result.getAsJsonObject("result");
        return value.has("value") ? value.get("value") : null;
    }

    /** Polls a boolean expression until it is true; returns false on timeout. */
    public boolean waitFor(String expression, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            JsonElement v = eval(expression);
            if (v != null && v.isJsonPrimitive() && v.getAsBoolean()) return true;
            Thread.sleep(100);
        }
        return false;
    }

    /** Waits for an event of this page matching {@code test}. */
    public JsonObject awaitEvent(String method, Predicate<JsonObject> test, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (events) {
            while (true) {
                for (JsonObject e : events) {
                    if (method.equals(e.get("method").getAsString()) && test.test(e)) return e;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) throw new IllegalStateException("no " + method + " event within " + timeout);
                TimeUnit.NANOSECONDS.timedWait(events, left);
            }
        }
    }

    /** A snapshot of every event received so far. */
    public List<JsonObject> events() {
        synchronized (events) {
            return List.copyOf(events);
        }
    }

    public static JsonObject obj(String key, String value) {
        JsonObject o = new JsonObject();
        o.addProperty(key, value);
        return o;
    }

    @Override
    public void close() {
        try {
            browserCommand("Browser.close", null);
        } catch (RuntimeException e) {
            // The browser may already be gone; destroying the process below is enough.
        }
        socket.abort();
        destroy(process);
    }

    private static void destroy(Process p) {
        try {
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroy);
                p.destroy();
                if (!p.waitFor(5, TimeUnit.SECONDS)) {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
        }
    }
}
