package dev.siac.train;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.siac.io.AtomicFiles;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A run's training recipe as data: every option that shapes its trajectory, saved in RUN_DIR/recipe.json when the run
 * starts. A resumed run takes its recipe from there, not from the flags of the resuming command, so that it continues
 * the run exactly; a flag given explicitly on resume overrides the saved value, is logged, and is saved for later
 * resumes. Keys are the flags' names.
 */
final class Recipe {
    static final String FILE = "recipe.json";

    /** The options a recipe holds, by flag name. Where checkpoints go and how often is not part of it. */
    static final List<String> KEYS = List.of("steps", "batch-size", "lr", "schedule", "warmup", "schedule-steps",
            "curriculum", "curriculum-start", "adversarial", "band-level", "event-cost", "log-band", "workers", "chunk", "valid-every",
            "valid-segments", "keep-best", "log-mel", "sample-by");

    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().create();

    private Recipe() {
    }

    static Map<String, Object> of(Trainer.Options o) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("steps", o.steps);
        r.put("batch-size", o.batch);
        r.put("lr", o.lr);
        r.put("schedule", o.schedule);
        r.put("warmup", o.warmup);
        r.put("schedule-steps", o.scheduleSteps);
        r.put("curriculum", o.curriculumSteps);
        r.put("curriculum-start", o.curriculumStart);
        r.put("adversarial", o.adversarial);
        r.put("band-level", o.terms.bandLevel());
        r.put("event-cost", o.terms.eventCost());
        r.put("log-band", o.terms.logBand());
        r.put("log-mel", o.terms.logMel());
        r.put("workers", o.workers);
        r.put("chunk", o.chunk);
        r.put("valid-every", o.validEvery);
        r.put("valid-segments", o.validSegments);
        r.put("keep-best", o.keepBest);
        r.put("sample-by", o.sampleBy);
        return r;
    }

    static void save(Path runDir, Trainer.Options o) throws IOException {
        String json = GSON.toJson(of(o)) + "\n";
        AtomicFiles.write(runDir.resolve(FILE), tmp -> Files.writeString(tmp, json, StandardCharsets.UTF_8));
    }

    /**
     * On resume: every recipe option not in {@code given} (flag names given on this command line) takes the saved
     * value; the given ones override it and are logged. A run from before recipes were saved keeps the flags, with a
     * warning. Throws when recipe.json is unreadable.
     */
    static void resume(Path runDir, Trainer.Options o, Set<String> given, PrintStream log) throws IOException {
        Path file = runDir.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            log.println("warning: " + file + " not found (a run from before recipes were saved): the options of this"
                    + " command are used");
            return;
        }
        JsonObject saved;
        try {
            saved = JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8)).getAsJsonObject();
        } catch (RuntimeException e) {
            throw new IOException(file + ": unreadable recipe (" + e.getMessage() + ")", e);
        }
        Map<String, Object> now = of(o);
        for (String key : KEYS) {
            if (!saved.has(key)) continue;
            if (given.contains(key)) {
                Object before = value(saved, key, now.get(key));
                if (!before.equals(now.get(key))) {
                    log.printf(Locale.ROOT, "recipe: --%s %s given, the run had %s%n", key, now.get(key), before);
                }
                continue;
            }
            set(o, key, saved);
        }
    }

    private static Object value(JsonObject saved, String key, Object like) {
        if (like instanceof Long) return saved.get(key).getAsLong();
        if (like instanceof Integer) return saved.get(key).getAsInt();
        if (like instanceof Double) return saved.get(key).getAsDouble();
        if (like instanceof Boolean) return saved.get(key).getAsBoolean();
        return saved.get(key).getAsString();
    }

    private static void set(Trainer.Options o, String key, JsonObject s) {
        switch (key) {
            case "steps" -> o.steps = s.get(key).getAsLong();
            case "batch-size" -> o.batch = s.get(key).getAsInt();
            case "lr" -> o.lr = s.get(key).getAsDouble();
            case "schedule" -> o.schedule = s.get(key).getAsString();
            case "warmup" -> o.warmup = s.get(key).getAsInt();
            case "schedule-steps" -> o.scheduleSteps = s.get(key).getAsLong();
            case "curriculum" -> o.curriculumSteps = s.get(key).getAsLong();
            case "curriculum-start" -> o.curriculumStart = s.get(key).getAsDouble();
            case "adversarial" -> o.adversarial = s.get(key).getAsBoolean();
            case "band-level" -> o.terms = new Losses.Terms(s.get(key).getAsDouble(), o.terms.eventCost(), o.terms.logBand(), o.terms.logMel());
            case "event-cost" -> o.terms = new Losses.Terms(o.terms.bandLevel(), s.get(key).getAsDouble(), o.terms.logBand(), o.terms.logMel());
            case "log-band" -> o.terms = new Losses.Terms(o.terms.bandLevel(), o.terms.eventCost(), s.get(key).getAsDouble(), o.terms.logMel());
            case "log-mel" -> o.terms = new Losses.Terms(o.terms.bandLevel(), o.terms.eventCost(), o.terms.logBand(), s.get(key).getAsDouble());
            case "workers" -> o.workers = s.get(key).getAsInt();
            case "chunk" -> o.chunk = s.get(key).getAsInt();
            case "valid-every" -> o.validEvery = s.get(key).getAsInt();
            case "valid-segments" -> o.validSegments = s.get(key).getAsInt();
            case "keep-best" -> o.keepBest = s.get(key).getAsBoolean();
            case "sample-by" -> o.sampleBy = s.get(key).getAsString();
            default -> throw new IllegalStateException("recipe key without a field: " + key);
        }
    }
}
