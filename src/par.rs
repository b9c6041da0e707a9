//! Spreading independent work over the cores.
//!
//! Turning a big document's items into entries, folding them for the filter, and a filter
//! pass over a big blog are work per item with nothing shared: on a machine with two or
//! more cores, each core takes a share of the items: one stretch each ([`each`]), or the
//! next small block left until none is ([`map`]).

use std::collections::VecDeque;
use std::ops::Range;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

/// `0..len` cut into consecutive stretches, one per core (at most four), each at least
/// `min` long unless there is only one. Empty when `len` is 0.
pub fn stretches(len: usize, min: usize) -> Vec<Range<usize>> {
    let threads = cores().min(len / min.max(1)).max(1);
    let step = len.div_ceil(threads).max(1);
    (0..len)
        .step_by(step)
        .map(|s| s..len.min(s + step))
        .collect()
}

/// The cores to spread work over (at most four), asked of the system once.
///
/// Asking costs about 45 µs on Linux (the standard library reads the process's cgroup
/// files and its CPU affinity each time), and a big document is read in a few hundred
/// runs, each spread over the cores: asked per run, it came to 1–2 % of the reading.
fn cores() -> usize {
    static CORES: OnceLock<usize> = OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get().min(4)))
}

/// `f` over every stretch, each on a thread of its own (the first on this one); the results
/// in the order of the stretches. A panic in any of them reaches the caller.
pub fn each<U: Send>(stretches: &[Range<usize>], f: impl Fn(Range<usize>) -> U + Sync) -> Vec<U> {
    let f = &f;
    run_all(stretches.iter().map(|r| move || f(r.clone())).collect())
}

/// Every job, each on a thread of its own but the first (run on this one); the results in
/// the order of the jobs. A panic in any of them reaches the caller.
fn run_all<U: Send, J: FnOnce() -> U + Send>(jobs: Vec<J>) -> Vec<U> {
    let mut jobs = jobs.into_iter();
    let Some(first) = jobs.next() else {
        return Vec::new();
    };
    std::thread::scope(|scope| {
        let others: Vec<_> = jobs.map(|job| scope.spawn(job)).collect();
        let mut out = Vec::with_capacity(others.len() + 1);
        out.push(first());
        for other in others {
            out.push(
                other
                    .join()
                    .unwrap_or_else(|e| std::panic::resume_unwind(e)),
            );
        }
        out
    })
}

/// `f` over every item, in order, on as many cores as there are stretches of at least
/// `min_per_thread` items (fewer stay on this thread).
///
/// The threads take the items in small blocks, each the next block left, rather than one
/// fixed stretch each: a core that something else (the download, the screen) holds back
/// for a while then does less, instead of the others waiting for it at the end.
pub fn map<T: Sync, U: Send>(
    items: &[T],
    min_per_thread: usize,
    f: impl Fn(&T) -> U + Sync,
) -> Vec<U> {
    let threads = stretches(items.len(), min_per_thread).len();
    if threads <= 1 {
        return items.iter().map(f).collect();
    }
    let block = (items.len() / (threads * BLOCKS_PER_THREAD)).max(1);
    let next = AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let start = next.fetch_add(block, Ordering::Relaxed);
            if start >= items.len() {
                return done;
            }
            let part = &items[start..items.len().min(start + block)];
            done.push((start, part.iter().map(&f).collect::<Vec<U>>()));
        }
    };
    let mut parts: Vec<(usize, Vec<U>)> = run_all(vec![&work; threads])
        .into_iter()
        .flatten()
        .collect();
    parts.sort_unstable_by_key(|(start, _)| *start);
    let mut out = Vec::with_capacity(items.len());
    parts.into_iter().for_each(|(_, part)| out.extend(part));
    out
}

/// How many blocks [`map`] cuts each thread's share into.
const BLOCKS_PER_THREAD: usize = 8;

