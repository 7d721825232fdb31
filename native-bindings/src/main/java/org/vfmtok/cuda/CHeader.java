package org.vfmtok.cuda;

import java.util.List;

/**
 * What the signature check needs to compile a binding class's declarations: the headers to include
 * (in order) and where pip wheels keep them inside a site-packages folder.
 *
 * @param library           the library the functions come from (for messages and skip reasons)
 * @param includes          headers to #include, e.g. {@code cublas_v2.h}
 * @param pythonIncludeDirs include folders inside a site-packages, e.g. {@code nvidia/cu13/include}
 */
public record CHeader(NativeLibrary library, List<String> includes, List<String> pythonIncludeDirs) {}
