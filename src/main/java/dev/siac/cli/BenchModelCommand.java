package dev.siac.cli;

import dev.siac.model.ModelConfig;
import dev.siac.train.StepTimer;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import java.util.Locale;

/** Times `iterative` on one window and one training step for a preset (one JVM per preset keeps peak RSS honest). */
@Command(name = "bench-model", mixinStandardHelpOptions = true,
        description = "Time iterative (one 2^17 window, no grad) and a training step (forward+backward+Adam) for a preset.")
public final class BenchModelCommand implements Callable<Integer> {
    @Option(names = "--preset", defaultValue = "small") String preset;
    @Option(names = "--what", defaultValue = "iterative,train") String what;
    @Option(names = "--batch-size", defaultValue = "2") int batch;
    @Option(names = "--warmup", defaultValue = "1") int warmup;
    @Option(names = "--repeats", defaultValue = "3") int repeats;
    @Option(names = "--chunk", defaultValue = "4") int chunk;
    @Option(names = "--workers", defaultValue = "2") int workers;
    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        ModelConfig c = ModelConfig.presetOrFile(preset);
        ai.djl.engine.Engine.getInstance(); // loads libtorch before asking it anything
        out.printf(Locale.ROOT, "preset %s, threads %d%n", c.preset, ai.djl.pytorch.jni.JniUtils.getNumThreads());
        if (what.contains("iterative")) {
            StepTimer.Timing t = StepTimer.iterative(c, warmup, repeats);
            out.printf(Locale.ROOT, "iterative: median %.3f s (min %.3f, max %.3f) over %d, peak RSS %d MB%n",
                    t.medianSeconds(), t.minSeconds(), t.maxSeconds(), repeats, t.peakRssMb());
        }
        if (what.contains("train")) {
            StepTimer.Timing t = StepTimer.trainStep(c, batch, chunk, workers, warmup, repeats);
            out.printf(Locale.ROOT, "train step (batch %d, %d workers): median %.3f s (min %.3f, max %.3f) over %d, peak RSS %d MB%n",
                    batch, workers, t.medianSeconds(), t.minSeconds(), t.maxSeconds(), repeats, t.peakRssMb());
        }
        out.flush();
        return 0;
    }
}
