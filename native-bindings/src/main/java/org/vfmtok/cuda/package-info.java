/**
 * Panama FFM bindings for the CUDA runtime and driver, cuBLAS, cuBLASLt, cuDNN and NCCL, in jextract's
 * form (one {@code FunctionDescriptor} per function, {@code NAME$DESC}, with layouts named by their C
 * type; a lazily created handle; a static wrapper returning the library's status code).
 *
 * <ul>
 *   <li>{@link org.vfmtok.cuda.CudaLibraries} / {@link org.vfmtok.cuda.NativeLibrary}: where each library is
 *       looked for ({@link org.vfmtok.cuda.LibrarySearch}) and lazy loading: a library loads on the first
 *       call into it, never when a class of the CPU path initialises.</li>
 *   <li>{@link org.vfmtok.cuda.CudaCheck}: status codes to exceptions with the library's own error names.</li>
 *   <li>{@link org.vfmtok.cuda.SignatureCheck}: compiles a C declaration of every bound function against
 *       the installed headers, so that the Java side cannot drift from them.</li>
 * </ul>
 * The classes are written by tools/bindings/write_bindings.py from C prototypes;
 * tools/regen-bindings.sh compares them with jextract's output where jextract is installed.
 */
package org.vfmtok.cuda;
