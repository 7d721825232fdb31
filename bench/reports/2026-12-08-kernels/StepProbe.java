import java.lang.management.ManagementFactory;
import org.vfmtok.llama.*;

/**
 * Decode-step time of a GPT preset: args MODEL ROWS ROUNDS STEPS; prints the best and median wall ms per step and
 * the median process CPU ms per step (CPU time leaves out the hypervisor's steal, which swamps wall times on this VM).
 */
public class StepProbe {
    public static void main(String[] a) {
        String model = a[0];
        int rows = Integer.parseInt(a[1]), rounds = Integer.parseInt(a[2]), steps = Integer.parseInt(a[3]);
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        GPT g = GPT.random(GPTConfig.preset(model), 1);
        int[] labels = new int[rows], tokens = new int[rows];
        double[] ms = new double[rounds], cpu = new double[rounds];
        try (KVDecoder d = new KVDecoder(g, rows)) {
            for (int r = -3; r < rounds; r++) {    // 3 warm-up rounds
                d.reset();
                d.prefill(labels);
                long t0 = System.nanoTime(), c0 = os.getProcessCpuTime();
                for (int s = 0; s < steps; s++) {
                    for (int i = 0; i < rows; i++) tokens[i] = (s * 31 + i * 7) % 1000;
                    d.step(tokens, rows);
                }
                if (r >= 0) {
                    ms[r] = (System.nanoTime() - t0) / 1e6 / steps;
                    cpu[r] = (os.getProcessCpuTime() - c0) / 1e6 / steps;
                }
            }
        }
        java.util.Arrays.sort(ms);
        java.util.Arrays.sort(cpu);
        System.out.printf("%s rows %d: best %.3f ms/step, median %.3f, cpu median %.3f ms/step%n", model, rows, ms[0], ms[rounds / 2], cpu[rounds / 2]);
    }
}
