package org.vfmtok.nn.io;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.math.BigInteger;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.vfmtok.tensor.io.InputLimits;

/**
 * A safe pickle virtual machine (protocols 0-5, the binary opcodes plus the simple text ones). It never
 * looks up or runs Python code: every GLOBAL goes to {@link Resolver#global}, which returns a Java
 * stand-in or throws ({@link ForbiddenGlobalException}); REDUCE/NEWOBJ only apply {@link PickleCallable}s
 * and BUILD only {@link PickleBuildable}s that the resolver handed out.
 *
 * <p>Result model: dict → {@link LinkedHashMap} (keys: String, Long, BigInteger, Double, Boolean, null,
 * or tuples of those), list → {@link ArrayList}, tuple → unmodifiable {@link List}, set → {@link Set},
 * int → Long (BigInteger beyond 64 bits), float → Double, str → String, bytes → byte[], None → null.
 *
 * <p>Hostile input: every length is checked against the bytes left before anything is allocated, the
 * machine is iterative (no recursion on nesting), {@code maxBytes} caps how much one pickle may consume,
 * and the values it may create (every stack push and every new memo entry) are capped by
 * {@link InputLimits#pickleObjects()}: a few kilobytes of deflated EMPTY_LIST opcodes would otherwise
 * grow into gigabytes of Java objects.
 */
public final class Unpickler {
    /** Supplies globals and persistent objects. */
    public interface Resolver {
        Object global(String module, String name) throws TorchCheckpointException;

        Object persistentLoad(Object pid) throws TorchCheckpointException;
    }

    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble F64_BE = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    /** Text opcode arguments (GLOBAL names, protocol-0 numbers) are short; longer lines are malformed. */
    private static final int MAX_LINE = 4096;
    /**
     * Tuples used as dict keys may nest this deep and have this many parts in all (counting a shared
     * sub-tuple each time it appears): hashCode and equals recurse through keys, so deep keys could
     * overflow the stack and memo-shared ones could make hashing exponential.
     */
    private static final int MAX_KEY_DEPTH = 16, MAX_KEY_PARTS = 4096;

    private final MemorySegment in;
    private final long end;
    private long pos;
    private final Resolver resolver;
    private final ArrayList<Object> stack = new ArrayList<>();
    private int[] marks = new int[16];
    private int markCount;
    private final HashMap<Long, Object> memo = new HashMap<>();
    /** Values this load may still create (stack pushes and new memo entries); see {@link InputLimits#pickleObjects()}. */
    private long objectsLeft;
    private long objectLimit;

    /**
     * Reads pickles from {@code in} starting at {@code start}; one {@link #load()} may consume at most
     * {@code maxBytes}.
     */
    public Unpickler(MemorySegment in, long start, long maxBytes, Resolver resolver) {
        this.in = in;
        this.pos = start;
        this.end = Math.min(in.byteSize(), start + Math.max(0, maxBytes));
        this.resolver = resolver;
    }

    /** Position after the last {@link #load()}: where the next pickle in the stream starts. */
    public long position() { return pos; }

