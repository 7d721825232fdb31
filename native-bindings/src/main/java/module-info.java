/**
 * Foreign-function bindings to the CUDA runtime/driver, cuBLAS, cuDNN and NCCL. Not API: only the
 * modules that drive a GPU read it. Calls restricted methods (library lookup, downcalls): a module-path host
 * grants it {@code --enable-native-access=org.vfmtok.cuda}.
 */
module org.vfmtok.cuda {
    exports org.vfmtok.cuda to org.vfmtok.tensor, org.vfmtok.nn;
}
