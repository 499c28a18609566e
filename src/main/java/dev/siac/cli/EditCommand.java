package dev.siac.cli;

import dev.siac.io.Messages;
import dev.siac.io.AtomicFiles;
import dev.siac.codec.Balance;
import dev.siac.codec.EventList;
import dev.siac.codec.Precision;
import dev.siac.codec.SiacFormat;
import dev.siac.codec.Silence;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;

import static dev.siac.cli.EventFileSupport.fmt;

/**
 * Edits the events of a .siac file without decoding audio. The operations are the {@link EventList} editing
 * methods; they run in the order they appear on the command line, which picocli does not keep for separate
 * options, so the order is recovered from the parse result.
 */
@Command(name = "edit", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
                "Edit the events of a .siac file and write the result to another file. Operations apply in the"
                        + " order given and each may be repeated.",
                "",
                "Times are in seconds. A RANGE is FROM:TO, the half-open interval [FROM, TO); either end may be left"
                        + " out (':2' = before 2 s, '1.5:' = from 1.5 s on). Bounds are rounded to the nearest sample."
                        + " Filters and moves never change the file's length; only --stretch does.",
                "",
                "Example:",
                "  siac edit in.siac -o out.siac --keep-range 1:3.5 --shift -1 --precision q8",
                ""},
        footer = {
                "",
                "All random operations draw from one generator seeded by --seed; without --seed a seed is chosen and"
                        + " printed, so any result can be reproduced. The output is written atomically: on any error"
                        + " nothing is written and the exit code is non-zero (1 for bad input, 2 for bad usage)."})
