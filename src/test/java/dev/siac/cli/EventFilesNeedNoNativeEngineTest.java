package dev.siac.cli;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reading or editing a .siac file must not start libtorch. Checked statically: every project class reachable from
 * the three commands (through the class names in their constant pools) must not mention ai.djl. A future import of
 * a model class into the codec would make this fail.
 */
class EventFilesNeedNoNativeEngineTest {

    private static final Pattern PROJECT_CLASS = Pattern.compile("dev/siac/[A-Za-z0-9_/$]+");

    @Test
    void commandsAndCodecReachNoDjlClass() throws IOException {
        Set<String> seen = new TreeSet<>();
        Deque<String> todo = new ArrayDeque<>();
        for (Class<?> c : new Class<?>[]{InspectCommand.class, ExportCommand.class, EditCommand.class}) {
            todo.add(c.getName().replace('.', '/'));
        }
        while (!todo.isEmpty()) {
            String name = todo.poll();
            if (!seen.add(name)) continue;
            String text = classText(name);
            if (text == null) continue; // a name fragment that is not a class (e.g. a package path in a string)
            assertTrue(!text.contains("ai/djl"), name + " refers to DJL");
            Matcher m = PROJECT_CLASS.matcher(text);
            while (m.find()) todo.add(m.group());
        }
        assertTrue(seen.contains("dev/siac/codec/SiacFormat"), "the scan follows references: " + seen);
        assertTrue(seen.contains("dev/siac/codec/EventList"));
        assertEquals(Set.of(), Set.copyOf(seen.stream().filter(n -> n.startsWith("dev/siac/model")).toList()));
    }

    private static String classText(String internalName) throws IOException {
        try (InputStream in = EventFilesNeedNoNativeEngineTest.class.getClassLoader().getResourceAsStream(internalName + ".class")) {
            return in == null ? null : new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }
}