/// [`map`] over items that `f` may change.
pub fn map_mut<T: Send, U: Send>(
    items: &mut [T],
    min_per_thread: usize,
    f: impl Fn(&mut T) -> U + Sync,
) -> Vec<U> {
    let stretches = stretches(items.len(), min_per_thread);
    let Some(step) = stretches.first().map(|r| r.len().max(1)) else {
        return Vec::new();
    };
    let f = &f;
    let jobs: Vec<_> = items
        .chunks_mut(step)
        .map(|chunk| move || chunk.iter_mut().map(f).collect::<Vec<U>>())
        .collect();
    let parts = run_all(jobs);
    let mut out = Vec::with_capacity(items.len());
    parts.into_iter().for_each(|part| out.extend(part));
    out
}

/// A job for a [`Helper`].
pub type Job<'a, R> = Box<dyn FnOnce() -> R + Send + 'a>;

/// One other thread that does jobs while this one goes on with something else; the results
/// come back in the order the jobs were given.
///
/// A document read while it arrives comes in runs of items: this thread cuts the next run
/// out of the bytes while the helper makes the entries of the last. A job goes to the
/// helper while it has fewer than [`Helper::OUT`], else it is done here: the work is
/// shared between the two without either waiting for the other, which [`map`] over each
/// run cannot do (its threads start with the run and all end before the next run is cut).
/// The reading thread also cuts the runs, so the helper is let take a few ahead.
pub struct Helper<'a, R> {
    jobs: mpsc::Sender<Job<'a, R>>,
    done: mpsc::Receiver<R>,
    /// Jobs handed over whose results have not come back.
    out: usize,
    /// The results not taken yet, in the order of their jobs: `None` while the helper has
    /// it.
    results: VecDeque<Option<R>>,
}

