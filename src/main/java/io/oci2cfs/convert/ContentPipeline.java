package io.oci2cfs.convert;

import io.oci2cfs.error.BadInputException;
import io.oci2cfs.error.EnvironmentException;
import io.oci2cfs.error.ErrorText;
import io.oci2cfs.store.Transaction;
import io.oci2cfs.tree.ContentRef;
import java.io.IOException;
import java.io.InputStream;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Hashes and stores file contents as a Reactor pipeline: the parser feeds a layer's members (see {@link
 * #submit}) into a {@link BlockingFeed}, and {@link #hash} stores their contents on the {@link HashingPool}'s
 * workers, many at once, giving each member back with its {@link ContentRef} in the order fed.
 *
 * <p>Two bounds keep memory flat. Members in flight per layer are the demand {@link #hash} makes ({@link
 * HashingPool#capacity()}); the parser waits for it. Their bytes are bounded by the pool's byte budget, shared
 * by every layer and conversion on the pool: Reactor's demand counts items, and a file's bytes are read
 * before it is an item. A file that fits in one chunk is hashed in memory before anything is written, so
 * content the store already has is never written again. A large file is read chunk by chunk, each taken from
 * the budget, and written in order by one worker at a time ({@code publishOn}); no worker waits for the next
 * chunk, so pipelines sharing a pool cannot stall it.
 */
public final class ContentPipeline implements AutoCloseable {
    static final int CHUNK = 256 * 1024;
    /** What a waiting small file costs in heap besides its bytes (member, closures, queue nodes), rounded up. */
    static final int TASK_OVERHEAD = 256;
    /** Chunks a large file's writer takes from its queue at once; their bytes are in the budget already. */
    private static final int CHUNKS_AHEAD = 8;

    private final Transaction tx;
    private final HashingPool pool;
    private final boolean ownsPool;
    /** Writes into the transaction under way; {@link #close} and {@link #awaitWrites} wait for none. */
    private final AtomicInteger writing = new AtomicInteger();
    /** Budget taken and not yet given back, so that {@link #close} gives back whatever was dropped. */
    private final Set<Charge> charges = ConcurrentHashMap.newKeySet();
    private final Set<LargeFile> open = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /** A pipeline with a pool of its own. */
    public ContentPipeline(Transaction tx, int threads, long memoryBudget) {
        this(tx, new HashingPool(threads, memoryBudget), true);
    }

    /** A pipeline on a shared pool, which it leaves running at {@link #close}. */
    public ContentPipeline(Transaction tx, HashingPool pool) {
        this(tx, pool, false);
    }

    private ContentPipeline(Transaction tx, HashingPool pool, boolean ownsPool) {
        this.tx = tx;
        this.pool = pool;
        this.ownsPool = ownsPool;
    }

    /** A budget that suits the heap: a quarter of it, at most 64 MiB. */
    public static long defaultBudget() {
        return Math.min(64L << 20, Runtime.getRuntime().maxMemory() / 4);
    }

    /** One member as the parser hands it over: {@code tag} and its content (null: not a regular file). */
    record Member<T>(T tag, Content content) {
        static <T> Member<T> of(T tag) {
            return new Member<>(tag, null);
        }

        /** Gives back what the member holds, when it is dropped instead of stored. */
        void discard() {
            if (content != null) {
                content.discard();
            }
        }
    }

    /** A member with its stored content (null for one that is not a regular file). */
    record Hashed<T>(T tag, ContentRef ref) {
    }

    /** A regular file's content, as read by the parser. */
    sealed interface Content {
        default void discard() {
        }
    }

    private record Inline(ContentRef ref) implements Content {
    }

    private record Small(String what, byte[] data, Charge charge, AtomicBoolean cancelled) implements Content {
        @Override
        public void discard() {
            charge.release();
        }
    }

    /**
     * Stores the members' contents on the pool's workers, at most {@link HashingPool#capacity()} members at
     * once, and gives them back in the order they came, each with its content's reference. The first failure
     * ends the Flux (and cancels the members still in flight; {@link #awaitWrites} waits for any write they
     * had begun).
     */
    <T> Flux<Hashed<T>> hash(Flux<Member<T>> members) {
        return members.flatMapSequential(this::store, pool.capacity(), 1);
    }

    private <T> Mono<Hashed<T>> store(Member<T> m) {
        if (m.content() == null) {
            return Mono.just(new Hashed<>(m.tag(), null));
        }
        Mono<ContentRef> stored;
        if (m.content() instanceof Small s) {
            stored = Mono.fromCallable(() -> storeSmall(s))
                    .subscribeOn(pool.scheduler())
                    .doOnCancel(() -> s.cancelled().set(true))
                    .doFinally(x -> s.charge().release()); // when cancelled before it ran
        } else if (m.content() instanceof LargeFile f) {
            stored = f.store();
        } else {
            stored = Mono.just(((Inline) m.content()).ref());
        }
        return stored.map(ref -> new Hashed<>(m.tag(), ref));
    }

    private ContentRef storeSmall(Small s) throws IOException {
        enter(s.what(), s.cancelled());
        try {
            return ContentRef.stored(tx.put(s.data(), s.data().length), s.data().length);
        } catch (IOException e) {
            throw notStored(s.what(), e);
        } finally {
            exit();
            s.charge().release();
        }
    }

    /**
     * Reads exactly {@code size} bytes of {@code content} on the calling thread and feeds {@code tag} with
     * them to {@code feed}; a large file is fed first and its chunks follow, each waiting for room in the
     * budget. Once the feed's subscriber has cancelled, the content is left unread. {@code what} names the
     * file in errors.
     */
    <T> void submit(String what, T tag, long size, InputStream content, BlockingFeed<Member<T>> feed)
            throws IOException {
        if (feed.cancelled()) {
            return;
        }
        if (size <= CHUNK) {
            feed.next(take(what, tag, size, content));
            return;
        }
        LargeFile file = new LargeFile(what, size);
        feed.next(new Member<>(tag, file));
        file.feed(content);
    }

    /** A member whose content fits in one chunk, read on the calling thread (waiting for budget). */
    <T> Member<T> take(String what, T tag, long size, InputStream content) throws IOException {
        if (ContentRef.fitsInline(size)) {
            return new Member<>(tag, new Inline(ContentRef.inline(readFully(what, content, (int) size))));
        }
        if (size > CHUNK) {
            throw new IllegalArgumentException(what + ": " + size + " bytes is more than one chunk");
        }
        // Each waiting file costs a member besides its bytes; charging that too bounds how many small files
        // can wait, not just their bytes.
        Charge charge = charge((int) size + TASK_OVERHEAD);
        try {
            return new Member<>(tag, new Small(what, readFully(what, content, (int) size), charge,
                    new AtomicBoolean()));
        } catch (IOException | RuntimeException e) {
            charge.release();
            throw e;
        }
    }

    /** Budget taken for one small file or chunk; given back once, whichever path gives it back first. */
    private final class Charge {
        private final int bytes;
        private final AtomicBoolean released = new AtomicBoolean();

        Charge(int bytes) {
            this.bytes = bytes;
        }

        void release() {
            if (released.compareAndSet(false, true)) {
                charges.remove(this);
                pool.release(bytes);
            }
        }
    }

    private Charge charge(int bytes) throws IOException {
        pool.acquire(bytes);
        Charge c = new Charge(bytes);
        charges.add(c);
        return c;
    }

    private record Chunk(byte[] data, Charge charge) {
    }

    /**
     * One large file on its way to the store: the parser emits its chunks into a queue of its own, and
     * whenever chunks are waiting one worker writes them, in order, and returns to the pool once the queue is
     * empty ({@code publishOn} on the pool's scheduler).
     */
    private final class LargeFile implements Content {
        private final String what;
        private final long size;
        private final Sinks.Many<Chunk> chunks = Sinks.many().unicast().onBackpressureBuffer();
        private final AtomicBoolean cancelled = new AtomicBoolean();
        // Touched only by the worker writing chunks: publishOn runs one drain at a time.
        private Transaction.StreamedObject obj;
        private long got;

        LargeFile(String what, long size) {
            this.what = what;
            this.size = size;
        }

        /** Reads the content chunk by chunk into the queue; ends the queue with the content or its failure. */
        void feed(InputStream content) throws IOException {
            long left = size;
            try {
                while (left > 0) {
                    int n = (int) Math.min(CHUNK, left);
                    Charge charge = charge(n);
                    byte[] data;
                    try {
                        data = readFully(what, content, n);
                    } catch (IOException | RuntimeException e) {
                        charge.release();
                        throw e;
                    }
                    if (chunks.tryEmitNext(new Chunk(data, charge)).isFailure()) {
                        charge.release();
                    }
                    left -= n;
                }
                chunks.tryEmitComplete();
            } catch (IOException | RuntimeException e) {
                chunks.tryEmitError(new IOException(what + ": content not read to its end", e));
                throw e;
            }
        }

        /** Not stored after all: its chunks, those queued and those still to come, give their budget back. */
        @Override
        public void discard() {
            chunks.asFlux().subscribe(c -> c.charge().release(), e -> { });
        }

        Mono<ContentRef> store() {
            return chunks.asFlux()
                    .publishOn(pool.scheduler(), CHUNKS_AHEAD)
                    .<Void>handle((c, sink) -> {
                        try {
                            write(c);
                        } catch (IOException e) {
                            sink.error(e);
                        }
                    })
                    .then(Mono.fromCallable(this::finish))
                    .doOnError(e -> close())
                    .doOnCancel(() -> cancelled.set(true))
                    .doOnDiscard(Chunk.class, c -> c.charge().release());
        }

        private void write(Chunk c) throws IOException {
            try {
                enter(what, cancelled);
                try {
                    if (obj == null) {
                        open.add(this);
                        obj = tx.stream();
                    }
                    obj.write(c.data(), 0, c.data().length);
                    got += c.data().length;
                } catch (IOException e) {
                    throw notStored(what, e);
                } finally {
                    exit();
                }
            } finally {
                c.charge().release();
            }
        }

        private ContentRef finish() throws IOException {
            try {
                if (got != size) {
                    throw new IOException(what + ": content cut short");
                }
                enter(what, cancelled);
                try {
                    return ContentRef.stored(obj.finish(), size);
                } catch (IOException e) {
                    throw notStored(what, e);
                } finally {
                    exit();
                }
            } finally {
                close();
            }
        }

        /** Closes the object (dropping it unless finished); the temporary file goes with the staging directory anyway. */
        void close() {
            open.remove(this);
            if (obj != null) {
                try {
                    obj.close();
                } catch (IOException ignored) {
                    // removed with the staging directory
                }
            }
        }
    }

    /** Starts a write into the transaction, unless the pipeline is closed or the file's store was cancelled. */
    private void enter(String what, AtomicBoolean cancelled) throws IOException {
        writing.incrementAndGet();
        // Checked after counting the write: whoever sets either flag and then sees no write under way knows
        // that none will start.
        if (closed || cancelled.get()) {
            exit();
            throw new IOException(what + ": conversion stopped");
        }
    }

    private void exit() {
        if (writing.decrementAndGet() == 0) {
            synchronized (writing) {
                writing.notifyAll();
            }
        }
    }

    /**
     * A write to the store that failed: the JDK's message (say "No space left on device") names neither the
     * file nor where it was going.
     */
    private EnvironmentException notStored(String what, IOException e) {
        return new EnvironmentException(what + ": cannot store it in " + tx.storeRoot() + ": " + ErrorText.of(e), e);
    }

    private static byte[] readFully(String what, InputStream in, int n) throws IOException {
        // Into an array of the exact size: readNBytes(int) gathers 8 KiB pieces and copies them once more.
        byte[] b = new byte[n];
        int got = in.readNBytes(b, 0, n);
        if (got != n) {
            throw new BadInputException(what + ": content ends after " + got + " of " + n + " bytes");
        }
        return b;
    }

    /**
     * Waits until no write into the transaction is under way. Called once every layer has ended, it makes
     * sure that no write of a cancelled member (a failed layer's) runs on while the transaction commits.
     */
    void awaitWrites() {
        boolean interrupted = false;
        synchronized (writing) {
            while (writing.get() > 0) {
                try {
                    writing.wait();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Stops: no write starts after this, and it returns once none is under way, so that nothing writes into
     * the transaction's staging directory any more (a failed run then removes it whole). Whatever budget the
     * dropped members held is given back.
     */
    @Override
    public void close() {
        closed = true;
        awaitWrites();
        // Files whose parser or writer stopped without a last chunk: nothing will write them any more.
        for (LargeFile f : open) {
            f.close();
        }
        for (Charge c : charges) {
            c.release();
        }
        if (ownsPool) {
            pool.close();
        }
    }
}
