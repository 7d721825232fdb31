package org.vfmtok.cli;

import java.time.Duration;
import java.util.List;
import org.vfmtok.nn.dist.Communicator;
import org.vfmtok.nn.dist.DistEnv;
import org.vfmtok.nn.dist.TcpCommunicator;
import org.vfmtok.tensor.Device;
import picocli.CommandLine.Option;

/**
 * The data-parallel side of the training commands. Under {@code ./vfm launch --nproc N} or any launcher that
 * sets torchrun's variables (RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, MASTER_PORT) the command joins the
 * job: CPU processes through {@link TcpCommunicator}. Every rank states its command line, and a rank started
 * with another one is refused at the start.
 */
final class DistOptions {
    @Option(names = "--rendezvous-timeout", defaultValue = "300", paramLabel = "S",
            description = "Data-parallel runs (vfm launch, torchrun variables): seconds to wait for every rank to arrive at the start (default: ${DEFAULT-VALUE}).")
    long rendezvousTimeout;

    @Option(names = "--peer-timeout", defaultValue = "30", paramLabel = "S",
            description = "Data-parallel runs: a rank that sends nothing, not even a heartbeat, for this many seconds is given up as lost and every rank stops (default: ${DEFAULT-VALUE}).")
    long peerTimeout;

    /** The job this process belongs to (the single-process communicator when no launcher variables are set). */
    Communicator join(String command, List<String> args, Device device) {
        DistEnv env = DistEnv.fromEnvironment();
        if (!env.isDistributed()) return Communicator.single();
        if (!device.isCpu()) throw new UnsupportedOperationException("data-parallel training on " + device + " (NCCL) is not wired yet; use --device cpu");
        if (rendezvousTimeout < 1 || peerTimeout < 1) throw new IllegalArgumentException("--rendezvous-timeout and --peer-timeout must be at least 1 s");
        int at = args.indexOf(command); // picocli's original arguments may start with the command's name
        String fingerprint = command + " " + String.join(" ", at >= 0 ? args.subList(at + 1, args.size()) : args);
        TcpCommunicator.Options o = TcpCommunicator.Options.defaults().withRendezvousTimeout(Duration.ofSeconds(rendezvousTimeout))
                .withPeerTimeout(Duration.ofSeconds(peerTimeout));
        return TcpCommunicator.create(env, fingerprint, o);
    }
}