    /** Reads one pickle up to its STOP opcode and returns the object. */
    public Object load() throws TorchCheckpointException {
        stack.clear();
        markCount = 0;
        memo.clear();
        objectLimit = InputLimits.pickleObjects();
        objectsLeft = objectLimit;
        while (true) {
            long at = pos;
            int op = u8();
            try {
                switch (op) {
                    case 0x80 -> { // PROTO
                        int v = u8();
                        if (v > 5) throw error(at, "unsupported pickle protocol " + v);
                    }
                    case 0x95 -> { // FRAME: a buffering hint
                        long n = i64();
                        if (n < 0 || n > end - pos) throw error(at, "FRAME of " + n + " bytes but only " + (end - pos) + " remain");
                    }
                    case '.' -> { // STOP
                        return pop();
                    }
                    case '(' -> pushMark();
                    case '0' -> pop(); // POP
                    case '1' -> popMark(); // POP_MARK
                    case '2' -> push(top()); // DUP
                    case 'N' -> push(null);
                    case 0x88 -> push(Boolean.TRUE);
                    case 0x89 -> push(Boolean.FALSE);
                    case 'J' -> push((long) i32()); // BININT
                    case 'K' -> push((long) u8()); // BININT1
                    case 'M' -> push((long) u16()); // BININT2
                    case 0x8a -> push(longFrom(bytes(u8()))); // LONG1
                    case 0x8b -> push(longFrom(bytes(length(i32())))); // LONG4
                    case 'I' -> push(textInt(line())); // INT
                    case 'L' -> push(textLong(line())); // LONG
                    case 'G' -> push(f64be()); // BINFLOAT
                    case 'F' -> push(textFloat(line())); // FLOAT
                    case 0x8c -> push(utf8(bytes(u8()))); // SHORT_BINUNICODE
                    case 'X' -> push(utf8(bytes(length(i32())))); // BINUNICODE
                    case 0x8d -> push(utf8(bytes(i64()))); // BINUNICODE8
                    case 'U' -> push(utf8(bytes(u8()))); // SHORT_BINSTRING (a Python 2 str; torch loads it as UTF-8)
                    case 'T' -> push(utf8(bytes(length(i32())))); // BINSTRING
                    case 'C' -> push(bytes(u8())); // SHORT_BINBYTES
                    case 'B' -> push(bytes(length(i32()))); // BINBYTES
                    case 0x8e, 0x96 -> push(bytes(i64())); // BINBYTES8, BYTEARRAY8
                    case '}' -> push(new LinkedHashMap<Object, Object>()); // EMPTY_DICT
                    case ']' -> push(new ArrayList<Object>()); // EMPTY_LIST
                    case ')' -> push(tuple()); // EMPTY_TUPLE
                    case 0x8f -> push(new LinkedHashSet<Object>()); // EMPTY_SET
                    case 'd' -> { // DICT
                        Map<Object, Object> m = new LinkedHashMap<>();
                        putPairs(m, popMark(), at);
                        push(m);
                    }
                    case 'l' -> push(new ArrayList<>(popMark())); // LIST
                    case 't' -> push(tuple(popMark().toArray())); // TUPLE
                    case 0x85 -> push(tuple(pop())); // TUPLE1
                    case 0x86 -> { // TUPLE2
                        Object b = pop(), a = pop();
                        push(tuple(a, b));
                    }
                    case 0x87 -> { // TUPLE3
                        Object c = pop(), b = pop(), a = pop();
                        push(tuple(a, b, c));
                    }
                    case 0x91 -> { // FROZENSET
                        Set<Object> s = new LinkedHashSet<>();
                        for (Object o : popMark()) s.add(checkKey(o, at));
                        push(Collections.unmodifiableSet(s));
                    }
                    case 'a' -> { // APPEND
                        Object v = pop();
                        list(top(), at).add(v);
                    }
                    case 'e' -> { // APPENDS
                        List<Object> items = popMark();
                        list(top(), at).addAll(items);
                    }
                    case 's' -> { // SETITEM
                        Object v = pop(), k = pop();
                        dict(top(), at).put(checkKey(k, at), v);
                    }
                    case 'u' -> { // SETITEMS
                        List<Object> items = popMark();
                        putPairs(dict(top(), at), items, at);
                    }
                    case 0x90 -> { // ADDITEMS
                        List<Object> items = popMark();
                        if (!(top() instanceof LinkedHashSet<?>)) throw error(at, "ADDITEMS on a " + typeName(top()));
                        @SuppressWarnings("unchecked")
                        Set<Object> s = (Set<Object>) top();
                        for (Object o : items) s.add(checkKey(o, at));
                    }
                    case 'q' -> memoPut(u8(), at); // BINPUT
                    case 'r' -> memoPut(Integer.toUnsignedLong(i32()), at); // LONG_BINPUT
                    case 'p' -> memoPut(textIndex(line(), at), at); // PUT
                    case 0x94 -> memoPut(memo.size(), at); // MEMOIZE
                    case 'h' -> push(memoGet(u8(), at)); // BINGET
                    case 'j' -> push(memoGet(Integer.toUnsignedLong(i32()), at)); // LONG_BINGET
                    case 'g' -> push(memoGet(textIndex(line(), at), at)); // GET
                    case 'c' -> { // GLOBAL
                        String module = line(), name = line();
                        push(resolver.global(module, name));
                    }
                    case 0x93 -> { // STACK_GLOBAL
                        Object name = pop(), module = pop();
                        if (!(module instanceof String m) || !(name instanceof String n)) {
                            throw error(at, "STACK_GLOBAL needs two strings, got " + typeName(module) + " and " + typeName(name));
                        }
                        push(resolver.global(m, n));
                    }
                    case 'R' -> { // REDUCE
                        Object args = pop(), f = pop();
                        push(callable(f, "REDUCE", at).call(argTuple(args, "REDUCE", at)));
                    }
                    case 0x81 -> { // NEWOBJ
                        Object args = pop(), cls = pop();
                        push(callable(cls, "NEWOBJ", at).newObject(argTuple(args, "NEWOBJ", at)));
                    }
                    case 0x92 -> { // NEWOBJ_EX
                        Object kwargs = pop(), args = pop(), cls = pop();
                        if (!(kwargs instanceof Map<?, ?> kw) || !kw.isEmpty()) throw error(at, "NEWOBJ_EX with keyword arguments is not supported");
                        push(callable(cls, "NEWOBJ_EX", at).newObject(argTuple(args, "NEWOBJ_EX", at)));
                    }
                    case 'b' -> { // BUILD
                        Object state = pop();
                        if (!(top() instanceof PickleBuildable b)) throw error(at, "BUILD on a " + typeName(top()) + ", which takes no state");
                        b.setState(state);
                    }
                    case 'Q' -> push(resolver.persistentLoad(pop())); // BINPERSID
                    case 'P' -> push(resolver.persistentLoad(line())); // PERSID
                    case 0x98 -> top(); // READONLY_BUFFER: our bytes are values already
                    default -> throw error(at, "unsupported pickle opcode " + opName(op));
                }
            } catch (IndexOutOfBoundsException | IllegalArgumentException | ArithmeticException e) {
                throw error(at, e.getMessage());
            }
        }
    }

