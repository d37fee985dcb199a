//! The local workers' wake-up call.

use tokio::sync::watch;

/// Tells the workers that messages were written. Each lane watches it; a wake-up that comes while
/// a lane is busy is not lost, the lane looks again when it is done.
#[derive(Debug)]
pub struct Wake(watch::Sender<u64>);

impl Default for Wake {
    fn default() -> Wake {
        Wake(watch::channel(0).0)
    }
}

impl Wake {
    /// Messages were written: every lane should look.
    pub fn notify(&self) {
        self.0.send_modify(|n| *n = n.wrapping_add(1));
    }

    pub(super) fn subscribe(&self) -> watch::Receiver<u64> {
        self.0.subscribe()
    }
}
