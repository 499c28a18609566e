package dev.siac.cli;

import ai.djl.pytorch.jni.JniUtils;
import dev.siac.io.Messages;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import picocli.CommandLine.Model.CommandSpec;

/**
 * encode or decode of several files with one loaded model: each IN is written to the output folder under its own
 * name with the output's extension, up to `jobs` files at once (each on a thread of its own with an equal share of
 * libtorch's threads: one greedy encode keeps a core busy no better with two threads than with one). A file that
 * fails gets one line on stderr and no output (outputs are written atomically); the others go on; the exit code is 1
 * if any failed.
 */
final class ManyFiles {
    /** One file's work: writes out, returns the summary line. */
    interface Job {
        String run(CodecSupport cs, Path in, Path out) throws Exception;
    }

    private ManyFiles() {}

    /** Where IN's output goes in folder: its file name with its extension (if any) replaced by ext. */
    static Path outputFor(Path folder, Path in, String ext) {
        String name = in.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return folder.resolve((dot > 0 ? name.substring(0, dot) : name) + ext);
    }

    static int run(CommandSpec spec, List<Path> inputs, Path folder, String ext, int jobs, Path model, Job job) {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<Path> outputs = new ArrayList<>();
        try {
            if (jobs < 1) throw new IllegalArgumentException("--jobs must be at least 1, got " + jobs);
            if (!Files.isDirectory(folder)) {
                throw new IOException(folder + ": with several inputs, -o names a folder to write into; it does not exist");
            }
            Map<Path, Path> seen = new HashMap<>();
            for (Path in : inputs) {
                Path o = outputFor(folder, in, ext);
                Path other = seen.put(o.toAbsolutePath().normalize(), in);
                if (other != null) throw new IOException(in + " and " + other + " would both be written to " + o);
                outputs.add(o);
            }
        } catch (Exception e) {
            return EventFileSupport.fail(spec, e);
        }
        int failed = 0;
        try (CodecSupport cs = CodecSupport.open(model)) {
            int threads = Math.min(jobs, inputs.size());
            int saved = JniUtils.getNumThreads();
            int perJob = Math.max(1, saved / threads);
            if (threads > 1) cs.codec.setDecodeThreads(1); // the files are the parallel work
            ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
                Thread t = new Thread(r, "siac-file");
                t.setDaemon(true);
                return t;
            });
            try {
                List<Future<String>> done = new ArrayList<>();
                for (int i = 0; i < inputs.size(); i++) {
                    Path in = inputs.get(i), o = outputs.get(i);
                    done.add(pool.submit(() -> {
                        JniUtils.setGradMode(false); // a new thread records by default
                        JniUtils.setNumThreads(perJob); // OpenMP's thread count is each thread's own setting
                        return job.run(cs, in, o);
                    }));
                }
                for (int i = 0; i < done.size(); i++) {
                    try {
                        out.println(done.get(i).get());
                        out.flush();
                    } catch (ExecutionException e) {
                        failed++;
                        String line = Messages.oneLine(e.getCause());
                        String name = inputs.get(i).toString();
                        err.println("error: " + (line.contains(name) ? line : name + ": " + line));
                        err.flush();
                    }
                }
            } finally {
                pool.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return EventFileSupport.fail(spec, e);
        } catch (Exception e) {
            return EventFileSupport.fail(spec, e);
        }
        return failed == 0 ? EventFileSupport.EXIT_OK : EventFileSupport.EXIT_ERROR;
    }
}