    // ------------------------------------------------------------------ stack

    private void push(Object o) throws TorchCheckpointException {
        created();
        stack.add(o);
    }

    /** Counts one created value against the limit. */
    private void created() throws TorchCheckpointException {
        if (--objectsLeft < 0) {
            throw error(pos - 1, InputLimits.refusal(null, "the number of values this pickle creates", objectLimit, "values",
                    InputLimits.PICKLE_OBJECTS));
        }
    }

    private int fence() { return markCount == 0 ? 0 : marks[markCount - 1]; }

    private Object pop() throws TorchCheckpointException {
        if (stack.size() <= fence()) throw error(pos - 1, "pickle stack underflow");
        return stack.removeLast();
    }

    private Object top() throws TorchCheckpointException {
        if (stack.size() <= fence()) throw error(pos - 1, "pickle stack underflow");
        return stack.getLast();
    }

    private void pushMark() {
        if (markCount == marks.length) marks = Arrays.copyOf(marks, marks.length * 2);
        marks[markCount++] = stack.size();
    }

    /** The items above the innermost mark, removing them and the mark. */
    private List<Object> popMark() throws TorchCheckpointException {
        if (markCount == 0) throw error(pos - 1, "MARK expected but not found");
        int from = marks[--markCount];
        List<Object> view = stack.subList(from, stack.size());
        List<Object> items = new ArrayList<>(view);
        view.clear();
        return items;
    }

    private void memoPut(long index, long at) throws TorchCheckpointException {
        Object v = top();
        if (!memo.containsKey(index)) created();
        memo.put(index, v);
    }

