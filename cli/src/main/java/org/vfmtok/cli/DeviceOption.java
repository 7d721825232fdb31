package org.vfmtok.cli;

import java.util.Locale;
import org.vfmtok.tensor.Device;
import org.vfmtok.tensor.cuda.Cuda;
import picocli.CommandLine.Option;

/**
 * {@code --device cpu|cuda[:N]} of the commands that run a model. The CPU is the only device models can be
 * placed on today: {@code cuda} fails with the reason (no GPU visible, or models cannot be moved to one yet)
 * instead of silently running on the CPU.
 */
final class DeviceOption {
    @Option(names = "--device", paramLabel = "DEV", description = {"Where the model runs: cpu, or cuda / cuda:N (a GPU). Default: cpu (cuda is not",
            "usable yet: models cannot be placed on a GPU, and --device cuda says so)."})
    String device;

    /** The device asked for; fails naming the option and the reason when it cannot be used. */
    Device resolve() {
        if (device == null) return Device.CPU;
        String d = device.trim().toLowerCase(Locale.ROOT);
        if (d.equals("cpu")) return Device.CPU;
        if (!d.matches("cuda(:\\d+)?")) throw new IllegalArgumentException("--device " + device + ": expected cpu, cuda or cuda:N");
        int index = d.equals("cuda") ? 0 : Integer.parseInt(d.substring(5));
        int count = Cuda.deviceCount();
        if (count == 0) throw new IllegalArgumentException("--device " + device + ": no CUDA device is visible (" + Cuda.status() + "); use --device cpu");
        if (index >= count) throw new IllegalArgumentException("--device " + device + ": this machine has " + count + " CUDA device(s)");
        throw new UnsupportedOperationException("--device " + device + ": the models cannot be placed on a GPU yet (Module.to(Device) is not"
                + " implemented); use --device cpu");
    }
}
