package org.vfmtok.tensor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * An explicit lifetime for tensor memory: every tensor allocated while a scope is the thread's current
 * one is freed when that scope closes. Typical use is one scope per training step or per request:
 *
 * <pre>{@code
 * try (Scope step = Scope.open()) {
 *     Tensor loss = model.forward(batch);
 *     loss.backward();
 * }   // activations, saved tensors and temporaries are freed here; parameter grads live in the
 *     // parameters' own scope
 * }</pre>
 *
 * Scopes nest per thread. Outside every scope, tensors go to {@link #global()}, which lives as long as
 * the process (tests); {@link #keep(Tensor)} moves a result out to the enclosing scope. Loaded models
 * keep their weights in a {@link #detached} scope of their own that their {@code close()} closes.
 *
 * <p>Threads: the current scope is per thread (a thread-local stack); a scope opened on one thread is
 * not current on any other, including the CPU backend's worker threads (kernels there allocate nothing).
 * Registration and {@link #close} are synchronized, so a scope may own storages allocated by several
 * threads, but it must be closed once all of them are done with it.
 */
public final class Scope implements AutoCloseable {
    private static final Scope GLOBAL = new Scope(null, "global");
    private static final ThreadLocal<ArrayDeque<Scope>> STACK = ThreadLocal.withInitial(ArrayDeque::new);

    private final Scope parent;
    private final String name;
    private final List<Storage> storages = new ArrayList<>();
    /** Scopes made by {@link #owned} while this one was current: closed with it at the latest. */
    private final List<Scope> children = new ArrayList<>();
    private final List<Runnable> onClose = new ArrayList<>();
    private boolean closed;

    private Scope(Scope parent, String name) {
        this.parent = parent;
        this.name = name;
    }

    /** Opens a scope nested in the current one and makes it current for this thread. */
    public static Scope open() { return open("scope"); }

    public static Scope open(String name) {
        Scope s = new Scope(current(), name);
        STACK.get().push(s);
        return s;
    }

    /** A scope that is not made current: allocate into it with {@link #run} or by passing it explicitly. */
    public static Scope detached(String name) { return new Scope(GLOBAL, name); }

    /**
     * A scope for a long-lived owner such as a loaded model's weights: not made current (allocate into it
     * with {@link #enter} or {@link #run}), freed by its own {@link #close}, or at the latest when the
     * scope current now closes (never, when that is the global scope).
     */
    public static Scope owned(String name) {
        Scope parent = current();
        Scope s = new Scope(parent, name);
        if (parent != GLOBAL) parent.adopt(s);
        return s;
    }

    private synchronized void adopt(Scope child) {
        if (closed) throw new IllegalStateException("scope '" + name + "' is closed");
        children.add(child);
    }

    private synchronized void forget(Scope child) { children.remove(child); }

    /** The innermost open scope of this thread, or the global scope. */
    public static Scope current() {
        Scope s = STACK.get().peek();
        return s == null ? GLOBAL : s;
    }

    public static Scope global() { return GLOBAL; }

    /** Runs {@code body} with this scope current (for long-lived owners such as a model's weights). */
    public <T> T run(java.util.function.Supplier<T> body) {
        STACK.get().push(this);
        try {
            return body.get();
        } finally {
            STACK.get().pop();
        }
    }

    /**
     * Makes this scope the thread's current one until the returned handle is closed (a model's
     * constructor allocating its weights here): {@code try (var in = weights.enter()) { ... }}.
     */
    public Entered enter() {
        if (closed) throw new IllegalStateException("scope '" + name + "' is closed");
        ArrayDeque<Scope> stack = STACK.get();
        stack.push(this);
        return () -> {
            if (stack.peek() == this) stack.pop();
            else stack.removeFirstOccurrence(this);
        };
    }

    /** The handle of {@link #enter}: closing it restores the previous current scope. */
    @FunctionalInterface
    public interface Entered extends AutoCloseable {
        @Override void close();
    }

    public synchronized boolean isClosed() { return closed; }

    /** Runs {@code action} after this scope has freed its memory (a model's bookkeeping); at most once. */
    public synchronized void onClose(Runnable action) {
        if (closed) throw new IllegalStateException("scope '" + name + "' is closed");
        onClose.add(action);
    }

    synchronized void register(Storage s) {
        if (closed) throw new IllegalStateException("allocation in closed scope '" + name + "'");
        storages.add(s);
        s.setScope(this);
    }

    /** Moves {@code t}'s storage to the enclosing scope so that it outlives this one; returns {@code t}. */
    public Tensor keep(Tensor t) {
        moveTo(t.storage(), parent == null ? GLOBAL : parent);
        return t;
    }

    /** Moves a storage owned by this scope to {@code target}. */
    public synchronized void moveTo(Storage s, Scope target) {
        if (s.scope() != this) return;
        storages.remove(s);
        target.register(s);
    }

    public synchronized long liveBytes() {
        long n = 0;
        for (Storage s : storages) n += s.byteSize();
        return n;
    }

    public String name() { return name; }

    /**
     * Frees every storage still owned by this scope (and closes the scopes {@link #owned} under it) and
     * pops it from the thread's stack. Idempotent.
     */
    @Override
    public void close() {
        if (this == GLOBAL) throw new IllegalStateException("the global scope cannot be closed");
        List<Storage> toFree;
        List<Scope> kids;
        List<Runnable> actions;
        synchronized (this) {
            if (closed) return;
            closed = true;
            ArrayDeque<Scope> stack = STACK.get();
            if (stack.peek() == this) stack.pop();
            else stack.remove(this);
            toFree = new ArrayList<>(storages);
            kids = new ArrayList<>(children);
            actions = new ArrayList<>(onClose);
            storages.clear();
            children.clear();
            onClose.clear();
        }
        // outside this scope's lock: a child closing on another thread takes its own lock, then ours
        for (Scope k : kids) k.close();
        for (Storage s : toFree) s.free();
        if (parent != null && parent != GLOBAL) parent.forget(this);
        for (Runnable a : actions) a.run();
    }
}
