package org.vfmtok.cuda;

import static org.vfmtok.cuda.CTypes.*;

import java.lang.foreign.*;
import java.lang.invoke.MethodHandle;
import java.util.List;

/**
 * NCCL (libnccl): unique id, communicator init per rank, all-reduce, broadcast, all-gather, group
 * start/end, destroy/abort and error strings. {@code ncclUniqueId} (128 bytes) is passed BY VALUE to
 * {@code ncclCommInitRank}: its descriptor uses the struct layout, which the linker passes in memory as
 * the C ABI requires.
 */
@SuppressWarnings({"unused", "checkstyle:MethodName"})
public final class Nccl {
    private Nccl() {}

    public static final NativeLibrary LIB = CudaLibraries.NCCL;

    /** What {@link SignatureCheck} compiles these declarations against. */
    public static final CHeader HEADER = new CHeader(LIB, List.of("nccl.h"), List.of("nvidia/nccl/include"));

    // ------------------------------------------------------------------ C types

    public static final ValueLayout.OfInt ncclResult_t = i32("ncclResult_t");
    public static final AddressLayout ncclComm_t = ptr("ncclComm_t");
    public static final ValueLayout.OfInt ncclDataType_t = i32("ncclDataType_t");
    public static final ValueLayout.OfInt ncclRedOp_t = i32("ncclRedOp_t");
    public static final AddressLayout cudaStream_t = ptr("cudaStream_t");

    // ------------------------------------------------------------------ structs

    /** {@code typedef struct { char internal[NCCL_UNIQUE_ID_BYTES]; } ncclUniqueId;} */
    public static final StructLayout ncclUniqueId$LAYOUT = MemoryLayout.structLayout(
            MemoryLayout.sequenceLayout(128, ValueLayout.JAVA_BYTE).withName("internal")).withName("ncclUniqueId");

    // ------------------------------------------------------------------ constants (values checked against the headers)

    public static final int ncclSuccess = 0;
    public static final int ncclUnhandledCudaError = 1;
    public static final int ncclSystemError = 2;
    public static final int ncclInternalError = 3;
    public static final int ncclInvalidArgument = 4;
    public static final int ncclInvalidUsage = 5;
    public static final int ncclRemoteError = 6;
    public static final int ncclInProgress = 7;
    public static final int ncclInt8 = 0;
    public static final int ncclUint8 = 1;
    public static final int ncclInt32 = 2;
    public static final int ncclInt64 = 4;
    public static final int ncclFloat16 = 6;
    public static final int ncclFloat32 = 7;
    public static final int ncclFloat64 = 8;
    public static final int ncclBfloat16 = 9;
    public static final int ncclSum = 0;
    public static final int ncclProd = 1;
    public static final int ncclMax = 2;
    public static final int ncclMin = 3;
    public static final int ncclAvg = 4;
    public static final int NCCL_UNIQUE_ID_BYTES = 128;

    // ------------------------------------------------------------------ functions

    public static final FunctionDescriptor ncclGetVersion$DESC = FunctionDescriptor.of(ncclResult_t, INT_P);

    private static final class ncclGetVersion$H {
        static final MethodHandle H = LIB.downcall("ncclGetVersion", ncclGetVersion$DESC);
    }

