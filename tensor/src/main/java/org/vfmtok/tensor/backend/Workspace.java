package org.vfmtok.tensor.backend;

/**
 * Scratch and per-call state that a kernel needs to run without allocating (operand slots, score rows, the
 * parallel bodies made once), made by the backend that runs the kernel and owned by the caller. A workspace
 * serves one call at a time: two threads that call a kernel concurrently use two workspaces. The backend that
 * made it is the only one that understands it; another backend ignores it and allocates what it needs.
 */
public interface Workspace {}
