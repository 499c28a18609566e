package dev.siac.spark;

import java.io.IOException;
import java.net.URI;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * The local disk under another scheme ("siactest:"): what the job does for hdfs:, s3a: and other non-local file
 * systems (inputs copied to local disk, model copied, outputs renamed into place) runs on it without a cluster.
 */
public class SchemeFs extends RawLocalFileSystem {
    static final String SCHEME = "siactest";

    @Override
    public URI getUri() {
        return URI.create(SCHEME + ":///");
    }

    @Override
    public String getScheme() {
        return SCHEME;
    }

    // the local file system reads permissions through a java.io.File made from the path's URI, which must be file:
    @Override
    public FileStatus getFileStatus(Path p) throws IOException {
        return plain(super.getFileStatus(p));
    }

    @Override
    public FileStatus[] listStatus(Path p) throws IOException {
        FileStatus[] all = super.listStatus(p);
        for (int i = 0; i < all.length; i++) all[i] = plain(all[i]);
        return all;
    }

    private static FileStatus plain(FileStatus s) {
        return new FileStatus(s.getLen(), s.isDirectory(), 1, s.getBlockSize(), s.getModificationTime(), s.getPath());
    }
}
