//! The calling thread's CPU time, for the benchmark's account of where `link`'s time
//! goes: unlike the wall clock it does not count the time another process held the
//! core, so it says what a phase costs on a busy machine too.

use std::time::Duration;

/// CPU time (user + system) the calling thread has used so far; zero where the
/// operating system does not say.
pub(crate) fn thread_cpu() -> Duration {
    #[cfg(target_os = "linux")]
    {
        #[repr(C)]
        struct Timespec {
            tv_sec: i64,
            tv_nsec: i64,
        }
        extern "C" {
            fn clock_gettime(clock: std::os::raw::c_int, tp: *mut Timespec) -> std::os::raw::c_int;
        }
        /// `CLOCK_THREAD_CPUTIME_ID` (time.h).
        const CLOCK_THREAD_CPUTIME_ID: std::os::raw::c_int = 3;
        let mut t = Timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: clock_gettime writes one timespec to the pointer it is given, which
        // points at a live, properly laid out struct (two 64-bit fields on the 64-bit
        // Linux targets this is built for).
        if cfg!(target_pointer_width = "64")
            && unsafe { clock_gettime(CLOCK_THREAD_CPUTIME_ID, &mut t) } == 0
        {
            return Duration::new(t.tv_sec as u64, t.tv_nsec as u32);
        }
    }
    Duration::ZERO
}
