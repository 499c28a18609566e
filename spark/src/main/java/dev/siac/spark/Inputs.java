package dev.siac.spark;

import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;

/** The files an --input names: a directory (searched recursively), a glob, or one file, on any Hadoop file system. */
final class Inputs {
    /** What siac reads (docs/ARCHITECTURE.md, audio): a directory or a glob contributes files with these extensions. */
    static final Set<String> AUDIO = Set.of("wav", "wave", "aif", "aiff", "aifc", "flac", "mp3", "ogg", "oga");
    static final Set<String> SIAC = Set.of("siac");

    private Inputs() {
    }

    /**
     * One input file.
     *
     * @param path     fully qualified
     * @param relative its path below the input's root (the directory, the part of a glob before its first wildcard,
     *                 or a single file's directory)
     * @param length   bytes
     * @param modified modification time, ms since the epoch
     */
    record File(String path, String relative, long length, long modified) implements Serializable {
        /** The first directory below the root ("" for a file in the root): a corpus keeps one source per directory. */
        String topDirectory() {
            int slash = relative.indexOf('/');
            return slash < 0 ? "" : relative.substring(0, slash);
        }
    }

    static List<File> list(String input, Set<String> extensions, Configuration conf) throws IOException {
        Path pattern = new Path(input);
        FileSystem fs = pattern.getFileSystem(conf);
        FileStatus[] matches = fs.globStatus(pattern);
        if (matches == null || matches.length == 0) throw new IOException(input + ": no such file or directory");
        boolean glob = hasGlob(pattern.toUri().getPath());
        Path root;
        if (glob) {
            Path p = pattern;
            while (p != null && hasGlob(p.toUri().getPath())) p = p.getParent();
            root = fs.makeQualified(p == null ? new Path("/") : p);
        } else {
            root = matches[0].isDirectory() ? matches[0].getPath() : matches[0].getPath().getParent();
        }
        String rootText = root.toString().endsWith("/") ? root.toString() : root + "/";
        List<File> out = new ArrayList<>();
        for (FileStatus m : matches) {
            if (m.isDirectory()) {
                RemoteIterator<LocatedFileStatus> it = fs.listFiles(m.getPath(), true);
                while (it.hasNext()) {
                    LocatedFileStatus f = it.next();
                    if (f.isFile()) add(out, f, rootText, extensions, false);
                }
            } else {
                add(out, m, rootText, extensions, !glob);
            }
        }
        out.sort(Comparator.comparing(File::path));
        return out;
    }

    private static void add(List<File> out, FileStatus f, String rootText, Set<String> extensions, boolean named) {
        String path = f.getPath().toString();
        if (!path.startsWith(rootText)) throw new IllegalStateException(path + " is not below " + rootText);
        String rel = path.substring(rootText.length());
        // hidden and underscore names are Hadoop's and Spark's bookkeeping (temporaries, _SUCCESS, .crc)
        for (String part : rel.split("/")) if (part.startsWith(".") || part.startsWith("_")) return;
        if (!named && !extensions.contains(HadoopIO.lower(extension(rel)))) return;
        out.add(new File(path, rel, f.getLen(), f.getModificationTime()));
    }

    static String extension(String name) {
        int slash = name.lastIndexOf('/'), dot = name.lastIndexOf('.');
        return dot > slash + 1 ? name.substring(dot + 1) : "";
    }

    private static boolean hasGlob(String s) {
        for (char c : s.toCharArray()) if (c == '*' || c == '?' || c == '[' || c == '{' || c == '\\') return true;
        return false;
    }

    /**
     * Where each input's .siac goes: the same relative path below outputDir with the extension replaced by .siac; two
     * inputs that would meet there (a.wav and a.flac) both keep their extension (a.wav.siac, a.flac.siac).
     */
    static Map<String, String> outputs(List<File> files, String outputDir) {
        Map<String, Integer> count = new HashMap<>();
        for (File f : files) count.merge(stem(f.relative()), 1, Integer::sum);
        String dir = outputDir.endsWith("/") ? outputDir : outputDir + "/";
        Map<String, String> out = new HashMap<>();
        for (File f : files) {
            String stem = stem(f.relative());
            out.put(f.path(), dir + (count.get(stem) > 1 ? f.relative() : stem) + ".siac");
        }
        return out;
    }

    private static String stem(String rel) {
        String ext = extension(rel);
        return ext.isEmpty() ? rel : rel.substring(0, rel.length() - ext.length() - 1);
    }
}