public final class EditCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "IN.siac", description = "the event file to edit")
    Path input;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT.siac",
            description = "where to write the result (may be IN.siac itself)")
    Path output;

    @Option(names = "--keep-range", paramLabel = "RANGE", converter = RangeConverter.class,
            description = "keep only events with onset in RANGE")
    List<TimeRange> keepRange = new ArrayList<>();

    @Option(names = "--delete-range", paramLabel = "RANGE", converter = RangeConverter.class,
            description = "remove events with onset in RANGE (the others keep their times)")
    List<TimeRange> deleteRange = new ArrayList<>();

    @Option(names = "--min-amplitude", paramLabel = "A", converter = FloatConverter.class,
            description = "keep only events with amplitude >= A")
    List<Float> minAmplitude = new ArrayList<>();

    @Option(names = "--max-amplitude", paramLabel = "A", converter = FloatConverter.class,
            description = "keep only events with amplitude <= A")
    List<Float> maxAmplitude = new ArrayList<>();

    @Option(names = "--shift", paramLabel = "SECONDS", converter = DoubleConverter.class,
            description = "move every event by SECONDS (negative moves earlier; write --shift=-1 or --shift -1)")
    List<Double> shift = new ArrayList<>();

    @Option(names = "--shift-range", paramLabel = "SECONDS@RANGE", converter = ShiftRangeConverter.class,
            description = "move the events with onset in RANGE by SECONDS, for example 0.5@1:2")
    List<ShiftRange> shiftRange = new ArrayList<>();

    @Option(names = "--amplitude", paramLabel = "FACTOR@RANGE", converter = AmplitudeRangeConverter.class,
            description = "multiply the amplitudes of the events with onset in RANGE by FACTOR (>= 0), for example 0.5@1:2"
                    + " or 2@: for all")
    List<AmplitudeRange> amplitude = new ArrayList<>();

    @Option(names = "--stretch", paramLabel = "FACTOR", converter = DoubleConverter.class,
            description = "multiply every onset and the length by FACTOR (> 0)")
    List<Double> stretch = new ArrayList<>();

    @Option(names = "--randomize-vectors",
            description = "replace each vector by a uniform draw within this file's per-dimension [min, max]")
    List<Boolean> randomizeVectors = new ArrayList<>();

    @Option(names = "--randomize-times", description = "give each event a uniform random onset in [0, length)")
    List<Boolean> randomizeTimes = new ArrayList<>();

    @Option(names = "--perturb", paramLabel = "SCALE", converter = FloatConverter.class,
            description = "add one random direction, uniform in [-SCALE, SCALE) per dimension, to every vector")
    List<Float> perturb = new ArrayList<>();

    @Option(names = "--perturb-by", paramLabel = "V0,V1,...", converter = VectorConverter.class,
            description = "add this vector (one value per dimension, comma-separated) to every vector")
    List<float[]> perturbBy = new ArrayList<>();

    @Option(names = "--transplant", paramLabel = "OTHER.siac@RANGE@AT", converter = TransplantConverter.class,
            description = "copy OTHER's events with onset in RANGE so that RANGE's start lands at AT seconds,"
                    + " for example b.siac@2:4@0.5 (RANGE needs its start)")
    List<Transplant> transplant = new ArrayList<>();

    @Option(names = "--merge-twins", paramLabel = "COSINE", arity = "0..1", fallbackValue = "0.9",
            description = "merge events that share an onset and whose vectors have cosine similarity above COSINE"
                    + " (${FALLBACK-VALUE} when given without a value) into one (summed amplitude, weighted mean vector)")
    List<Double> mergeTwins = new ArrayList<>();

    @Option(names = "--drop-silence",
            description = "forget where the input was digitally silent, so the decoder mutes nothing (events' tails ring on)")
    List<Boolean> dropSilence = new ArrayList<>();

    @Option(names = "--drop-balance",
            description = "forget the band balance, so the decoder outputs the events' sum without its per-octave gains")
    List<Boolean> dropBalance = new ArrayList<>();

    @Option(names = "--precision", paramLabel = "f32|f16|q8|q4", converter = PrecisionConverter.class,
            description = "store vectors and amplitudes at this precision from here on (default: the input's)")
    List<Precision> precision = new ArrayList<>();

    @Option(names = "--seed", paramLabel = "N", description = "seed for the random operations")
    Long seed;

    @Override
    public Integer call() {
        List<Step> steps = steps();
        boolean random = steps.stream().anyMatch(s -> s.random);
        long usedSeed = seed != null ? seed : new SecureRandom().nextLong();
        Random rng = new Random(usedSeed);
        try {
            EventList original = SiacFormat.read(input);
            EventList list = original;
            for (Step s : steps) {
                try {
                    list = s.apply(list, rng);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(s.name + ": " + Messages.oneLine(e), e);
                }
            }
            byte[] data = SiacFormat.toBytes(list);
            AtomicFiles.write(output, data);
            spec.commandLine().getOut().println(fmt("wrote %s: %d events (was %d), %.3f s, %s, %.2f kbps%s",
                    output, list.size(), original.size(), list.durationSeconds(), list.precision().label(),
                    EventFileSupport.kbps(data.length, list), random ? ", seed " + usedSeed : ""));
            spec.commandLine().getOut().flush();
            return EventFileSupport.EXIT_OK;
        } catch (IOException | RuntimeException e) {
            return EventFileSupport.fail(spec, e);
        }
    }

    // ------------------------------------------------------------------------------------------ operations

    private interface Edit {
        EventList apply(EventList list, Random rng) throws IOException;
    }

    private record Step(String name, boolean random, Edit edit) {
        EventList apply(EventList list, Random rng) throws IOException {
            return edit.apply(list, rng);
        }
    }

    /** The operations in command-line order: the k-th match of an option takes the k-th value of its list. */
    private List<Step> steps() {
        Map<String, Integer> seen = new HashMap<>();
        List<Step> steps = new ArrayList<>();
        for (ArgSpec arg : spec.commandLine().getParseResult().matchedArgs()) {
            if (!(arg instanceof OptionSpec option)) continue;
            String name = option.longestName();
            int k = seen.merge(name, 1, Integer::sum) - 1;
            Step step = switch (name) {
                case "--keep-range" -> {
                    TimeRange r = keepRange.get(k);
                    yield new Step(name, false, (l, g) -> l.keepTimeRange(r.from, r.to));
                }
                case "--delete-range" -> {
                    TimeRange r = deleteRange.get(k);
                    yield new Step(name, false, (l, g) -> l.deleteTimeRange(r.from, r.to));
                }
                case "--min-amplitude" -> {
                    float a = minAmplitude.get(k);
                    yield new Step(name, false, (l, g) -> l.keepAmplitudeAbove(a));
                }
                case "--max-amplitude" -> {
                    float a = maxAmplitude.get(k);
                    yield new Step(name, false, (l, g) -> l.deleteAmplitudeAbove(a));
                }
                case "--shift" -> {
                    double s = shift.get(k);
                    yield new Step(name, false, (l, g) -> l.shift(s));
                }
                case "--shift-range" -> {
                    ShiftRange s = shiftRange.get(k);
                    yield new Step(name, false, (l, g) -> l.shift(s.seconds, s.range.from, s.range.to));
                }
                case "--amplitude" -> {
                    AmplitudeRange s = amplitude.get(k);
                    yield new Step(name, false,
                            (l, g) -> l.scaleAmplitudes(l.indicesInTimeRange(s.range.from, s.range.to), s.factor));
                }
                case "--stretch" -> {
                    double f = stretch.get(k);
                    yield new Step(name, false, (l, g) -> l.stretchTimes(f));
                }
                case "--randomize-vectors" -> new Step(name, true, (l, g) -> l.randomizeVectors(g));
                case "--randomize-times" -> new Step(name, true, (l, g) -> l.randomizeTimes(g));
                case "--drop-silence" -> new Step(name, false, (l, g) -> l.withSilence(Silence.NONE));
                case "--drop-balance" -> new Step(name, false, (l, g) -> l.withBalance(Balance.NONE));
                case "--perturb" -> {
                    float s = perturb.get(k);
                    yield new Step(name, true, (l, g) -> l.perturbRandom(g, s));
                }
                case "--perturb-by" -> {
                    float[] v = perturbBy.get(k);
                    yield new Step(name, false, (l, g) -> l.perturb(v));
                }
                case "--transplant" -> {
                    Transplant t = transplant.get(k);
                    yield new Step(name, false, (l, g) -> l.transplant(SiacFormat.read(t.file), t.range.from, t.range.to, t.at));
                }
                case "--merge-twins" -> {
                    double c = mergeTwins.get(k);
                    yield new Step(name, false, (l, g) -> l.mergeTwins(c));
                }
                case "--precision" -> {
                    Precision p = precision.get(k);
                    yield new Step(name, false, (l, g) -> l.withPrecision(p));
                }
                default -> null; // -o, --seed: settings, not operations
            };
            if (step != null) steps.add(step);
        }
        return steps;
    }

    // ------------------------------------------------------------------------------------------ value syntax

    record TimeRange(double from, double to) {
    }

    record ShiftRange(double seconds, TimeRange range) {
    }

    record AmplitudeRange(float factor, TimeRange range) {
    }

    record Transplant(Path file, TimeRange range, double at) {
    }

    static double number(String s, String what) {
        try {
            double v = Double.parseDouble(s.trim());
            if (!Double.isFinite(v)) throw new TypeConversionException(what + " must be finite, got '" + s + "'");
            return v;
        } catch (NumberFormatException e) {
            throw new TypeConversionException("'" + s + "' is not a number (" + what + ")");
        }
    }

    static TimeRange range(String s) {
        int colon = s.indexOf(':');
        if (colon < 0 || colon != s.lastIndexOf(':')) {
            throw new TypeConversionException("'" + s + "' is not a range FROM:TO (e.g. 1.5:3, :2, 4:)");
        }
        String a = s.substring(0, colon).trim();
        String b = s.substring(colon + 1).trim();
        double from = a.isEmpty() ? Double.NEGATIVE_INFINITY : number(a, "range start");
        double to = b.isEmpty() ? Double.POSITIVE_INFINITY : number(b, "range end");
        if (from > to) throw new TypeConversionException("range '" + s + "' ends before it starts");
        return new TimeRange(from, to);
    }

    static final class RangeConverter implements ITypeConverter<TimeRange> {
        @Override
        public TimeRange convert(String value) {
            return range(value);
        }
    }

    static final class DoubleConverter implements ITypeConverter<Double> {
        @Override
        public Double convert(String value) {
            return number(value, "value");
        }
    }

    static final class FloatConverter implements ITypeConverter<Float> {
        @Override
        public Float convert(String value) {
            float f = (float) number(value, "value");
            if (!Float.isFinite(f)) throw new TypeConversionException("'" + value + "' is out of the float range");
            return f;
        }
    }

    static final class ShiftRangeConverter implements ITypeConverter<ShiftRange> {
        @Override
        public ShiftRange convert(String value) {
            int at = value.indexOf('@');
            if (at < 0) throw new TypeConversionException("'" + value + "' is not SECONDS@FROM:TO (e.g. 0.5@1:2)");
            return new ShiftRange(number(value.substring(0, at), "shift"), range(value.substring(at + 1)));
        }
    }

    static final class AmplitudeRangeConverter implements ITypeConverter<AmplitudeRange> {
        @Override
        public AmplitudeRange convert(String value) {
            int at = value.indexOf('@');
            if (at < 0) throw new TypeConversionException("'" + value + "' is not FACTOR@FROM:TO (e.g. 0.5@1:2)");
            float f = (float) number(value.substring(0, at), "amplitude factor");
            if (!(f >= 0) || !Float.isFinite(f)) {
                throw new TypeConversionException("amplitude factor must be finite and >= 0, got '" + value.substring(0, at) + "'");
            }
            return new AmplitudeRange(f, range(value.substring(at + 1)));
        }
    }

    static final class TransplantConverter implements ITypeConverter<Transplant> {
        @Override
        public Transplant convert(String value) {
            // split from the right: the file name may itself contain '@'
            int last = value.lastIndexOf('@');
            int middle = last <= 0 ? -1 : value.lastIndexOf('@', last - 1);
            if (middle <= 0) {
                throw new TypeConversionException("'" + value + "' is not OTHER.siac@FROM:TO@AT (e.g. b.siac@2:4@0.5)");
            }
            TimeRange r = range(value.substring(middle + 1, last));
            if (r.from == Double.NEGATIVE_INFINITY) {
                throw new TypeConversionException("'" + value + "': the transplant range needs a start");
            }
            return new Transplant(Path.of(value.substring(0, middle)), r, number(value.substring(last + 1), "target time"));
        }
    }

    static final class VectorConverter implements ITypeConverter<float[]> {
        @Override
        public float[] convert(String value) {
            String[] parts = value.split(",", -1);
            float[] v = new float[parts.length];
            for (int i = 0; i < parts.length; i++) {
                v[i] = (float) number(parts[i], "vector value " + i);
                if (!Float.isFinite(v[i])) throw new TypeConversionException("vector value " + i + " is out of the float range");
            }
            return v;
        }
    }

    static final class PrecisionConverter implements ITypeConverter<Precision> {
        @Override
        public Precision convert(String value) {
            try {
                return Precision.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(Messages.oneLine(e));
            }
        }
    }
}
