package dev.siac.studio;

import dev.siac.Siac;
import dev.siac.codec.EventList;
import dev.siac.codec.SiacFormat;
import dev.siac.codec.TinyModel;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** A tiny model, two encoded files (a.siac, b.siac), an output folder and a running studio on a.siac. */
final class StudioFixture implements AutoCloseable {
    final Path dir;
    final Path modelDir;
    final Path a;
    final Path b;
    final Path out;
    final Siac siac;
    final StudioSession session;
    final StudioServer server;

    StudioFixture(Path dir) throws IOException {
        this(dir, null, null);
    }

    /** With a real model and audio file (for the README's picture); the tiny model and noise when null. */
    StudioFixture(Path dir, Path model, Path audio) throws IOException {
        this.dir = dir;
        this.modelDir = model != null ? model : TinyModel.save(dir.resolve("model"), 3);
        this.siac = Siac.load(modelDir);
        try {
            a = dir.resolve("a.siac");
            b = dir.resolve("b.siac");
            Siac.write(audio != null ? siac.encode(audio) : siac.encode(withGap(TinyModel.noise(2 * 22050, 0.5, 1))), a);
            Siac.write(siac.encode(TinyModel.noise(22050, 0.5, 2)), b);
            out = Files.createDirectories(dir.resolve("out"));
            EventList events = SiacFormat.read(a);
            session = new StudioSession(siac, events, "a.siac");
            server = new StudioServer(siac, session, out, 0);
        } catch (IOException | RuntimeException e) {
            siac.close();
            throw e;
        }
    }

    String base() {
        return "http://127.0.0.1:" + server.port();
    }

    /** A raw HTTP/1.1 exchange, so that tests can send any Host and Origin; returns status line + body. */
    Response raw(String method, String target, String host, String origin, String token, byte[] body,
                 String contentLength) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            s.setSoTimeout(20_000);
            StringBuilder req = new StringBuilder(method + " " + target + " HTTP/1.1\r\n");
            if (host != null) req.append("Host: ").append(host).append("\r\n");
            if (origin != null) req.append("Origin: ").append(origin).append("\r\n");
            if (token != null) req.append("X-Siac-Token: ").append(token).append("\r\n");
            if (body != null || contentLength != null) {
                req.append("Content-Length: ").append(contentLength != null ? contentLength : Integer.toString(body.length)).append("\r\n");
            }
            req.append("Connection: close\r\n\r\n");
            OutputStream o = s.getOutputStream();
            o.write(req.toString().getBytes(StandardCharsets.US_ASCII));
            if (body != null) {
                try {
                    o.write(body);
                } catch (IOException e) {
                    // the server may refuse and close before reading an oversized body
                }
            }
            o.flush();
            // read the headers, then Content-Length bytes: a server that refused a body need not close at once
            InputStream in = s.getInputStream();
            java.io.ByteArrayOutputStream head = new java.io.ByteArrayOutputStream();
            while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                int c = in.read();
                if (c < 0) break;
                head.write(c);
            }
            String headers = head.toString(StandardCharsets.ISO_8859_1);
            int status = Integer.parseInt(headers.substring(9, 12));
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?im)^content-length: *(\\d+)").matcher(headers);
            byte[] answer = m.find() ? in.readNBytes(Integer.parseInt(m.group(1))) : new byte[0];
            return new Response(status, new String(answer, StandardCharsets.ISO_8859_1), headers);
        }
    }

    Response get(String target) throws IOException {
        return raw("GET", target, "127.0.0.1:" + server.port(), null, server.token(), null, null);
    }

    Response post(String target, String json) throws IOException {
        return raw("POST", target, "127.0.0.1:" + server.port(), base(), server.token(),
                json.getBytes(StandardCharsets.UTF_8), null);
    }

    record Response(int status, String body, String headers) {
    }

    @Override
    public void close() {
        server.close();
        session.close();
        siac.close();
    }

    /** Noise with a digitally silent gap at 1.0-1.3 s: the file gets a silent span, which the studio's mix must mute. */
    static float[] withGap(float[] x) {
        java.util.Arrays.fill(x, 22050, 22050 + 6615, 0f);
        return x;
    }
}