    /** {@code ncclResult_t ncclGetVersion(int* version)} */
    public static int ncclGetVersion(MemorySegment version) {
        try {
            return (int) ncclGetVersion$H.H.invokeExact(version);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor ncclGetUniqueId$DESC = FunctionDescriptor.of(ncclResult_t, ptr("ncclUniqueId*"));

    private static final class ncclGetUniqueId$H {
        static final MethodHandle H = LIB.downcall("ncclGetUniqueId", ncclGetUniqueId$DESC);
    }

    /** {@code ncclResult_t ncclGetUniqueId(ncclUniqueId* uniqueId)} */
    public static int ncclGetUniqueId(MemorySegment uniqueId) {
        try {
            return (int) ncclGetUniqueId$H.H.invokeExact(uniqueId);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor ncclCommInitRank$DESC = FunctionDescriptor.of(ncclResult_t, ptr("ncclComm_t*"), INT, ncclUniqueId$LAYOUT, INT);

    private static final class ncclCommInitRank$H {
        static final MethodHandle H = LIB.downcall("ncclCommInitRank", ncclCommInitRank$DESC);
    }

    /** {@code ncclResult_t ncclCommInitRank(ncclComm_t* comm, int nranks, ncclUniqueId commId, int rank)} */
    public static int ncclCommInitRank(MemorySegment comm, int nranks, MemorySegment commId, int rank) {
        try {
            return (int) ncclCommInitRank$H.H.invokeExact(comm, nranks, commId, rank);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor ncclCommDestroy$DESC = FunctionDescriptor.of(ncclResult_t, ncclComm_t);

    private static final class ncclCommDestroy$H {
        static final MethodHandle H = LIB.downcall("ncclCommDestroy", ncclCommDestroy$DESC);
    }

    /** {@code ncclResult_t ncclCommDestroy(ncclComm_t comm)} */
    public static int ncclCommDestroy(MemorySegment comm) {
        try {
            return (int) ncclCommDestroy$H.H.invokeExact(comm);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor ncclCommAbort$DESC = FunctionDescriptor.of(ncclResult_t, ncclComm_t);

    private static final class ncclCommAbort$H {
        static final MethodHandle H = LIB.downcall("ncclCommAbort", ncclCommAbort$DESC);
    }

    /** {@code ncclResult_t ncclCommAbort(ncclComm_t comm)} */
    public static int ncclCommAbort(MemorySegment comm) {
        try {
            return (int) ncclCommAbort$H.H.invokeExact(comm);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor ncclCommGetAsyncError$DESC = FunctionDescriptor.of(ncclResult_t, ncclComm_t, ptr("ncclResult_t*"));

    private static final class ncclCommGetAsyncError$H {
        static final MethodHandle H = LIB.downcall("ncclCommGetAsyncError", ncclCommGetAsyncError$DESC);
    }

    /** {@code ncclResult_t ncclCommGetAsyncError(ncclComm_t comm, ncclResult_t* asyncError)} */
    public static int ncclCommGetAsyncError(MemorySegment comm, MemorySegment asyncError) {
        try {
            return (int) ncclCommGetAsyncError$H.H.invokeExact(comm, asyncError);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor ncclGetErrorString$DESC = FunctionDescriptor.of(CONST_CHAR_P, ncclResult_t);

    private static final class ncclGetErrorString$H {
        static final MethodHandle H = LIB.downcall("ncclGetErrorString", ncclGetErrorString$DESC);
    }

    /** {@code const char* ncclGetErrorString(ncclResult_t result)} */
    public static MemorySegment ncclGetErrorString(int result) {
        try {
            return (MemorySegment) ncclGetErrorString$H.H.invokeExact(result);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor ncclGetLastError$DESC = FunctionDescriptor.of(CONST_CHAR_P, ncclComm_t);

    private static final class ncclGetLastError$H {
        static final MethodHandle H = LIB.downcall("ncclGetLastError", ncclGetLastError$DESC);
    }

    /** {@code const char* ncclGetLastError(ncclComm_t comm)} */
    public static MemorySegment ncclGetLastError(MemorySegment comm) {
        try {
            return (MemorySegment) ncclGetLastError$H.H.invokeExact(comm);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor ncclAllReduce$DESC = FunctionDescriptor.of(ncclResult_t, CONST_VOID_P, VOID_P, SIZE_T, ncclDataType_t, ncclRedOp_t, ncclComm_t, cudaStream_t);

    private static final class ncclAllReduce$H {
        static final MethodHandle H = LIB.downcall("ncclAllReduce", ncclAllReduce$DESC);
    }

    /** {@code ncclResult_t ncclAllReduce(const void* sendbuff, void* recvbuff, size_t count, ncclDataType_t datatype, ncclRedOp_t op, ncclComm_t comm, cudaStream_t stream)} */
    public static int ncclAllReduce(MemorySegment sendbuff, MemorySegment recvbuff, long count, int datatype, int op, MemorySegment comm, MemorySegment stream) {
        try {
            return (int) ncclAllReduce$H.H.invokeExact(sendbuff, recvbuff, count, datatype, op, comm, stream);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor ncclBroadcast$DESC = FunctionDescriptor.of(ncclResult_t, CONST_VOID_P, VOID_P, SIZE_T, ncclDataType_t, INT, ncclComm_t, cudaStream_t);

    private static final class ncclBroadcast$H {
        static final MethodHandle H = LIB.downcall("ncclBroadcast", ncclBroadcast$DESC);
    }

    /** {@code ncclResult_t ncclBroadcast(const void* sendbuff, void* recvbuff, size_t count, ncclDataType_t datatype, int root, ncclComm_t comm, cudaStream_t stream)} */
    public static int ncclBroadcast(MemorySegment sendbuff, MemorySegment recvbuff, long count, int datatype, int root, MemorySegment comm, MemorySegment stream) {
        try {
            return (int) ncclBroadcast$H.H.invokeExact(sendbuff, recvbuff, count, datatype, root, comm, stream);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor ncclAllGather$DESC = FunctionDescriptor.of(ncclResult_t, CONST_VOID_P, VOID_P, SIZE_T, ncclDataType_t, ncclComm_t, cudaStream_t);

    private static final class ncclAllGather$H {
        static final MethodHandle H = LIB.downcall("ncclAllGather", ncclAllGather$DESC);
    }

    /** {@code ncclResult_t ncclAllGather(const void* sendbuff, void* recvbuff, size_t sendcount, ncclDataType_t datatype, ncclComm_t comm, cudaStream_t stream)} */
    public static int ncclAllGather(MemorySegment sendbuff, MemorySegment recvbuff, long sendcount, int datatype, MemorySegment comm, MemorySegment stream) {
        try {
            return (int) ncclAllGather$H.H.invokeExact(sendbuff, recvbuff, sendcount, datatype, comm, stream);
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor ncclGroupStart$DESC = FunctionDescriptor.of(ncclResult_t);

    private static final class ncclGroupStart$H {
        static final MethodHandle H = LIB.downcall("ncclGroupStart", ncclGroupStart$DESC);
    }

    /** {@code ncclResult_t ncclGroupStart()} */
    public static int ncclGroupStart() {
        try {
            return (int) ncclGroupStart$H.H.invokeExact();
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

    public static final FunctionDescriptor ncclGroupEnd$DESC = FunctionDescriptor.of(ncclResult_t);

    private static final class ncclGroupEnd$H {
        static final MethodHandle H = LIB.downcall("ncclGroupEnd", ncclGroupEnd$DESC);
    }

    /** {@code ncclResult_t ncclGroupEnd()} */
    public static int ncclGroupEnd() {
        try {
            return (int) ncclGroupEnd$H.H.invokeExact();
        } catch (Throwable t) {
            throw Native.rethrow(t, LIB);
        }
    }

}
