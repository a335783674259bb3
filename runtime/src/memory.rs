//! The prover process's allocator setting: one glibc malloc arena for every thread.
//!
//! glibc gives each thread that allocates its own arena and keeps what a thread frees in that
//! arena for reuse instead of returning it to the system, so a process whose rayon threads take
//! turns holding the trace's large buffers peaks at a different RSS from run to run (tens of MB
//! on the 4096-row models), which `stark::estimate_memory` and `--max-memory` cannot predict. With
//! one arena the freed memory is reused by whichever thread allocates next. The prover's
//! threads allocate rarely (whole columns and per-chunk scratch), so the shared arena's lock costs
//! nothing measurable.

/// Makes glibc's malloc use one arena for every thread (on Linux with glibc; elsewhere nothing
/// happens). Call it at the start of a process that proves, before it starts threads.
pub fn single_malloc_arena() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    #[allow(unsafe_code)]
    // SAFETY: `mallopt` sets one of glibc's documented tuning parameters (`M_ARENA_MAX`, with a
    // positive value); it reads and writes no memory the caller owns, and glibc serializes it
    // with allocation.
    unsafe {
        let _ = libc::mallopt(libc::M_ARENA_MAX, 1);
    }
}
