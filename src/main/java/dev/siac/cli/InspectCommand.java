package dev.siac.cli;

import com.google.gson.Gson;
import dev.siac.codec.Balance;
import dev.siac.codec.Event;
import dev.siac.codec.EventList;
import dev.siac.codec.SiacFormat;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import static dev.siac.cli.EventFileSupport.fmt;

/** Shows what a .siac file holds, for people (table) or programs (JSON, CSV). Never loads the model. */
@Command(name = "inspect", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
                "Show the header and the events of a .siac file.",
                "The default is a table: a header summary (duration, events, events/s, kbps, precision, model id)"
                        + " then one line per event: index, time (s), amplitude, vector norm and the first vector values.",
                "--json prints everything (header, silent spans, band balance and every vector value);"
                        + " --csv prints one row per event."})
public final class InspectCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "IN.siac", description = "the event file")
    Path input;

    @ArgGroup(exclusive = true)
    Format format;

    static final class Format {
        @Option(names = "--json", description = "machine-readable dump: header and events with all vector values")
        boolean json;

        @Option(names = "--csv", description = "one row per event: index,sample,time_s,amplitude,v0..v{dim-1}")
        boolean csv;
    }

    @Option(names = "--values", paramLabel = "N", defaultValue = "4",
            description = "vector values shown per event in the table (default: ${DEFAULT-VALUE})")
    int shownValues;

    @Override
    public Integer call() {
        try {
            EventList list = SiacFormat.read(input);
            long bytes = EventFileSupport.sizeOf(input);
            PrintWriter out = spec.commandLine().getOut();
            if (format != null && format.json) {
                json(out, list, bytes);
            } else if (format != null && format.csv) {
                csv(out, list);
            } else {
                table(out, list, bytes);
            }
            out.flush();
            return EventFileSupport.EXIT_OK;
        } catch (IOException | RuntimeException e) {
            return EventFileSupport.fail(spec, e);
        }
    }

    private void table(PrintWriter out, EventList list, long bytes) {
        out.println(fmt("file        %s", input));
        out.println(fmt("duration    %.3f s (%d samples at %d Hz)", list.durationSeconds(), list.lengthSamples(), list.sampleRate()));
        out.println(fmt("events      %d (%.2f per second)", list.size(), list.eventsPerSecond()));
        out.println(fmt("size        %d bytes (%.2f kbps)", bytes, EventFileSupport.kbps(bytes, list)));
        out.println(fmt("precision   %s", list.precision().label()));
        out.println(fmt("vector dim  %d", list.vectorDim()));
        out.println(fmt("gain        %s", list.gain()));
        out.println(fmt("model       %s", list.modelId().isEmpty() ? "none" : list.modelId().substring(0, 16) + "..."));
        out.println(fmt("silence     %d span%s, %.3f s decoded as zeros", list.silence().count(),
                list.silence().count() == 1 ? "" : "s", list.seconds(list.silence().totalSamples())));
        if (!list.balance().isEmpty()) out.println(fmt("balance     %s", list.balance()));
        out.println();
        int shown = Math.max(0, Math.min(shownValues, list.vectorDim()));
        out.println(fmt("%6s %11s %11s %9s  %s", "index", "time_s", "amplitude", "norm",
                shown == 0 ? "" : "vector[0.." + (shown - 1) + "]"));
        List<Event> events = list.events();
        for (int i = 0; i < events.size(); i++) {
            Event e = events.get(i);
            StringBuilder line = new StringBuilder(fmt("%6d %11.4f %11.5g %9.4g ", i, list.seconds(e.time()), e.amplitude(), e.norm()));
            for (int d = 0; d < shown; d++) line.append(fmt(" %9.4f", e.vector()[d]));
            if (shown < list.vectorDim()) line.append(" ...");
            out.println(line.toString().stripTrailing());
        }
    }

    private void json(PrintWriter out, EventList list, long bytes) {
        Gson gson = new Gson();
        out.println("{");
        out.println("  \"file\": " + gson.toJson(input.toString()) + ",");
        out.println("  \"format_version\": " + SiacFormat.versionOf(list) + ",");
        out.println("  \"sample_rate\": " + list.sampleRate() + ",");
        out.println("  \"length_samples\": " + list.lengthSamples() + ",");
        out.println("  \"duration_seconds\": " + list.durationSeconds() + ",");
        out.println("  \"gain\": " + list.gain() + ",");
        out.println("  \"vector_dim\": " + list.vectorDim() + ",");
        out.println("  \"precision\": " + gson.toJson(list.precision().label()) + ",");
        out.println("  \"model_id\": " + gson.toJson(list.modelId()) + ",");
        out.println("  \"event_count\": " + list.size() + ",");
        out.println("  \"events_per_second\": " + list.eventsPerSecond() + ",");
        out.println("  \"bytes\": " + bytes + ",");
        out.println("  \"kbps\": " + EventFileSupport.kbps(bytes, list) + ",");
        StringBuilder spans = new StringBuilder("  \"silence\": [");
        for (int i = 0; i < list.silence().count(); i++) {
            spans.append(i == 0 ? "" : ", ").append('[').append(list.silence().start(i)).append(", ").append(list.silence().end(i)).append(']');
        }
        out.println(spans.append("],"));
        out.println("  \"balance\": " + balanceJson(list.balance()) + ",");
        out.print("  \"events\": [");
        List<Event> events = list.events();
        for (int i = 0; i < events.size(); i++) {
            Event e = events.get(i);
            // one event per line: diffable and still valid JSON; floats print in Java's shortest round-trip form
            StringBuilder s = new StringBuilder(i == 0 ? "\n" : ",\n");
            s.append("    {\"index\": ").append(i)
                    .append(", \"sample\": ").append(e.time())
                    .append(", \"time\": ").append(list.seconds(e.time()))
                    .append(", \"amplitude\": ").append(e.amplitude())
                    .append(", \"vector\": [");
            float[] v = e.vector();
            for (int d = 0; d < v.length; d++) {
                if (d > 0) s.append(", ");
                s.append(v[d]);
            }
            s.append("]}");
            out.print(s);
        }
        out.println(events.isEmpty() ? "]" : "\n  ]");
        out.println("}");
    }

    /** The keys of docs/FORMAT.md's reference reader: hop, lowest_hz, bands, codes (one array per frame); or null. */
    static String balanceJson(Balance b) {
        if (b.isEmpty()) return "null";
        StringBuilder s = new StringBuilder("{\"hop\": ").append(b.hop())
                .append(", \"lowest_hz\": ").append(b.lowestHz())
                .append(", \"bands\": ").append(b.bands())
                .append(", \"codes\": [");
        for (int m = 0; m < b.frames(); m++) {
            s.append(m == 0 ? "[" : ", [");
            for (int i = 0; i < b.bands(); i++) s.append(i == 0 ? "" : ", ").append(b.code(m, i));
            s.append(']');
        }
        return s.append("]}").toString();
    }

    private static void csv(PrintWriter out, EventList list) {
        StringBuilder head = new StringBuilder("index,sample,time_s,amplitude");
        for (int d = 0; d < list.vectorDim(); d++) head.append(",v").append(d);
        out.println(head);
        List<Event> events = list.events();
        for (int i = 0; i < events.size(); i++) {
            Event e = events.get(i);
            StringBuilder s = new StringBuilder();
            s.append(i).append(',').append(e.time()).append(',').append(list.seconds(e.time())).append(',').append(e.amplitude());
            for (float x : e.vector()) s.append(',').append(x);
            out.println(s);
        }
    }
}
