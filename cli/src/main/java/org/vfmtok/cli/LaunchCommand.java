package org.vfmtok.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ./vfm launch --nproc N <command...>}: runs N copies of a vfm command as one distributed job on
 * this machine, like torchrun. Each copy is a new JVM with this one's flags and class path and the
 * torchrun variables (RANK = LOCAL_RANK = i, WORLD_SIZE = N, MASTER_ADDR = 127.0.0.1, MASTER_PORT = a
 * free port); their output is forwarded line by line with a "[rank i]" prefix. If a rank exits with a
 * non-zero code the others are stopped and the launcher exits with that code, naming the rank.
 */
@Command(name = "launch", mixinStandardHelpOptions = true,
        description = {"Run N processes of a vfm command as one distributed job (one per GPU), like torchrun.",
                "Example: ./vfm launch --nproc 8 train --config cfg.json"})
final class LaunchCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--nproc", required = true, description = "Number of processes (ranks), usually the number of GPUs.")
    int nproc;

    @Option(names = "--master-port", description = "Rendezvous port of rank 0 (default: a free port).")
    Integer masterPort;

    @Option(names = "--timeout", description = "Stop every rank after this many seconds (default: no limit).")
    Long timeoutSeconds;

    @Parameters(arity = "1..*", paramLabel = "COMMAND", description = "The vfm command and its arguments, run by every rank.")
    List<String> command;

    /** How long ranks get to exit after SIGTERM before they are killed. */
    static final long GRACE_MS = 5_000;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        if (nproc < 1) throw new IllegalArgumentException("--nproc must be at least 1, got " + nproc);
        if (command.getFirst().equals("launch")) throw new IllegalArgumentException("launch cannot launch itself");
        int port = masterPort != null ? masterPort : freePort();
        List<Process> ranks = new ArrayList<>();
        List<Thread> pumps = new ArrayList<>();
        Thread hook = new Thread(() -> stopAll(ranks));
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            for (int r = 0; r < nproc; r++) {
                ProcessBuilder pb = new ProcessBuilder(childCommand());
                pb.environment().put("RANK", Integer.toString(r));
                pb.environment().put("LOCAL_RANK", Integer.toString(r));
                pb.environment().put("WORLD_SIZE", Integer.toString(nproc));
                pb.environment().put("MASTER_ADDR", "127.0.0.1");
                pb.environment().put("MASTER_PORT", Integer.toString(port));
                Process p = pb.start();
                p.getOutputStream().close();
                ranks.add(p);
                pumps.add(pump(p.getInputStream(), "[rank " + r + "] ", out));
                pumps.add(pump(p.getErrorStream(), "[rank " + r + "] ", err));
            }
            long deadline = timeoutSeconds == null ? Long.MAX_VALUE : System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
            int failedRank = -1, failedCode = 0;
            while (true) {
                boolean allDone = true;
                for (int r = 0; r < ranks.size() && failedRank < 0; r++) {
                    Process p = ranks.get(r);
                    if (p.isAlive()) allDone = false;
                    else if (p.exitValue() != 0) {
                        failedRank = r;
                        failedCode = p.exitValue();
                    }
                }
                if (failedRank >= 0 || allDone) break;
                if (System.nanoTime() > deadline) {
                    List<Integer> running = running(ranks);
                    stopAll(ranks);
                    joinAll(pumps);
                    err.println("vfm launch: timed out after " + timeoutSeconds + " s; stopped rank(s) " + running);
                    err.flush();
                    return 124;
                }
                Thread.sleep(20);
            }
            if (failedRank >= 0) {
                List<Integer> running = running(ranks);
                stopAll(ranks);
                joinAll(pumps);
                err.println("vfm launch: rank " + failedRank + " exited with code " + failedCode
                        + (running.isEmpty() ? "" : "; stopped rank(s) " + running));
                err.flush();
                return failedCode;
            }
            joinAll(pumps);
            out.flush();
            return 0;
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException ignored) {
                // already shutting down: the hook runs
            }
        }
    }

    /** java, this JVM's flags, its class path, the CLI main class and the command. */
    private List<String> childCommand() {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("-agentlib:jdwp")) continue; // a debugger port cannot be shared
            cmd.add(a);
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Main.class.getName());
        cmd.addAll(command);
        return cmd;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }

    private static Thread pump(InputStream in, String prefix, PrintWriter to) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    synchronized (to) {
                        to.println(prefix + line);
                        to.flush();
                    }
                }
            } catch (IOException ignored) {
                // the process is gone
            }
        }, "launch-output " + prefix.trim());
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static List<Integer> running(List<Process> ranks) {
        List<Integer> r = new ArrayList<>();
        for (int i = 0; i < ranks.size(); i++) if (ranks.get(i).isAlive()) r.add(i);
        return r;
    }

    /** SIGTERM to every live rank (and its children), then SIGKILL to those still alive after the grace period. */
    private static void stopAll(List<Process> ranks) {
        for (Process p : ranks) {
            if (!p.isAlive()) continue;
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
        }
        long deadline = System.currentTimeMillis() + GRACE_MS;
        for (Process p : ranks) {
            try {
                if (!p.waitFor(Math.max(1, deadline - System.currentTimeMillis()), TimeUnit.MILLISECONDS)) {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly().waitFor(GRACE_MS, TimeUnit.MILLISECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static void joinAll(List<Thread> pumps) throws InterruptedException {
        for (Thread t : pumps) t.join(2_000);
    }
}
