package io.oci2cfs.batch;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.oci2cfs.error.BadInputException;
import io.oci2cfs.image.Platform;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A JOBS file: one job per line, either {@code SOURCE IMAGE} separated by white space, or a JSON object
 * {@code {"source": ..., "image": ..., "platform": ..., "perLayer": ...}} (for names with spaces, or a job's
 * own platform or per-layer directory). Lines starting with {@code #} and blank lines are skipped. Two jobs
 * may not write one image.
 */
public final class JobsFile {
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private JobsFile() {
    }

    /** The JSON form of a line. */
    record Line(String source, String image, String platform, String perLayer) {
    }

    /** Reads every job; {@code name} names the input in errors ({@code NAME:LINE: reason}). */
    public static List<Job> read(Reader in, String name) throws IOException {
        List<Job> jobs = new ArrayList<>();
        Map<Path, Integer> images = new HashMap<>();
        BufferedReader r = new BufferedReader(in);
        int lineNo = 0;
        for (String line; (line = r.readLine()) != null; ) {
            lineNo++;
            String t = line.strip();
            if (t.isEmpty() || t.startsWith("#")) {
                continue;
            }
            String where = name + ":" + lineNo;
            Job job;
            try {
                job = t.startsWith("{") ? fromJson(jobs.size(), t) : fromWords(jobs.size(), t);
            } catch (IllegalArgumentException e) {
                throw new BadInputException(where + ": " + e.getMessage().replaceFirst("^job \\d+: ", ""), e);
            }
            Integer earlier = images.putIfAbsent(job.image().toAbsolutePath().normalize(), lineNo);
            if (earlier != null) {
                throw new BadInputException(where + ": image " + job.image() + " is also written by line " + earlier);
            }
            jobs.add(job);
        }
        return jobs;
    }

    private static Job fromWords(int position, String line) {
        String[] words = line.split("\\s+");
        if (words.length != 2) {
            throw new IllegalArgumentException("expected SOURCE IMAGE (or a JSON object), got " + words.length
                    + " word" + (words.length == 1 ? "" : "s"));
        }
        return Job.of(position, words[0], Path.of(words[1]));
    }

    private static Job fromJson(int position, String line) {
        Line l;
        try {
            l = JSON.readValue(line, Line.class);
        } catch (UnrecognizedPropertyException e) {
            throw new IllegalArgumentException("unknown field \"" + e.getPropertyName()
                    + "\" (expected source, image, platform, perLayer)");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("not a JSON job: " + e.getOriginalMessage());
        }
        if (l.source() == null || l.image() == null) {
            throw new IllegalArgumentException("a JSON job needs \"source\" and \"image\"");
        }
        return new Job(position, l.source(), Path.of(l.image()),
                l.platform() == null ? null : Platform.parse(l.platform()),
                l.perLayer() == null ? null : Path.of(l.perLayer()));
    }
}
