package org.vfmtok.cli;

import org.vfmtok.tensor.NativeMemory;
import org.vfmtok.tensor.backend.Backends;
import org.vfmtok.tensor.cpu.Parallel;
import picocli.CommandLine.Command;

/** Prints what this machine gives the project: JDK, backend, vector width, threads. */
@Command(name = "info", mixinStandardHelpOptions = true, description = "Show the runtime, the CPU backend and its vector width and threads.")
final class InfoCommand implements Runnable {
    @Override
    public void run() {
        System.out.println("java      " + System.getProperty("java.vm.name") + " " + Runtime.version());
        System.out.println("backend   " + Backends.cpu().name());
        System.out.println("threads   " + Parallel.threads() + " (max " + Parallel.maxThreads() + "; -Dvfmtok.threads=N via VFM_JAVA_OPTS)");
        System.out.println("cuda      " + org.vfmtok.tensor.cuda.Cuda.status());
        System.out.println("memory    max heap " + Runtime.getRuntime().maxMemory() / (1 << 20) + " MiB, native live " + NativeMemory.liveBytes() + " bytes");
    }
}
