package org.vfmtok.cli;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import org.vfmtok.nn.dist.DistEnv;
import org.vfmtok.nn.dist.NcclCommunicator;
import org.vfmtok.nn.dist.TcpRendezvous;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Device;
import org.vfmtok.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * A self-test of a distributed launch: reads the torchrun variables, meets the other ranks through the
 * TCP rendezvous (rank 0 sends a random token) and prints what it got; with --nccl it also joins an NCCL
 * communicator on cuda:LOCAL_RANK and all-reduces its rank. Used by tests and tools/gpu-check.sh.
 */
@Command(name = "dist-check", hidden = true, mixinStandardHelpOptions = true,
        description = "Check a distributed launch: rendezvous (and NCCL with --nccl); prints one line per rank.")
final class DistCheckCommand implements Callable<Integer> {
    @Option(names = "--nccl", description = "Also create an NCCL communicator and all-reduce the ranks.")
    boolean nccl;

    @Option(names = "--timeout", description = "Rendezvous timeout in seconds (default 60).")
    long timeout = 60;

    @Option(names = "--fail-rank", description = "This rank exits with --exit-code after the rendezvous (tests the launcher).")
    Integer failRank;

    @Option(names = "--exit-code", description = "Exit code of --fail-rank (default 3).")
    int exitCode = 3;

    @Option(names = "--linger", description = "Ranks other than --fail-rank sleep this many seconds before exiting (default: ${DEFAULT-VALUE}).")
    long linger;

    @Override
    public Integer call() throws Exception {
        DistEnv env = DistEnv.fromEnvironment();
        byte[] token = TcpRendezvous.exchange(env, () -> {
            byte[] b = new byte[8];
            new SecureRandom().nextBytes(b);
            return b;
        }, Duration.ofSeconds(timeout));
        System.out.println("rank " + env.rank() + "/" + env.worldSize() + " local " + env.localRank() + " master " + env.masterAddr() + ":"
                + env.masterPort() + " token " + HexFormat.of().formatHex(token));
        if (nccl) {
            try (NcclCommunicator c = NcclCommunicator.create(env, Duration.ofSeconds(timeout))) {
                Tensor t = Tensor.full(DType.F32, Device.cuda(env.localRank()), env.rank(), 4);
                c.allReduceSum(t);
                float got = t.toFloatArray()[0], expected = env.worldSize() * (env.worldSize() - 1) / 2f;
                System.out.println("rank " + env.rank() + " nccl all-reduce of ranks: " + got);
                // a communicator that does nothing leaves every rank its own value: wrong on rank 0 whenever there are 2 ranks or more
                if (got != expected) throw new IllegalStateException("NCCL all-reduce of the ranks gave " + got + ", expected " + expected);
            }
        }
        System.out.flush();
        if (failRank != null && failRank == env.rank()) return exitCode;
        if (linger > 0) Thread.sleep(linger * 1000);
        return 0;
    }
}
