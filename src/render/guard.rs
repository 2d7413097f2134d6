//! Guards around the template engine: a panic becomes an error, and a template that builds
//! values too large for memory stops the process with a located error.
//!
//! minijinja 3.1 panics on some invalid templates (`{% import "x" as 1 %}` reaches an
//! `unreachable!` in its code generator). Compiling and rendering run inside [`catch`], which
//! returns the panic as an error naming the template; the panic hook stays quiet for those
//! threads only, so the user sees one located error and no backtrace.
//!
//! Fuel bounds the instructions a template runs, not the bytes: `{% set ns.s = ns.s ~ ns.s %}`
//! in a 28-step loop is a few hundred instructions and a 2 GiB string. No engine hook sees a
//! concatenation, and an allocator may not fail politely (a failed allocation aborts), so
//! [`watch`] arms a watchdog while templates execute: every [`POLL`] it reads the heap the
//! counting allocator holds and, past [`RENDER_MEMORY`], prints which template was running and
//! exits with status 2. Nothing is written before templates finish (output is staged), so the
//! exit leaves nothing half-written.

use std::cell::Cell;
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, Once, OnceLock};
use std::thread::{self, Thread};
use std::time::Duration;

/// The heap the process may hold while templates execute. A render of the bundled chart
/// holds under 10 MiB; the largest output a render may print is 64 MiB.
pub const RENDER_MEMORY: usize = 192 << 20;

/// How often the watchdog reads the heap while templates execute.
const POLL: Duration = Duration::from_millis(2);

/// Every allocation is counted, so the watchdog can read the heap held.
#[global_allocator]
static HEAP: cap::Cap<std::alloc::System> = cap::Cap::new(std::alloc::System, usize::MAX);

/// How many renders are executing templates now.
static ARMED: AtomicUsize = AtomicUsize::new(0);

/// The template executing last, for the watchdog's message.
static RUNNING: Mutex<String> = Mutex::new(String::new());

/// Runs `f` (executing the template `template`) with the memory watchdog armed.
pub fn watch<T>(template: &str, f: impl FnOnce() -> T) -> T {
    static WATCHDOG: OnceLock<Thread> = OnceLock::new();
    if let Ok(mut running) = RUNNING.lock() {
        running.clear();
        running.push_str(template);
    }
    ARMED.fetch_add(1, Ordering::SeqCst);
    let watchdog = WATCHDOG.get_or_init(|| {
        thread::Builder::new()
            .name("render-memory".to_owned())
            .spawn(watchdog)
            .map_or_else(|_| thread::current(), |handle| handle.thread().clone())
    });
    watchdog.unpark();
    let result = f();
    ARMED.fetch_sub(1, Ordering::SeqCst);
    result
}

fn watchdog() {
    loop {
        if ARMED.load(Ordering::SeqCst) == 0 {
            thread::park();
            continue;
        }
        if HEAP.allocated() > RENDER_MEMORY {
            let template = RUNNING.lock().map(|t| t.clone()).unwrap_or_default();
            eprintln!(
                "error: {template}: rendering holds more than {} MiB of memory\n  hint: a template builds a value this large (a string or list doubled in a loop?); build it from the values instead",
                RENDER_MEMORY >> 20
            );
            std::process::exit(2);
        }
        thread::sleep(POLL);
    }
}

thread_local! {
    static GUARDED: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f`; a panic becomes `Err` with its message.
pub fn catch<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if !GUARDED.with(Cell::get) {
                previous(info);
            }
        }));
    });
    let was = GUARDED.with(|g| g.replace(true));
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    GUARDED.with(|g| g.set(was));
    result.map_err(|payload| {
        payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_an_error() {
        assert_eq!(catch(|| 1), Ok(1));
        let err = catch(|| -> i32 { panic!("boom {}", 1) }).unwrap_err();
        assert_eq!(err, "boom 1");
    }
}
