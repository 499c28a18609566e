package dev.siac.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;

/**
 * What spark-submit gets (target/siac-spark.jar, made by `package`): the service files of every Java Sound provider
 * and DJL's engine merged, gson relocated (Spark 3.5 puts gson 2.2.4 first on the classpath), no Spark or slf4j
 * inside, libtorch and the default model inside.
 */
class ShadedJarIT {
    private static final Path JAR = Path.of("target", "siac-spark.jar");

    private static String text(JarFile jar, String name) throws IOException {
        ZipEntry e = jar.getEntry(name);
        assertNotNull(e, name + " is not in " + JAR);
        return new String(jar.getInputStream(e).readAllBytes(), StandardCharsets.UTF_8);
    }

    @Test
    void theJarMergesServicesRelocatesGsonAndLeavesSparkOut() throws IOException {
        assertTrue(Files.isRegularFile(JAR), JAR + " missing: run mvn -f spark/pom.xml package");
        try (JarFile jar = new JarFile(JAR.toFile())) {
            String readers = text(jar, "META-INF/services/javax.sound.sampled.spi.AudioFileReader");
            for (String p : List.of("org.jflac.sound.spi.FlacAudioFileReader", "javazoom.spi.mpeg.sampled.file.MpegAudioFileReader",
                    "javazoom.spi.vorbis.sampled.file.VorbisAudioFileReader")) assertTrue(readers.contains(p), p + " in\n" + readers);
            String converters = text(jar, "META-INF/services/javax.sound.sampled.spi.FormatConversionProvider");
            for (String p : List.of("org.jflac.sound.spi.FlacFormatConversionProvider",
                    "javazoom.spi.mpeg.sampled.convert.MpegFormatConversionProvider",
                    "javazoom.spi.vorbis.sampled.convert.VorbisFormatConversionProvider")) assertTrue(converters.contains(p), p);
            assertTrue(text(jar, "META-INF/services/ai.djl.engine.EngineProvider").contains("ai.djl.pytorch.engine.PtEngineProvider"));
            assertEquals("dev.siac.spark.Main", jar.getManifest().getMainAttributes().getValue("Main-Class"));

            List<String> names = new ArrayList<>();
            for (ZipEntry e : Collections.list(jar.entries())) names.add(e.getName());
            assertTrue(names.stream().noneMatch(n -> n.startsWith("com/google/gson/")), "gson is not relocated");
            assertTrue(names.contains("dev/siac/shaded/gson/JsonParser.class"));
            for (String prefix : List.of("org/apache/spark/", "scala/", "org/slf4j/", "org/apache/hadoop/")) {
                assertTrue(names.stream().noneMatch(n -> n.startsWith(prefix)), prefix + " belongs to Spark, not the jar");
            }
            assertTrue(names.contains("pytorch/cpu/linux-x86_64/libtorch_cpu.so"), "libtorch travels in the jar");
            assertEquals(Files.size(Path.of("..", "models", "default", "weights.safetensors")),
                    jar.getEntry("dev/siac/spark/default-model/weights.safetensors").getSize());
        }
    }
}
