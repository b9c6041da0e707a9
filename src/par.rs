//! Spreading independent work over the cores.
//!
//! Turning a big document's items into entries, and folding them for the filter, is work
//! per item with nothing shared: on a machine with two or more cores, a big first fetch
//! shows up sooner when every core takes a stretch of the items.

/// `f` over every item, in order, with the items split into one stretch per core (at most
/// four); fewer than `min_per_thread` items per core stay on this thread.
pub fn map<T: Sync, U: Send>(
    items: &[T],
    min_per_thread: usize,
    f: impl Fn(&T) -> U + Sync,
) -> Vec<U> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
    let threads = cores.min(items.len() / min_per_thread.max(1)).max(1);
    if threads == 1 {
        return items.iter().map(f).collect();
    }
    let step = items.len().div_ceil(threads);
    let f = &f;
    std::thread::scope(|scope| {
        let mut stretches = items.chunks(step);
        let first = stretches.next().unwrap_or_default();
        let others: Vec<_> = stretches
            .map(|stretch| scope.spawn(move || stretch.iter().map(f).collect::<Vec<U>>()))
            .collect();
        let mut out = Vec::with_capacity(items.len());
        out.extend(first.iter().map(f));
        for other in others {
            out.extend(
                other
                    .join()
                    .unwrap_or_else(|e| std::panic::resume_unwind(e)),
            );
        }
        out
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
    #[should_panic(expected = "boom")]
    fn a_panic_in_a_stretch_reaches_the_caller() {
        let items: Vec<usize> = (0..100).collect();
        map(&items, 1, |&x| if x == 99 { panic!("boom") } else { x });
    }
}
