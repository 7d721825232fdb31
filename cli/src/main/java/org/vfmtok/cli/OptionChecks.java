package org.vfmtok.cli;

/**
 * Range checks of numeric options, run before a command reads or writes anything: a zero batch or shard size
 * would otherwise surface as a bare "/ by zero" deep inside, or as a loop that never ends.
 */
final class OptionChecks {
    private OptionChecks() {}

    /** Refuses {@code value} below {@code min}, naming the option. */
    static void atLeast(String option, long min, long value) {
        if (value < min) throw new IllegalArgumentException(option + " must be at least " + min + ", got " + value);
    }
}
