package org.vfmtok.serve;

/** A server in a JVM of its own for {@link SigtermDrainTest}: random demo models, slowed steps, the SIGTERM hook of vfm serve. */
public final class DrainMain {
    private DrainMain() {}

    public static void main(String[] args) throws Exception {
        ServedModels models = ServedModels.randomDemo(0);
        VfmServer server = VfmServer.start(models, ServeOptions.defaults().withPort(0), (rows, tasks, nanos, tokens) -> {
            try {
                Thread.sleep(150);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        server.drainOnShutdown(30_000, models);
        System.out.println("port " + server.port());
        System.out.flush();
        server.awaitShutdown();
    }
}
