package org.vfmtok.cli;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.vfmtok.llama.GPT;
import org.vfmtok.llama.GPTConfig;
import org.vfmtok.nn.dist.Communicator;
import org.vfmtok.nn.dist.DistEnv;
import org.vfmtok.nn.dist.TcpCommunicator;
import org.vfmtok.nn.optim.Adam;
import org.vfmtok.nn.optim.GradClip;
import org.vfmtok.nn.optim.ParamGroup;
import org.vfmtok.tensor.Rng;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./vfm bench dist}: data-parallel scaling on CPU processes at the demo GPT geometry (dim 64, 2 layers,
 * 16 tokens). The same global batch is trained by 1 process, then by N processes with global/N each
 * (gradients averaged over {@link TcpCommunicator}); each run is a fresh set of JVMs, the CPU threads split
 * evenly between the ranks. Prints steps/s of each and the speed-up. GPUs (NCCL) are not measured here.
 */
@Command(name = "dist", mixinStandardHelpOptions = true,
        description = {"Data-parallel training steps/s at the demo GPT geometry: 1 CPU process vs --nproc processes on the same global batch",
                "(each process a fresh JVM, the threads split evenly), and the speed-up."})
final class BenchDistCommand implements Callable<Integer> {
    @Option(names = "--nproc", defaultValue = "2", description = "Processes of the data-parallel run (default: ${DEFAULT-VALUE}).") int nproc;
    @Option(names = "--global-batch", defaultValue = "64", description = "Sequences per step over all processes (default: ${DEFAULT-VALUE}).") int globalBatch;
    @Option(names = "--steps", defaultValue = "30", description = "Timed steps (default: ${DEFAULT-VALUE}).") int steps;
    @Option(names = "--warmup", defaultValue = "10", description = "Untimed steps first (JIT warm-up) (default: ${DEFAULT-VALUE}).") int warmup;
    @Option(names = "--threads", description = "CPU threads in all (default: the available processors).") Integer threads;

    @Override
    public Integer call() throws Exception {
        if (nproc < 1 || globalBatch % nproc != 0) throw new IllegalArgumentException("--global-batch " + globalBatch + " must split evenly over --nproc " + nproc);
        int cores = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        double one = run(1, globalBatch, cores);
        double many = run(nproc, globalBatch / nproc, Math.max(1, cores / nproc));
        System.out.printf(Locale.ROOT, "{\"bench\": \"dist\", \"model\": \"gpt-demo\", \"processes\": 1, \"batch_per_rank\": %d, \"threads_per_rank\": %d, \"steps_per_s\": %.2f}%n",
                globalBatch, cores, one);
        System.out.printf(Locale.ROOT, "{\"bench\": \"dist\", \"model\": \"gpt-demo\", \"processes\": %d, \"batch_per_rank\": %d, \"threads_per_rank\": %d, \"steps_per_s\": %.2f}%n",
                nproc, globalBatch / nproc, Math.max(1, cores / nproc), many);
        System.out.printf(Locale.ROOT, "speed-up of %d processes over 1 at global batch %d: %.2fx%n", nproc, globalBatch, many / one);
        return 0;
    }

