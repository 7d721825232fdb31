package org.vfmtok.cuda;

import java.lang.foreign.AddressLayout;
import java.lang.foreign.ValueLayout;

/**
 * C types as FFM layouts, each named with the C spelling the binding assumes ({@code "cudaError_t"},
 * {@code "const void*"}, {@code "size_t"}). The linker ignores layout names; {@link SignatureCheck}
 * reads them to write a C declaration of every bound function and compiles it against the real headers,
 * so a Java descriptor cannot silently drift from the C prototype.
 *
 * <p>Every layout used in a binding's {@code FunctionDescriptor} must be named (the check refuses unnamed
 * ones). Linux x86-64/aarch64 (LP64): int and enums are 32-bit, size_t, long long and pointers 64-bit.
 */
public final class CTypes {
    private CTypes() {}

    public static ValueLayout.OfInt i32(String cType) { return ValueLayout.JAVA_INT.withName(cType); }

    public static ValueLayout.OfLong i64(String cType) { return ValueLayout.JAVA_LONG.withName(cType); }

    public static ValueLayout.OfFloat f32(String cType) { return ValueLayout.JAVA_FLOAT.withName(cType); }

    public static ValueLayout.OfDouble f64(String cType) { return ValueLayout.JAVA_DOUBLE.withName(cType); }

    /** A pointer, or an opaque handle typedef'd to a pointer ({@code cudaStream_t}, {@code cublasHandle_t}). */
    public static AddressLayout ptr(String cType) { return ValueLayout.ADDRESS.withName(cType); }

    public static final ValueLayout.OfInt INT = i32("int");
    public static final ValueLayout.OfInt UINT = i32("unsigned int");
    public static final ValueLayout.OfLong SIZE_T = i64("size_t");
    public static final ValueLayout.OfLong INT64 = i64("int64_t");
    public static final ValueLayout.OfLong UINT64 = i64("uint64_t");
    public static final ValueLayout.OfLong LONG_LONG = i64("long long int");
    public static final ValueLayout.OfFloat FLOAT = f32("float");
    public static final AddressLayout VOID_P = ptr("void*");
    public static final AddressLayout CONST_VOID_P = ptr("const void*");
    public static final AddressLayout VOID_PP = ptr("void**");
    public static final AddressLayout INT_P = ptr("int*");
    public static final AddressLayout SIZE_T_P = ptr("size_t*");
    public static final AddressLayout FLOAT_P = ptr("float*");
    public static final AddressLayout CHAR_P = ptr("char*");
    public static final AddressLayout CONST_CHAR_P = ptr("const char*");
    public static final AddressLayout CONST_CHAR_PP = ptr("const char**");
}
