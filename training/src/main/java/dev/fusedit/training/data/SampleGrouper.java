package dev.fusedit.training.data;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Groups consecutive tar members into samples as webdataset does: a member "dir/000123.image.jpg"
 * has the key "dir/000123" (path plus file name up to its first dot) and the extension
 * "image.jpg" (the rest, lower-cased); consecutive members with one key form one sample. Names
 * without a dot in the file name, and webdataset's "__name__" metadata members, belong to no sample.
 * A repeated extension within one sample keeps the first member.
 */
public final class SampleGrouper implements TarShardScanner.MemberSink {

    /** One sample: its key and its members by extension. */
    public record Sample(String key, Map<String, TarShardScanner.Member> members) {}

    private final Consumer<Sample> out;
    private String key;
    private Map<String, TarShardScanner.Member> members;

    public SampleGrouper(Consumer<Sample> out) {
        this.out = out;
    }

    @Override
    public void accept(TarShardScanner.Member m) {
        String name = m.name();
        int slash = name.lastIndexOf('/');
        String file = name.substring(slash + 1);
        if (slash < 0 && file.startsWith("__") && file.endsWith("__")) return;
        int dot = file.indexOf('.');
        if (dot <= 0 || dot == file.length() - 1) return;
        String memberKey = name.substring(0, slash + 1 + dot);
        String extension = file.substring(dot + 1).toLowerCase(Locale.ROOT);
        if (!memberKey.equals(key)) {
            finish();
            key = memberKey;
            members = new LinkedHashMap<>();
        }
        members.putIfAbsent(extension, m);
    }

    /** Emits the sample in progress; call once after the last member. */
    public void finish() {
        if (key != null) out.accept(new Sample(key, members));
        key = null;
        members = null;
    }

    /** Drops the sample in progress (when the tar ended damaged); whether there was one. */
    public boolean discard() {
        boolean had = key != null;
        key = null;
        members = null;
        return had;
    }

    /** The member of {@code sample} for a configured column such as "jpg" or "image.jpg" (matched case-insensitively). */
    public static TarShardScanner.Member column(Sample sample, String column) {
        return sample.members().get(column.toLowerCase(Locale.ROOT));
    }
}
