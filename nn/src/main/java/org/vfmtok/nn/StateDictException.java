package org.vfmtok.nn;

/** A checkpoint that does not fit the model; the message lists every problem at once. */
public final class StateDictException extends IllegalArgumentException {
    private final transient LoadReport report;

    public StateDictException(String model, LoadReport report) {
        super("checkpoint does not fit " + model + ":\n" + report);
        this.report = report;
    }

    public LoadReport report() { return report; }
}
