package org.vfmtok.nn.dist;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The torchrun-style environment of one process of a distributed job: RANK (global), WORLD_SIZE,
 * LOCAL_RANK (the GPU index on this machine), MASTER_ADDR and MASTER_PORT (where rank 0's rendezvous
 * listens). {@code ./vfm launch} sets them; so does torchrun. Without RANK and WORLD_SIZE the process
 * is alone ({@link #single()}).
 */
public record DistEnv(int rank, int worldSize, int localRank, String masterAddr, int masterPort) {
    public static final String RANK = "RANK", WORLD_SIZE = "WORLD_SIZE", LOCAL_RANK = "LOCAL_RANK",
            MASTER_ADDR = "MASTER_ADDR", MASTER_PORT = "MASTER_PORT";

    public DistEnv {
        List<String> errors = validate(rank, worldSize, localRank, masterAddr, masterPort);
        if (!errors.isEmpty()) throw new IllegalArgumentException("invalid distributed environment: " + String.join("; ", errors));
    }

    /** A single process: rank 0 of 1. */
    public static DistEnv single() { return new DistEnv(0, 1, 0, "127.0.0.1", 0); }

    public boolean isDistributed() { return worldSize > 1; }

    public boolean isLeader() { return rank == 0; }

    /** From this process's environment variables. */
    public static DistEnv fromEnvironment() { return fromEnvironment(System.getenv()); }

    /**
     * Parses the variables; every problem is reported at once, naming the variable and its value. RANK and
     * WORLD_SIZE must both be set or both absent; LOCAL_RANK defaults to RANK; MASTER_ADDR to 127.0.0.1;
     * MASTER_PORT is required when WORLD_SIZE > 1.
     */
    public static DistEnv fromEnvironment(Map<String, String> env) {
        String r = env.get(RANK), w = env.get(WORLD_SIZE);
        if (r == null && w == null) {
            if (env.get(LOCAL_RANK) != null || env.get(MASTER_PORT) != null) {
                throw new IllegalArgumentException("invalid distributed environment: LOCAL_RANK/MASTER_PORT are set but RANK and WORLD_SIZE are not");
            }
            return single();
        }
        List<String> errors = new ArrayList<>();
        Integer rank = parse(env, RANK, errors, true);
        Integer world = parse(env, WORLD_SIZE, errors, true);
        Integer local = env.get(LOCAL_RANK) == null ? rank : parse(env, LOCAL_RANK, errors, false);
        String addr = env.getOrDefault(MASTER_ADDR, "127.0.0.1");
        Integer port = env.get(MASTER_PORT) == null ? (world != null && world > 1 ? null : 0) : parse(env, MASTER_PORT, errors, false);
        if (port == null && world != null && world > 1) errors.add("MASTER_PORT is required when WORLD_SIZE > 1");
        if (!errors.isEmpty()) throw new IllegalArgumentException("invalid distributed environment: " + String.join("; ", errors));
        return new DistEnv(rank, world, local == null ? 0 : local, addr, port == null ? 0 : port);
    }

    private static Integer parse(Map<String, String> env, String key, List<String> errors, boolean required) {
        String v = env.get(key);
        if (v == null) {
            if (required) errors.add(key + " is not set");
            return null;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            errors.add(key + "='" + v + "' is not an integer");
            return null;
        }
    }

    private static List<String> validate(int rank, int worldSize, int localRank, String addr, int port) {
        List<String> e = new ArrayList<>();
        if (worldSize < 1) e.add("WORLD_SIZE=" + worldSize + " must be at least 1");
        if (rank < 0 || (worldSize >= 1 && rank >= worldSize)) e.add("RANK=" + rank + " must be in [0, WORLD_SIZE=" + worldSize + ")");
        if (localRank < 0) e.add("LOCAL_RANK=" + localRank + " must be >= 0");
        if (addr == null || addr.isBlank()) e.add("MASTER_ADDR is empty");
        if (port < 0 || port > 65535 || (worldSize > 1 && port == 0)) e.add("MASTER_PORT=" + port + " must be in [1, 65535]");
        return e;
    }
}
