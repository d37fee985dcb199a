//! Who stands where once the room opens: every ticket taken during the pre-queue gets a uniformly
//! random place among all of them (a [`Shuffle`] drawn at the opening), so arriving at 15:31 or at
//! 15:59 makes no difference; tickets taken after the opening queue behind them in arrival order.

use super::shuffle::Shuffle;

/// When a ticket was taken, relative to the opening, and its number in that period (a counter:
/// the `index`-th ticket of the pre-queue, or of the queue after the opening).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Arrival {
    /// Taken before the opening, during the pre-queue.
    PreQueue { index: u64 },
    /// Taken after the opening.
    Queue { index: u64 },
}

/// The line as fixed when the room opened.
#[derive(Debug, Clone)]
pub struct Line {
    shuffle: Shuffle,
}

impl Line {
    /// The line of an opening with `pre_queue` tickets taken before it, shuffled under `key`
    /// (drawn at the opening from a CSPRNG and kept secret).
    pub fn new(key: [u8; 32], pre_queue: u64) -> Line {
        Line {
            shuffle: Shuffle::new(key, pre_queue),
        }
    }

    /// How many tickets were taken before the opening.
    pub fn pre_queue(&self) -> u64 {
        self.shuffle.len()
    }

    /// The ticket's place (0 is let in first): the pre-queue's shuffled among themselves, then
    /// everyone later in the order they came. `None` for a pre-queue number the line never had
    /// (a forged or stale ticket).
    pub fn place(&self, arrival: Arrival) -> Option<u64> {
        match arrival {
            Arrival::PreQueue { index } if index < self.shuffle.len() => Some(self.shuffle.place(index)),
            Arrival::PreQueue { .. } => None,
            Arrival::Queue { index } => self.shuffle.len().checked_add(index),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn later_arrivals_queue_behind_the_pre_queue_in_the_order_they_came() {
        let line = Line::new([9; 32], 500);
        let places: Vec<u64> = (0..100)
            .map(|index| line.place(Arrival::Queue { index }).unwrap())
            .collect();
        assert_eq!(places, (500..600).collect::<Vec<_>>());
        let worst_pre_queue = (0..500)
            .map(|index| line.place(Arrival::PreQueue { index }).unwrap())
            .max()
            .unwrap();
        assert_eq!(
            worst_pre_queue, 499,
            "every pre-queue ticket is ahead of every later one"
        );
    }

    #[test]
    fn a_pre_queue_number_the_line_never_had_has_no_place() {
        let line = Line::new([1; 32], 10);
        assert_eq!(line.place(Arrival::PreQueue { index: 10 }), None);
        assert_eq!(Line::new([1; 32], 0).place(Arrival::PreQueue { index: 0 }), None);
        assert_eq!(Line::new([1; 32], 0).place(Arrival::Queue { index: 0 }), Some(0));
    }
}