    private Object memoGet(long index, long at) throws TorchCheckpointException {
        Object o = memo.get(index);
        if (o == null && !memo.containsKey(index)) throw error(at, "memo entry " + index + " was never stored");
        return o;
    }

    // ------------------------------------------------------------------ containers

    static List<Object> tuple(Object... items) { return Collections.unmodifiableList(Arrays.asList(items)); }

    private List<Object> list(Object o, long at) throws TorchCheckpointException {
        if (!(o instanceof ArrayList<?>)) throw error(at, "APPEND to a " + typeName(o) + ", not a list");
        @SuppressWarnings("unchecked")
        List<Object> l = (List<Object>) o;
        return l;
    }

    private Map<Object, Object> dict(Object o, long at) throws TorchCheckpointException {
        if (!(o instanceof LinkedHashMap<?, ?>)) throw error(at, "SETITEM on a " + typeName(o) + ", not a dict");
        @SuppressWarnings("unchecked")
        Map<Object, Object> m = (Map<Object, Object>) o;
        return m;
    }

    private void putPairs(Map<Object, Object> m, List<Object> items, long at) throws TorchCheckpointException {
        if (items.size() % 2 != 0) throw error(at, "odd number of items (" + items.size() + ") for a dict");
        for (int i = 0; i < items.size(); i += 2) m.put(checkKey(items.get(i), at), items.get(i + 1));
    }

    /** Only immutable scalars and shallow tuples of them are hashable keys (as in Python, and bounded). */
    private Object checkKey(Object k, long at) throws TorchCheckpointException {
        if (!isKey(k, 0, new int[] {MAX_KEY_PARTS})) {
            throw error(at, "unsupported dict/set key of type " + typeName(k) + " (keys must be scalars or small tuples of scalars)");
        }
        return k;
    }

    private static boolean isKey(Object k, int depth, int[] budget) {
        if (--budget[0] < 0) return false;
        if (k == null || k instanceof String || k instanceof Long || k instanceof Double || k instanceof Boolean
                || k instanceof BigInteger) {
            return true;
        }
        if (k instanceof List<?> l && !(l instanceof ArrayList<?>) && depth < MAX_KEY_DEPTH) {
            for (Object o : l) if (!isKey(o, depth + 1, budget)) return false;
            return true;
        }
        return false;
    }

    private PickleCallable callable(Object f, String op, long at) throws TorchCheckpointException {
        if (f instanceof PickleCallable c) return c;
        throw error(at, op + " applied to a " + typeName(f) + ", which is not callable");
    }

    private List<Object> argTuple(Object args, String op, long at) throws TorchCheckpointException {
        if (args instanceof List<?> l && !(l instanceof ArrayList<?>)) {
            @SuppressWarnings("unchecked")
            List<Object> t = (List<Object>) l;
            return t;
        }
        throw error(at, op + " arguments must be a tuple, got " + typeName(args));
    }

    // ------------------------------------------------------------------ input

    private void need(long n) throws TorchCheckpointException {
        if (n < 0 || n > end - pos) {
            throw error(pos, "truncated pickle: needs " + n + " bytes but only " + (end - pos) + " remain");
        }
    }

    private int u8() throws TorchCheckpointException {
        need(1);
        return in.get(ValueLayout.JAVA_BYTE, pos++) & 0xFF;
    }

    private int u16() throws TorchCheckpointException {
        need(2);
        int v = in.get(U16, pos) & 0xFFFF;
        pos += 2;
        return v;
    }

    private int i32() throws TorchCheckpointException {
        need(4);
        int v = in.get(I32, pos);
        pos += 4;
        return v;
    }

    private long i64() throws TorchCheckpointException {
        need(8);
        long v = in.get(I64, pos);
        pos += 8;
        return v;
    }

    private double f64be() throws TorchCheckpointException {
        need(8);
        double v = in.get(F64_BE, pos);
        pos += 8;
        return v;
    }

