package dev.siac.train;

import dev.siac.io.AtomicFiles;
import dev.siac.model.Adam;
import ai.djl.ndarray.NDArray;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import dev.siac.model.ModelConfig;
import dev.siac.model.Models;
import dev.siac.model.Safetensors;
import dev.siac.model.SiacModel;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

/**
 * A resumable training state in RUN_DIR/checkpoint: the model directory files, the optimiser moments, the step and
 * the data sampler's RNG. Written into a fresh directory and swapped in by renames, so a crash mid-write leaves the
 * previous checkpoint as it was; every file's SHA-256 is recorded and checked on load.
 */
public final class Checkpoint {
    public static final String DIR = "checkpoint";
    /** The best-validation model of a run, and the file beside its weights that says which step and score it is. */
    public static final String BEST = "best";
    public static final String BEST_INFO = "best.json";
    static final String OPTIMIZER = "optimizer.safetensors";
    static final String STATE = "state.json";
    static final String DISCRIMINATOR = "discriminator.safetensors";

    /** What state.json holds. */
    static final class State {
        long step;
        double lr;
        String rng;
        long seed;
        double seconds;
        Map<String, String> sha256 = new LinkedHashMap<>();
    }

    private Checkpoint() {}

    public static void save(Path runDir, SiacModel model, Adam adam, Discriminator disc, Random rng, long seed, double seconds)
            throws IOException {
        Path tmp = AtomicFiles.temporaryDirectory(runDir.resolve(DIR), ".tmp");
        try {
            Models.save(model, tmp, Safetensors.DType.F32);
            Map<String, Safetensors.Tensor> opt = new LinkedHashMap<>();
            for (var e : adam.firstMoments().entrySet()) opt.put("m." + e.getKey(), tensor(e.getValue()));
            for (var e : adam.secondMoments().entrySet()) opt.put("v." + e.getKey(), tensor(e.getValue()));
            Safetensors.write(tmp.resolve(OPTIMIZER), opt, Map.of("step", Long.toString(adam.step())), Safetensors.DType.F32);
            if (disc != null) {
                Map<String, Safetensors.Tensor> d = new LinkedHashMap<>();
                for (var e : disc.params().entrySet()) d.put("p." + e.getKey(), tensor(e.getValue()));
                for (var e : disc.adam().firstMoments().entrySet()) d.put("m." + e.getKey(), tensor(e.getValue()));
                for (var e : disc.adam().secondMoments().entrySet()) d.put("v." + e.getKey(), tensor(e.getValue()));
                Safetensors.write(tmp.resolve(DISCRIMINATOR), d, Map.of("step", Long.toString(disc.adam().step())),
                        Safetensors.DType.F32);
            }
            State s = new State();
            s.step = adam.step();
            s.lr = adam.lr;
            s.rng = Base64.getEncoder().encodeToString(serialize(rng));
            s.seed = seed;
            s.seconds = seconds;
            for (String f : new String[] {Models.CONFIG, Models.WEIGHTS, OPTIMIZER, DISCRIMINATOR}) {
                if (Files.exists(tmp.resolve(f))) s.sha256.put(f, sha256(tmp.resolve(f)));
            }
            Files.writeString(tmp.resolve(STATE), gson().toJson(s), StandardCharsets.UTF_8);
            swapIn(runDir, tmp);
            deleteStaleTemporaries(runDir);
        } finally {
            AtomicFiles.discard(tmp);
        }
    }

    /**
     * Makes the complete checkpoint in tmp RUN_DIR/checkpoint. At every moment one of checkpoint/ and checkpoint.old/
     * is a complete checkpoint: checkpoint.old is deleted only while checkpoint/ exists, for after an interrupted swap
     * (checkpoint/ gone, checkpoint.old/ left) checkpoint.old is the only one there is.
     */
    static void swapIn(Path runDir, Path tmp) throws IOException {
        swapIn(runDir, tmp, DIR);
    }

