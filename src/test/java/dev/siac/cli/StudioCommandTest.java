package dev.siac.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.siac.Siac;
import dev.siac.codec.TinyModel;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `siac studio FILE` prints a loopback address with a token that serves the file; a missing file is one error line. */
class StudioCommandTest {

    @TempDir
    Path dir;

    @Test
    void servesTheFileAtThePrintedAddress() throws Exception {
        Path model = TinyModel.save(dir.resolve("model"), 3);
        Path in = dir.resolve("a.siac");
        try (Siac siac = Siac.load(model)) {
            Siac.write(siac.encode(TinyModel.noise(22050, 0.5, 1)), in);
        }
        List<Integer> answers = new ArrayList<>();
        StudioCommand cmd = new StudioCommand();
        cmd.whileRunning = server -> {
            try {
                HttpClient http = HttpClient.newHttpClient();
                answers.add(http.send(HttpRequest.newBuilder(URI.create(server.url())).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode());
                String noToken = "http://127.0.0.1:" + server.port() + "/api/state";
                answers.add(http.send(HttpRequest.newBuilder(URI.create(noToken)).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
        CliRun r = CliRun.of(cmd, in.toString(), "--model", model.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("open http://127.0.0.1:") && r.out().contains("/?token="), r.out());
        assertEquals(List.of(200, 403), answers);

        CliRun missing = CliRun.of(new StudioCommand(), dir.resolve("none.siac").toString(), "--model", model.toString());
        assertEquals(1, missing.code());
        assertEquals(1, missing.err().strip().lines().count(), missing.err());
    }
}
