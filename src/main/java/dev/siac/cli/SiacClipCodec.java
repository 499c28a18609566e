package dev.siac.cli;

import dev.siac.audio.Signal;
import dev.siac.codec.Codec;
import dev.siac.codec.Precision;
import dev.siac.codec.EventList;
import dev.siac.codec.SiacFormat;
import dev.siac.eval.ClipCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** siac as one of the codecs `siac eval` measures: encode to bytes, read them back, decode. */
final class SiacClipCodec implements ClipCodec {
    private final CodecSupport cs;
    private final Codec.Options options;

    SiacClipCodec(CodecSupport cs, Codec.Options options) {
        this.cs = cs;
        this.options = options;
    }

    static ClipCodec forModel(Path dir) {
        return forModel(dir, null, 0, null, null, null, true, false, true, null, null);
    }

    static ClipCodec forModel(Path dir, Integer maxEvents, int refineSteps, Precision precision, Double mergeTwins,
                              Double mergeWithinMs, boolean levelFit, boolean eventGains, boolean balance,
                              String balanceLevel, Integer balanceSplit) {
        try {
            CodecSupport cs = CodecSupport.open(dir);
            Codec.Options d = Codec.Options.defaults(cs.model.config);
            if (maxEvents != null) {
                if (maxEvents < 1) throw new IllegalArgumentException("--max-events-per-window must be at least 1");
                d = new Codec.Options(maxEvents, d.stopBelow(), d.precision(), 0, Codec.Options.DEFAULT_REFINE_LR, 0,
                        d.mergeCosine(), d.mergeWithinSamples());
            }
            if (precision != null) {
                d = new Codec.Options(d.maxEventsPerWindow(), d.stopBelow(), precision, 0, Codec.Options.DEFAULT_REFINE_LR, 0,
                        d.mergeCosine(), d.mergeWithinSamples());
            }
            d = d.withRefine(refineSteps, Codec.Options.DEFAULT_REFINE_LR);
            if (mergeTwins != null) d = d.withMergeTwins(mergeTwins);
            if (mergeWithinMs != null) d = d.withMergeWithin((int) Math.round(mergeWithinMs / 1000 * cs.model.config.sampleRate));
            if (eventGains && !levelFit) throw new IllegalArgumentException("--event-gains refines the level fit: not with --no-level-fit");
            // the balance is measured on the level fit's decode: --no-level-fit stores none
            d = d.withLevelFit(levelFit).withEventGains(eventGains).withBalance(balance && levelFit);
            Double level = EncodeCommand.checkBalanceFlags(balanceLevel, balanceSplit, d.balance());
            if (level != null) d = d.withBalanceLevel(level);
            if (balanceSplit != null) d = d.withBalanceSplit(balanceSplit);
            return new SiacClipCodec(cs, d);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String name() {
        String name = options.precision() == Codec.Options.DEFAULT_PRECISION ? "siac" : "siac-" + options.precision().label();
        Codec.Options d = Codec.Options.defaults(cs.model.config);
        if (options.mergeCosine() >= Codec.Options.NO_MERGE) {
            name += "-nomerge";
        } else if (options.mergeCosine() != d.mergeCosine() || options.mergeWithinSamples() != d.mergeWithinSamples()) {
            name += "-merge" + Math.round(options.mergeWithinSamples() * 1000.0 / cs.model.config.sampleRate)
                    + (options.mergeCosine() != d.mergeCosine() ? "c" + options.mergeCosine() : "");
        }
        if (!options.levelFit()) name += "-nofit";
        if (options.eventGains()) name += "-eventgains";
        if (options.levelFit() && !options.balance()) name += "-nobalance";
        if (options.balance() && options.balanceSplit() != d.balanceSplit()) name += "-split" + options.balanceSplit();
        if (options.balance() && options.balanceLevelDb() != d.balanceLevelDb()) {
            name += "-level" + (Double.isFinite(options.balanceLevelDb())
                    ? java.math.BigDecimal.valueOf(options.balanceLevelDb()).stripTrailingZeros().toPlainString() : "off");
        }
        return options.refineSteps() > 0 ? name + "-refine" + options.refineSteps() : name;
    }

    @Override
    public CodecResult run(Signal clip) throws Exception {
        long t0 = System.nanoTime();
        Codec.Result r = cs.siac.encode(clip.samples(), options);
        byte[] bytes = SiacFormat.toBytes(r.events());
        double enc = (System.nanoTime() - t0) / 1e9;
        long t1 = System.nanoTime();
        EventList back = SiacFormat.fromBytes(bytes, "siac");
        float[] y = cs.codec.decode(back);
        double dec = (System.nanoTime() - t1) / 1e9;
        return new CodecResult(new Signal(y, clip.sampleRate()), bytes.length, back.size(), r.energyRemoved(), enc, dec,
                back);
    }
}
