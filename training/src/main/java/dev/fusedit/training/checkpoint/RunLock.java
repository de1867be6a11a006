package dev.fusedit.training.checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One trainer per output folder: a lock on OUT/.lock held for the run's life. Two trainers on the
 * same folder would interleave checkpoints and append to one metrics.jsonl, so the second is
 * refused. The operating system releases the lock when its process dies, so a killed run never
 * leaves a stale lock behind to be cleaned by hand.
 */
public final class RunLock implements AutoCloseable {
    public static final String FILE = ".lock";

    private final FileChannel channel;
    private final FileLock lock;

    private RunLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** Takes the lock of {@code out} (created if missing), or fails naming the folder and the holder. */
    public static RunLock acquire(Path out) throws IOException {
        Files.createDirectories(out);
        Path file = out.resolve(FILE);
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (OverlappingFileLockException sameProcess) {
            lock = null;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        if (lock == null) {
            String holder = holder(ch);
            ch.close();
            throw new IOException(out + ": another trainer is writing to this folder" + (holder.isEmpty() ? "" : " (process " + holder + ")")
                    + "; wait for it to finish or give another --out (the lock is " + file + ")");
        }
        ch.truncate(0);
        ch.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
        return new RunLock(ch, lock);
    }

    private static String holder(FileChannel ch) {
        try {
            ByteBuffer buf = ByteBuffer.allocate(32);
            ch.read(buf, 0);
            return new String(buf.array(), 0, buf.position(), StandardCharsets.US_ASCII).trim();
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public void close() throws IOException {
        try {
            lock.release();
        } finally {
            channel.close();
        }
    }
}
