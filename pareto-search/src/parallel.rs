//! The search's parallel map: a module's few dozen kernels of ~10 µs each, shared between the calling thread
//! and the thread pool.
//!
//! Handing the whole search to the pool (`rayon::scope` from outside it) puts the caller to sleep until the
//! pool is done; on a small machine waking it again costs tens of microseconds, a tenth of a whole module's
//! search. Here the caller works too: it and `threads − 1` pool jobs take the next task from a shared counter
//! until none is left, so a pool thread that starts late only takes fewer tasks, and the caller waits for the
//! last ones by spinning, not sleeping. Results land in their task's slot, so the output is the same whatever
//! the thread count or the order tasks ran in.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

/// `(0..n).map(f)`, computed in parallel; in index order.
pub fn map<T: Send + Sync>(n: usize, f: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let helpers = rayon::current_num_threads().saturating_sub(1).min(n.saturating_sub(1));
    if helpers == 0 {
        return (0..n).map(f).collect();
    }
    let next = AtomicUsize::new(0);
    let finished = AtomicUsize::new(0);
    // Helper jobs that have started, and those that have returned.
    let (started, returned) = (AtomicUsize::new(0), AtomicUsize::new(0));
    let slots: Vec<OnceLock<T>> = (0..n).map(|_| OnceLock::new()).collect();
    let work = || loop {
        let i = next.fetch_add(1, Ordering::Relaxed);
        if i >= n {
            break;
        }
        // Counted on drop, so a task that panics is counted too (the scope then re-raises its panic).
        let _finished = Finished(&finished);
        if slots[i].set(f(i)).is_err() {
            unreachable!("task {i} is taken once");
        }
    };
    rayon::in_place_scope(|s| {
        for _ in 0..helpers {
            s.spawn(|_| {
                started.fetch_add(1, Ordering::Relaxed);
                // Counted on drop, so a helper whose task panics counts as returned too.
                let _returned = Finished(&returned);
                work();
            });
        }
        work();
        // The pool's last tasks are at most one per helper, each ~10 µs: wait for them awake, yielding now and
        // then in case their thread is not running. Wait also for the started helpers to return: the scope's own
        // wait, reached before a helper's job has signalled its end, puts a caller from outside the pool to sleep
        // on a lock (measured: ~3 µs per call to wake again, against ~1.5 µs this way). A helper that has not
        // started is left to the scope (it will find no task).
        let mut spins = 0u32;
        while finished.load(Ordering::Acquire) < n || returned.load(Ordering::Acquire) < started.load(Ordering::Acquire)
        {
            spins += 1;
            if spins % 64 == 0 {
                std::thread::yield_now();
            } else {
                std::hint::spin_loop();
            }
        }
    });
    slots
        .into_iter()
        .map(|s| s.into_inner().expect("every task ran"))
        .collect()
}

/// Counts a task as finished when dropped.
struct Finished<'a>(&'a AtomicUsize);

impl Drop for Finished<'_> {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::Release);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn results_are_in_index_order_whatever_the_threads() {
        for threads in [1, 2, 4] {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            for n in [0, 1, 2, 7, 100] {
                let got = pool.install(|| super::map(n, |i| i * i));
                assert_eq!(
                    got,
                    (0..n).map(|i| i * i).collect::<Vec<_>>(),
                    "{threads} threads, {n} tasks"
                );
            }
            // From outside the pool too (the caller works beside the global pool).
            assert_eq!(super::map(50, |i| i + 1), (1..=50).collect::<Vec<_>>());
        }
    }

    #[test]
    fn a_panicking_task_panics_the_caller_instead_of_hanging_it() {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
        for bad in [0, 5, 19] {
            let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                pool.install(|| super::map(20, |i| if i == bad { panic!("task {i}") } else { i }))
            }));
            assert!(r.is_err(), "task {bad}");
        }
    }

    #[test]
    fn a_task_panicking_on_a_helper_thread_panics_the_caller_instead_of_hanging_it() {
        // Tasks panic only off the calling thread, and sleep so that the helper surely takes some. Run on a
        // thread of its own with a deadline, so that a hang fails the test instead of stalling the suite.
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
            let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                pool.install(|| {
                    let caller = rayon::current_thread_index();
                    super::map(20, |i| {
                        std::thread::sleep(std::time::Duration::from_millis(2));
                        if rayon::current_thread_index() != caller {
                            panic!("task {i} on a helper");
                        }
                        i
                    })
                })
            }));
            let _ = tx.send(r.is_err());
        });
        let panicked = rx
            .recv_timeout(std::time::Duration::from_secs(20))
            .expect("the caller hung after a helper's task panicked");
        assert!(panicked, "the helper's panic reached the caller");
    }
}