impl<'a, R: Send + 'a> Helper<'a, R> {
    /// A helper on a thread of `scope`, or `None` on a machine with one core (where it
    /// would only take turns with this thread).
    pub fn start<'scope, 'env>(scope: &'scope std::thread::Scope<'scope, 'env>) -> Option<Self>
    where
        'a: 'scope,
    {
        if cores() < 2 {
            return None;
        }
        let (jobs, todo) = mpsc::channel::<Job<'a, R>>();
        let (finished, done) = mpsc::channel();
        scope.spawn(move || {
            for job in todo {
                if finished.send(job()).is_err() {
                    return;
                }
            }
        });
        Some(Helper {
            jobs,
            done,
            out: 0,
            results: VecDeque::new(),
        })
    }

    /// The jobs the helper may have at once (one being done, the others waiting).
    pub const OUT: usize = 4;

    /// Do `job`: on the helper if it has fewer than [`Helper::OUT`], else here and now.
    pub fn run(&mut self, job: Job<'a, R>) {
        if self.out < Self::OUT {
            // The thread ends early only by a panic, which the scope passes on.
            assert!(self.jobs.send(job).is_ok(), "the helper thread ended");
            self.out += 1;
            self.results.push_back(None);
        } else {
            self.results.push_back(Some(job()));
        }
    }

    /// The result of the oldest job whose result was not taken yet, if it is done (when
    /// `wait`, once it is). `None` when every result was taken, or it is not done.
    pub fn next(&mut self, wait: bool) -> Option<R> {
        if let Some(slot @ None) = self.results.front_mut() {
            let result = if wait {
                self.done.recv().ok()
            } else {
                match self.done.try_recv() {
                    Ok(r) => Some(r),
                    Err(mpsc::TryRecvError::Empty) => return None,
                    Err(mpsc::TryRecvError::Disconnected) => None,
                }
            };
            let Some(result) = result else {
                panic!("the helper thread ended");
            };
            self.out -= 1;
            // The helper does its jobs in order: this is the oldest it had.
            *slot = Some(result);
        }
        self.results.pop_front().flatten()
    }

    /// Whether every result was taken.
    pub fn is_empty(&self) -> bool {
        self.results.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cores_are_the_systems_at_most_four() {
        let system = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
        assert_eq!(cores(), system);
        assert_eq!(cores(), system, "the second answer is the first");
        assert_eq!(stretches(1_000_000, 1).len(), system);
    }

    #[test]
    fn stretches_cover_everything_once_in_order() {
        for len in [0, 1, 7, 100, 4097] {
            for min in [1, 10, 5000] {
                let s = stretches(len, min);
                let joined: Vec<usize> = s.iter().flat_map(|r| r.clone()).collect();
                assert_eq!(joined, (0..len).collect::<Vec<_>>(), "{len} {min}");
                assert!(
                    s.len() <= 4 && (s.len() <= 1 || s.iter().all(|r| r.len() >= min.min(len)))
                );
            }
        }
    }

    #[test]
    fn map_mut_changes_every_item_once_and_answers_in_order() {
        for len in [0, 1, 5, 1000] {
            let mut items: Vec<usize> = (0..len).collect();
            let out = map_mut(&mut items, 10, |x| {
                *x += 1;
                *x * 2
            });
            assert_eq!(items, (1..=len).collect::<Vec<_>>());
            assert_eq!(out, (1..=len).map(|x| x * 2).collect::<Vec<_>>());
        }
    }

    #[test]
    fn results_come_in_order_whatever_the_split() {
        for n in [0, 1, 7, 100, 1000, 4097] {
            let items: Vec<usize> = (0..n).collect();
            for min in [1, 10, 5000] {
                let out = map(&items, min, |x| x * 2);
                assert_eq!(
                    out,
                    items.iter().map(|x| x * 2).collect::<Vec<_>>(),
                    "{n} {min}"
                );
            }
        }
    }

    #[test]
    fn a_helper_gives_results_back_in_the_order_of_its_jobs() {
        std::thread::scope(|scope| {
            let Some(mut helper) = Helper::start(scope) else {
                return; // one core: nothing to help with
            };
            assert!(helper.is_empty());
            assert_eq!(helper.next(false), None, "no job yet");
            let here = std::thread::current().id();
            let on = move |n: usize| (n, std::thread::current().id() == here);
            // The helper's first job waits until it is told to go on.
            let (go, wait) = mpsc::channel::<()>();
            helper.run(Box::new(move || {
                wait.recv().unwrap();
                on(0)
            }));
            let out = Helper::<(usize, bool)>::OUT;
            for n in 1..out {
                helper.run(Box::new(move || on(n)));
            }
            // The helper has all it may have: the next is done here, at once.
            helper.run(Box::new(move || on(out)));
            assert_eq!(helper.next(false), None, "the first is not done");
            go.send(()).unwrap();
            helper.run(Box::new(move || on(out + 1)));
            let mut got = Vec::new();
            while let Some(r) = helper.next(true) {
                got.push(r);
            }
            let mut want: Vec<_> = (0..out).map(|n| (n, false)).collect();
            want.push((out, true));
            assert_eq!(got[..=out], want);
            assert_eq!(got[out + 1].0, out + 1);
            assert_eq!(got.len(), out + 2);
            assert!(helper.is_empty());
        });
    }

    #[test]
    fn a_panic_in_a_helper_reaches_the_scope() {
        if cores() < 2 {
            return; // no helper on one core
        }
        let caught = std::panic::catch_unwind(|| {
            std::thread::scope(|scope| {
                let mut helper = Helper::start(scope).expect("two cores");
                helper.run(Box::new(|| panic!("boom")));
                let _: Option<()> = helper.next(true);
            })
        });
        let why = caught.expect_err("the panic");
        assert_eq!(why.downcast_ref::<&str>(), Some(&"the helper thread ended"));
    }

    #[test]
    #[should_panic(expected = "boom")]
    fn a_panic_in_a_stretch_reaches_the_caller() {
        let items: Vec<usize> = (0..100).collect();
        map(&items, 1, |&x| if x == 99 { panic!("boom") } else { x });
    }
}
