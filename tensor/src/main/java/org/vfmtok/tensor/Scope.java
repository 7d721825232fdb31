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
 * the process (weights, tests); {@link #keep(Tensor)} moves a result out to the enclosing scope.
 */
public final class Scope implements AutoCloseable {
    private static final Scope GLOBAL = new Scope(null, "global");
    private static final ThreadLocal<ArrayDeque<Scope>> STACK = ThreadLocal.withInitial(ArrayDeque::new);

    private final Scope parent;
    private final String name;
    private final List<Storage> storages = new ArrayList<>();
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

    /** Frees every storage still owned by this scope and pops it from the thread's stack. */
    @Override
    public synchronized void close() {
        if (this == GLOBAL) throw new IllegalStateException("the global scope cannot be closed");
        if (closed) return;
        closed = true;
        ArrayDeque<Scope> stack = STACK.get();
        if (stack.peek() == this) stack.pop();
        else stack.remove(this);
        for (Storage s : storages) s.free();
        storages.clear();
    }
}