    /** Starts {@code n} rank JVMs of {@link Rank} and returns rank 0's steps/s. */
    private double run(int n, int batch, int threadsPerRank) throws IOException, InterruptedException {
        int port = LaunchCommand.freePort();
        List<Process> ps = new ArrayList<>();
        try {
            for (int r = 0; r < n; r++) {
                List<String> cmd = new ArrayList<>();
                cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
                for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
                    if (!a.startsWith("-agentlib:jdwp") && !a.startsWith("-Dvfmtok.threads=")) cmd.add(a);
                }
                cmd.add("-Dvfmtok.threads=" + threadsPerRank);
                cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), "bench", "dist-rank",
                        "--batch", Integer.toString(batch), "--steps", Integer.toString(steps), "--warmup", Integer.toString(warmup)));
                ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
                if (n > 1) {
                    pb.environment().put(DistEnv.RANK, Integer.toString(r));
                    pb.environment().put(DistEnv.LOCAL_RANK, Integer.toString(r));
                    pb.environment().put(DistEnv.WORLD_SIZE, Integer.toString(n));
                    pb.environment().put(DistEnv.MASTER_ADDR, "127.0.0.1");
                    pb.environment().put(DistEnv.MASTER_PORT, Integer.toString(port));
                }
                ps.add(pb.start());
            }
            String out0 = new String(ps.getFirst().getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            for (int r = 0; r < n; r++) {
                Process p = ps.get(r);
                String out = r == 0 ? out0 : new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) throw new IllegalStateException("bench dist: rank " + r + " of " + n + " failed: " + out.strip());
            }
            for (String line : out0.split("\n")) if (line.startsWith("steps_per_s=")) return Double.parseDouble(line.substring(12).trim());
            throw new IllegalStateException("bench dist: rank 0 printed no steps_per_s: " + out0.strip());
        } finally {
            for (Process p : ps) p.destroyForcibly();
        }
    }

    /** One rank of the measurement (hidden): the demo GPT's training step with gradients averaged over the job. */
    @Command(name = "dist-rank", hidden = true, mixinStandardHelpOptions = true, description = "One rank of ./vfm bench dist (started by it).")
    static final class Rank implements Callable<Integer> {
        @Option(names = "--batch", defaultValue = "64", description = "Sequences per step on this rank (default: ${DEFAULT-VALUE}).") int batch;
        @Option(names = "--steps", defaultValue = "30", description = "Timed steps (default: ${DEFAULT-VALUE}).") int steps;
        @Option(names = "--warmup", defaultValue = "10", description = "Untimed steps first (default: ${DEFAULT-VALUE}).") int warmup;

        @Override
        public Integer call() {
            DistEnv env = DistEnv.fromEnvironment();
            try (Communicator comm = env.isDistributed()
                    ? TcpCommunicator.create(env, "bench dist " + batch + " " + steps + " " + warmup, TcpCommunicator.Options.defaults().withRendezvousTimeout(Duration.ofMinutes(2)))
                    : Communicator.single()) {
                GPTConfig gc = new GPTConfig("demo", 64, 2, 4, 176, 128, 10, 4, 10000, 1e-5, 0.1, 0.1, 0.1, 0.1, 0.02);
                GPT gpt = Scope.global().run(() -> {
                    GPT g = new GPT(gc, new Rng(4 + env.rank()));
                    g.initialize(4, false);
                    return g;
                });
                gpt.train(true);
                Adam adamW = Adam.adamW(ParamGroup.decayOnMatrices(gpt.namedParameters(), 1e-4, 0.05), 0.9, 0.95, 1e-8);
                Rng r = new Rng(5 + env.rank());
                long[] labels = new long[batch], codes = new long[batch * 16];
                for (int i = 0; i < batch; i++) labels[i] = r.nextInt(10);
                for (int i = 0; i < codes.length; i++) codes[i] = r.nextInt(128);
                long t0 = 0;
                for (int i = 0; i < warmup + steps; i++) {
                    if (i == warmup) {
                        comm.barrier();
                        t0 = System.nanoTime();
                    }
                    try (Scope s = Scope.open("bench")) {
                        gpt.loss(Tensor.ofLongs(labels, batch), Tensor.ofLongs(codes, batch, 16)).backward();
                        List<Tensor> grads = new ArrayList<>();
                        for (Tensor p : gpt.parameters()) if (p.grad() != null) grads.add(p.grad());
                        comm.allReduceMean(grads);
                        GradClip.clipGlobalNorm(gpt.parameters(), 1.0);
                        adamW.step();
                        adamW.zeroGrad();
                    }
                }
                comm.barrier();
                double secs = (System.nanoTime() - t0) / 1e9;
                if (env.rank() == 0) System.out.printf(Locale.ROOT, "steps_per_s=%.4f%n", steps / secs);
            }
            return 0;
        }
    }
}
