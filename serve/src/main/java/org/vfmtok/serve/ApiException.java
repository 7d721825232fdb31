package org.vfmtok.serve;

/** A request the service refuses: its HTTP status (4xx) and a one-line message sent as {@code {"error": ...}}. */
public final class ApiException extends RuntimeException {
    private final int status;
    private final Long retryAfterSeconds;

    public ApiException(int status, String message) {
        this(status, message, null);
    }

    public ApiException(int status, String message, Long retryAfterSeconds) {
        super(message, null, false, false);
        this.status = status;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public static ApiException badRequest(String message) { return new ApiException(400, message); }

    public int status() { return status; }

    /** Seconds for a {@code Retry-After} header, or null. */
    public Long retryAfterSeconds() { return retryAfterSeconds; }
}