    /** As {@link #swapIn(Path, Path)} for RUN_DIR/name (the best-validation model uses "best"). */
    static void swapIn(Path runDir, Path tmp, String name) throws IOException {
        Path target = runDir.resolve(name);
        Path old = runDir.resolve(name + ".old");
        if (Files.exists(target)) {
            AtomicFiles.deleteTree(old);
            Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        AtomicFiles.deleteTree(old);
    }

    /**
     * Saves the model as RUN_DIR/best (a model directory, float32) with best.json {step, valid_mel_l1}, replacing
     * what was there in one swap: a crash leaves the previous best or the new one.
     */
    public static void saveBest(Path runDir, SiacModel model, long step, double validMelL1, String measuredOn) throws IOException {
        Path tmp = AtomicFiles.temporaryDirectory(runDir.resolve(BEST), ".tmp");
        try {
            Models.save(model, tmp, Safetensors.DType.F32);
            Map<String, Object> info = new LinkedHashMap<>();
            info.put("step", step);
            info.put("valid_mel_l1", validMelL1);
            info.put("measured_on", measuredOn);
            Files.writeString(tmp.resolve(BEST_INFO), gson().toJson(info), StandardCharsets.UTF_8);
            swapIn(runDir, tmp, BEST);
        } finally {
            AtomicFiles.discard(tmp);
        }
    }

    /**
     * The validation mel_l1 of RUN_DIR/best (or best.old after an interrupted swap) if it was measured on measuredOn;
     * +infinity when there is none or it was measured on other segments (the two numbers do not compare).
     */
    public static double bestValidMelL1(Path runDir, String measuredOn) {
        for (String name : new String[] {BEST, BEST + ".old"}) {
            Path f = runDir.resolve(name).resolve(BEST_INFO);
            try {
                if (!Files.isRegularFile(f)) continue;
                Map<?, ?> m = gson().fromJson(Files.readString(f, StandardCharsets.UTF_8), Map.class);
                if (!measuredOn.equals(m.get("measured_on"))) return Double.POSITIVE_INFINITY;
                return ((Number) m.get("valid_mel_l1")).doubleValue();
            } catch (IOException | RuntimeException e) {
                // unreadable: as if there were none, the next validation writes a fresh one
            }
        }
        return Double.POSITIVE_INFINITY;
    }

    /**
     * Temporary directories of writes a crash interrupted (each as large as a checkpoint), once a write has succeeded:
     * the {@link AtomicFiles#temporaryDirectory} of checkpoint/ or best/, or ".checkpoint-*" of runs from before.
     */
    private static void deleteStaleTemporaries(Path runDir) throws IOException {
        try (Stream<Path> s = Files.list(runDir)) {
            for (Path p : s.filter(Checkpoint::staleTemporary).toList()) AtomicFiles.deleteTree(p);
        }
    }

    private static boolean staleTemporary(Path p) {
        String n = p.getFileName().toString();
        return n.startsWith(".checkpoint-")
                || ((n.startsWith("." + DIR + ".") || n.startsWith("." + BEST + ".")) && n.endsWith(".tmp"));
    }

    /** The checkpoint to resume from: RUN_DIR/checkpoint, or checkpoint.old if a swap was interrupted. */
    public static Path find(Path runDir) {
        Path c = runDir.resolve(DIR);
        if (Files.isRegularFile(c.resolve(STATE))) return c;
        Path old = runDir.resolve(DIR + ".old");
        if (Files.isRegularFile(old.resolve(STATE))) return old;
        return null;
    }

    /** Verifies every file's hash and returns the state; the model and optimiser are loaded by the caller. */
    static State verify(Path dir) throws IOException {
        State s;
        try {
            s = gson().fromJson(Files.readString(dir.resolve(STATE), StandardCharsets.UTF_8), State.class);
        } catch (CharacterCodingException | RuntimeException e) {   // not UTF-8, or not the JSON of a State
            throw new IOException(dir.resolve(STATE) + ": corrupt checkpoint state");
        }
        if (s == null || s.sha256 == null || s.rng == null) throw new IOException(dir.resolve(STATE) + ": corrupt checkpoint state");
        for (String f : new String[] {Models.CONFIG, Models.WEIGHTS, OPTIMIZER}) {
            // an unlisted file would be loaded unchecked
            if (!s.sha256.containsKey(f)) throw new IOException(dir.resolve(STATE) + ": corrupt checkpoint state (no checksum of " + f + ")");
        }
        for (var e : s.sha256.entrySet()) {
            Path f = dir.resolve(e.getKey());
            if (!Files.isRegularFile(f)) throw new IOException(f + ": missing from the checkpoint");
            if (!sha256(f).equals(e.getValue())) throw new IOException(f + ": corrupt or truncated (checksum mismatch)");
        }
        return s;
    }

    static void loadOptimizer(Path dir, Adam adam, long step) throws IOException {
        Map<String, Safetensors.Tensor> t = Safetensors.read(dir.resolve(OPTIMIZER));
        Path f = dir.resolve(OPTIMIZER);
        for (var e : adam.firstMoments().entrySet()) copy(t, f, "m." + e.getKey(), e.getValue());
        for (var e : adam.secondMoments().entrySet()) copy(t, f, "v." + e.getKey(), e.getValue());
        adam.setStep(step);
    }

    static void loadDiscriminator(Path dir, Discriminator disc, long step) throws IOException {
        Path f = dir.resolve(DISCRIMINATOR);
        if (!Files.exists(f)) throw new IOException(dir + ": the checkpoint has no discriminator (it was not trained with --adversarial)");
        Map<String, Safetensors.Tensor> t = Safetensors.read(f);
        for (var e : disc.params().entrySet()) copy(t, f, "p." + e.getKey(), e.getValue());
        for (var e : disc.adam().firstMoments().entrySet()) copy(t, f, "m." + e.getKey(), e.getValue());
        for (var e : disc.adam().secondMoments().entrySet()) copy(t, f, "v." + e.getKey(), e.getValue());
        disc.adam().setStep(step);
    }

    private static void copy(Map<String, Safetensors.Tensor> t, Path file, String name, NDArray into) throws IOException {
        Safetensors.Tensor x = t.get(name);
        if (x == null || x.data().length != into.getShape().size()) {
            throw new IOException(file + ": state " + name + " missing or of the wrong size");
        }
        into.set(x.data());
    }

    /** The data sampler's RNG stored in dir/state.json. */
    static Random rng(Path dir, State s) throws IOException {
        Path file = dir.resolve(STATE);
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(Base64.getDecoder().decode(s.rng)))) {
            // state.json carries no checksum of its own: let nothing but a java.util.Random be instantiated from it
            in.setObjectInputFilter(info -> info.serialClass() == null ? ObjectInputFilter.Status.UNDECIDED
                    : info.serialClass() == Random.class ? ObjectInputFilter.Status.ALLOWED : ObjectInputFilter.Status.REJECTED);
            return (Random) in.readObject();
        } catch (ClassNotFoundException | IOException | RuntimeException e) {
            throw new IOException(file + ": corrupt checkpoint state (the data sampler's RNG)");
        }
    }

    private static byte[] serialize(Random rng) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(b)) {
            out.writeObject(rng);
        }
        return b.toByteArray();
    }

    private static Safetensors.Tensor tensor(NDArray a) {
        return new Safetensors.Tensor(a.getShape().getShape(), a.toFloatArray());
    }

    static ModelConfig config(Path dir) throws IOException {
        return ModelConfig.read(dir.resolve(Models.CONFIG));
    }

    static String sha256(Path f) throws IOException {
        return Models.sha256(f);
    }

    private static Gson gson() {
        return new GsonBuilder().setPrettyPrinting().create();
    }
}