    private long length(int n) throws TorchCheckpointException {
        if (n < 0) throw error(pos - 4, "negative length " + n);
        return n;
    }

    /** {@code n} bytes, checked against what is left before allocating. */
    private byte[] bytes(long n) throws TorchCheckpointException {
        need(n);
        if (n > Integer.MAX_VALUE - 16) throw error(pos, "a single " + n + "-byte string or bytes object is too large");
        byte[] b = new byte[(int) n];
        MemorySegment.copy(in, ValueLayout.JAVA_BYTE, pos, b, 0, (int) n);
        pos += n;
        return b;
    }

    /** A newline-terminated text argument (without the newline). */
    private String line() throws TorchCheckpointException {
        long start = pos;
        long limit = Math.min(end, start + MAX_LINE);
        for (long p = start; p < limit; p++) {
            if (in.get(ValueLayout.JAVA_BYTE, p) == '\n') {
                byte[] b = new byte[(int) (p - start)];
                MemorySegment.copy(in, ValueLayout.JAVA_BYTE, start, b, 0, b.length);
                pos = p + 1;
                return new String(b, StandardCharsets.UTF_8);
            }
        }
        throw error(start, "unterminated text argument (no newline within " + (limit - start) + " bytes)");
    }

    private static String utf8(byte[] b) { return new String(b, StandardCharsets.UTF_8); }

    /** Little-endian two's complement, as LONG1/LONG4 store it. */
    static Object longFrom(byte[] le) {
        if (le.length == 0) return 0L;
        byte[] be = new byte[le.length];
        for (int i = 0; i < le.length; i++) be[i] = le[le.length - 1 - i];
        BigInteger v = new BigInteger(be);
        return v.bitLength() < 64 ? (Object) v.longValue() : v;
    }

    private static Object textInt(String s) {
        if (s.equals("00")) return Boolean.FALSE;
        if (s.equals("01")) return Boolean.TRUE;
        return textLong(s);
    }

    private static Object textLong(String s) {
        String t = s.endsWith("L") ? s.substring(0, s.length() - 1) : s;
        BigInteger v = new BigInteger(t.strip());
        return v.bitLength() < 64 ? (Object) v.longValue() : v;
    }

    private static Double textFloat(String s) { return Double.valueOf(s.strip()); }

    private long textIndex(String s, long at) throws TorchCheckpointException {
        try {
            long v = Long.parseLong(s.strip());
            if (v < 0) throw error(at, "negative memo index " + v);
            return v;
        } catch (NumberFormatException e) {
            throw error(at, "bad memo index '" + s + "'");
        }
    }

    // ------------------------------------------------------------------ errors

    private TorchCheckpointException error(long at, String what) {
        return new TorchCheckpointException("pickle byte " + at + ": " + what);
    }

    private static String opName(int op) {
        String name = switch (op) {
            case 'i' -> "INST";
            case 'o' -> "OBJ";
            case 0x82, 0x83, 0x84 -> "EXT";
            case 'S' -> "STRING";
            case 'V' -> "UNICODE";
            case 0x97 -> "NEXT_BUFFER";
            default -> null;
        };
        String code = String.format("0x%02x", op);
        return name == null ? code : name + " (" + code + ")";
    }

    /** A short Python-ish type name for messages. */
    static String typeName(Object o) {
        if (o == null) return "None";
        if (o instanceof ArrayList<?>) return "list";
        if (o instanceof List<?>) return "tuple";
        if (o instanceof Map<?, ?>) return "dict";
        if (o instanceof Set<?>) return "set";
        if (o instanceof String) return "str";
        if (o instanceof Long || o instanceof BigInteger) return "int";
        if (o instanceof Double) return "float";
        if (o instanceof Boolean) return "bool";
        if (o instanceof byte[]) return "bytes";
        if (o instanceof org.vfmtok.tensor.Tensor) return "Tensor";
        String s = String.valueOf(o);
        return s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }
}
