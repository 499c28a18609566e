package dev.siac.cli;

import dev.siac.io.AtomicFiles;
import dev.siac.model.ModelConfig;
import dev.siac.model.Models;
import dev.siac.model.ReferenceWeights;
import dev.siac.model.Safetensors;
import dev.siac.model.TorchFormat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * Weights both ways between siac and the reference PyTorch implementation: a {@code torch.save} state dict (or a
 * safetensors file of one) becomes a model directory, and a model directory becomes a state dict the reference loads
 * with {@code load_state_dict(sd, strict=False)}. Needs no Python and starts no native engine.
 */
@Command(name = "convert", mixinStandardHelpOptions = true,
        description = {"Exchange weights with the reference PyTorch implementation (JohnVinyard/matching-pursuit).",
                "FILE (torch.save state dict or safetensors) -o MODEL_DIR, or MODEL_DIR --to torch -o FILE."})
public final class ConvertCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "INPUT", description = "a checkpoint file, or a model directory with --to torch")
    Path input;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT", description = "model directory (--to siac) or state-dict file (--to torch)")
    Path output;

    @Option(names = "--to", paramLabel = "siac|torch", description = "what to write (default: torch for a model directory, siac for a file)")
    String to;

    @Option(names = "--config", paramLabel = "PRESET|FILE",
            description = "sizes the weights do not tell (window, events per window, ...): a preset or config JSON"
                    + " (default: the bundled preset every shape matches, else paper with the checkpoint's sizes)")
    String config;

    @Option(names = "--f16", description = "store the model directory's weights as float16")
    boolean f16;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        try {
            if (!Files.exists(input)) throw new IOException(input + ": not found");
            String target = to != null ? to : Files.isDirectory(input) ? "torch" : "siac";
            switch (target) {
                case "siac" -> toSiac();
                case "torch" -> toTorch();
                default -> throw new IOException("--to " + to + ": expected siac or torch");
            }
            return 0;
        } catch (Exception e) {
            return EventFileSupport.fail(spec, e);
        }
    }

    private void toSiac() throws IOException {
        if (Files.isDirectory(input)) throw new IOException(input + ": is a directory; convert reads a checkpoint file (--to torch exports a model directory)");
        if (Files.exists(output) && !Files.isDirectory(output)) throw new IOException(output + ": exists and is not a directory");
        ModelConfig base = config == null ? null : ModelConfig.presetOrFile(config);
        ReferenceWeights.Converted c = ReferenceWeights.toSiac(ReferenceWeights.readCheckpoint(input), base, input.toString());
        String rooms = c.roomIrsFromCheckpoint()
                ? "checkpoint"
                : "generated (RoomBank, seed " + c.config().roomSeed + ")";
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("converted_from", input.getFileName().toString());
        meta.put("source_sha256", Models.sha256(input));
        meta.put("room_irs", rooms);
        String card = card(c, meta.get("source_sha256"));
        Map<String, AtomicFiles.Content> extra = Map.of("MODEL_CARD.md", tmp -> Files.writeString(tmp, card, StandardCharsets.UTF_8));
        boolean created = !Files.exists(output);
        try {
            Models.write(c.config(), c.tensors(), meta, extra, output, f16 ? Safetensors.DType.F16 : Safetensors.DType.F32);
        } catch (IOException | RuntimeException e) {
            if (created) deleteIfEmpty(output);
            throw e;
        }
        spec.commandLine().getOut().printf(Locale.ROOT, "%s: siac model, %s; %d tensors; room IRs: %s%s%s; model id %s%n", output,
                c.basis(), c.tensors().size(), c.roomIrsFromCheckpoint() ? "from the checkpoint" : rooms,
                c.skipped().isEmpty() ? "" : "; skipped " + c.skipped().size() + " unused BatchNorm tensors",
                c.renamed().isEmpty() ? "" : "; renamed " + c.renamed().size() + " weight_g/weight_v",
                Models.modelId(output).substring(0, 12));
    }

    private static void deleteIfEmpty(Path dir) {
        try {
            Files.deleteIfExists(dir); // only succeeds when nothing is in it
        } catch (IOException ignored) {
            // it holds something: not ours to remove
        }
    }

    private static String card(ReferenceWeights.Converted c, String sha) {
        StringBuilder s = new StringBuilder();
        s.append("# Converted model\n\n");
        s.append("Converted by `siac convert` from a PyTorch checkpoint of the reference implementation (or a file of the\n");
        s.append("same names), SHA-256 `").append(sha).append("`.\n\n");
        s.append("- Sizes: ").append(c.basis()).append(" (`config.json`).\n");
        if (c.roomIrsFromCheckpoint()) {
            s.append("- Room IRs: taken from the checkpoint (`resonance.verb.items`, ").append(c.config().nRoomIrs)
                    .append(" x ").append(c.config().eventLength()).append(").\n");
        } else {
            s.append("- Room IRs: the checkpoint has none (`resonance.verb.items`), so they are siac's generated bank (RoomBank, ")
                    .append(c.config().nRoomIrs).append(" rooms, seed ").append(c.config().roomSeed)
                    .append("), not the rooms the model was trained with: the room part of every event sounds different.\n");
        }
        if (!c.skipped().isEmpty()) s.append("- Skipped: ").append(c.skipped().size()).append(" unused BatchNorm tensors of the encoder.\n");
        if (!c.renamed().isEmpty()) {
            s.append("- Renamed: ").append(c.renamed().size()).append(" weight-norm tensors (`weight_g`/`weight_v` ->")
                    .append(" `parametrizations.weight.original0/original1`).\n");
        }
        return s.toString();
    }

    private void toTorch() throws IOException {
        if (!Files.isDirectory(input)) throw new IOException(input + ": --to torch exports a model directory, and this is not one");
        if (config != null) throw new IOException("--config applies to --to siac only (a model directory has its config)");
        EventFileSupport.checkOutput(input, output, 0);
        Map<String, Safetensors.Tensor> tensors = ReferenceWeights.readModelDir(input);
        AtomicFiles.write(output, tmp -> TorchFormat.write(tmp, tensors));
        spec.commandLine().getOut().printf(Locale.ROOT,
                "%s: torch state dict, %d tensors, %.1f MB; in Python: model.load_state_dict(torch.load('%s'), strict=False)%n",
                output, tensors.size(), Files.size(output) / 1e6, output.getFileName());
    }
}
