//! Shutting down on purpose.
//!
//! Why this exists: a server that is stopped (SIGTERM from systemd, Ctrl-C, a rolling restart)
//! must not just vanish. It stops accepting, tells every POS it is going away (close code
//! `1001`, so the POS reconnects to another node at once), lets requests in flight finish for a
//! grace period, writes out the request log it still holds, and stops the payment closer
//! between two steps. Every long-running task gets a [`Shutdown`] and watches it; the server
//! holds the one [`ShutdownTrigger`]. (After tokio's mini-redis `shutdown.rs`.)

use tokio::sync::watch;

/// The side that starts the shutdown; dropping it starts it too.
#[derive(Debug)]
pub struct ShutdownTrigger {
    sender: watch::Sender<bool>,
}

/// A task's view of the shutdown: has it started, and a future that completes when it does.
#[derive(Debug, Clone)]
pub struct Shutdown {
    receiver: watch::Receiver<bool>,
}

/// A new trigger and the first listener (clone it for every task).
pub fn channel() -> (ShutdownTrigger, Shutdown) {
    let (sender, receiver) = watch::channel(false);
    (ShutdownTrigger { sender }, Shutdown { receiver })
}

impl ShutdownTrigger {
    /// Starts the shutdown; every listener's [`Shutdown::recv`] completes.
    pub fn trigger(&self) {
        self.sender.send_replace(true);
    }

    /// Another listener.
    pub fn subscribe(&self) -> Shutdown {
        Shutdown { receiver: self.sender.subscribe() }
    }
}

impl Shutdown {
    /// True once the shutdown has started (the trigger fired, or was dropped).
    pub fn is_shutdown(&self) -> bool {
        // `has_changed` fails once the trigger is gone: without this, a task whose server was
        // dropped (aborted) would loop on a `recv` that completes at once, for ever.
        *self.receiver.borrow() || self.receiver.has_changed().is_err()
    }

    /// Completes when the shutdown starts (at once if it has).
    pub async fn recv(&mut self) {
        // An error means the trigger was dropped: that is a shutdown too.
        let _ = self.receiver.wait_for(|started| *started).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn every_listener_hears_the_trigger_even_one_that_subscribed_late() {
        let (trigger, mut early) = channel();
        assert!(!early.is_shutdown());
        trigger.trigger();
        let mut late = trigger.subscribe();
        early.recv().await;
        late.recv().await;
        assert!(early.is_shutdown() && late.is_shutdown());
    }

    #[tokio::test]
    async fn dropping_the_trigger_shuts_down() {
        let (trigger, mut listener) = channel();
        assert!(!listener.is_shutdown());
        drop(trigger);
        assert!(listener.is_shutdown(), "a task's loop sees it, not only its `recv`");
        listener.recv().await;
    }
}
