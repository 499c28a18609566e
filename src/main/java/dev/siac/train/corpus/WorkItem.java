package dev.siac.train.corpus;

import dev.siac.audio.Signal;
import java.io.IOException;

/**
 * One clip to produce: {@code audio/<source>/<stem>__<variant>.wav}.
 *
 * @param source   output sub-directory, manifest source and share of the size limit ({@code midi}, {@code wesnoth},
 *                 {@code speech}, {@code klettres})
 * @param kind     one of {@link Manifest#KINDS}
 * @param piece    split unit: all items with the same piece land in the same split
 * @param stem     file name before the variant, unique within the source
 * @param variant  variant label ({@code orig} for unaltered material)
 * @param producer makes the audio (22050 Hz mono) when the item is not done yet
 */
public record WorkItem(String source, String kind, String piece, String stem, String variant, Producer producer) {

    /** Renders or decodes the clip; called only for items that still have to be made. */
    @FunctionalInterface
    public interface Producer {
        Signal produce() throws IOException;
    }

    public WorkItem {
        for (String s : new String[] {source, stem, variant}) {
            if (s == null || !s.matches("[A-Za-z0-9][A-Za-z0-9+._-]*") || s.contains("__")) {
                throw new IllegalArgumentException("not a safe file-name part: '" + s + "'");
            }
        }
        Manifest.checkKind(kind);
    }

    /** Path of the output relative to the corpus directory. */
    public String relativePath() {
        return "audio/" + source + "/" + stem + "__" + variant + ".wav";
    }
}
