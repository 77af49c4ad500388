//! Group commit for `appendfsync always`: one fsync for every client that
//! wrote in the same turn of the event loop, as Redis's `beforeSleep`
//! flushes the AOF once before any reply of that turn leaves.
//!
//! A connection that has buffered writes asks for a flush and waits for
//! it. The flush runs in its own task, which the first request wakes: it
//! is queued behind every connection already woken in this turn, so by
//! the time it runs they have all executed their commands and their
//! writes share the fsync.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use tokio::sync::Notify;

use crate::server::Server;

/// The flush requests and completions shared by connections and the
/// flushing task.
#[derive(Debug, Default)]
pub struct GroupCommit {
    requested: Notify,
    durable: Notify,
    /// Flushes completed so far.
    completed: Cell<u64>,
    /// A flush is requested and has not started yet: later requests of
    /// the same turn ride on it.
    pending: Cell<bool>,
}

impl GroupCommit {
    /// Waits until a flush that starts after this call has completed, so
    /// whatever the caller buffered before is on disk.
    pub async fn wait_durable(&self) {
        let target = self.completed.get() + 1;
        if !self.pending.replace(true) {
            self.requested.notify_one();
        }
        loop {
            let done = self.durable.notified();
            tokio::pin!(done);
            done.as_mut().enable();
            if self.completed.get() >= target {
                return;
            }
            done.await;
        }
    }
}

/// The flushing task: on each request, writes and fsyncs the buffer, then
/// releases every connection waiting for it.
pub async fn run(shared: Rc<RefCell<Server>>) {
    let commit = shared.borrow().aof_group_commit.clone();
    serve(&commit, || super::write_pending(&mut shared.borrow_mut())).await;
}

/// Runs `flush` once per batch of requests, forever.
async fn serve(commit: &GroupCommit, mut flush: impl FnMut()) {
    loop {
        commit.requested.notified().await;
        // One pass of the I/O driver first: clients whose requests arrived
        // while the last fsync ran join this one instead of the next.
        tokio::task::yield_now().await;
        commit.pending.set(false);
        flush();
        commit.completed.set(commit.completed.get() + 1);
        commit.durable.notify_waiters();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_writers_of_one_turn_share_one_flush() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let local = tokio::task::LocalSet::new();
        local.block_on(&runtime, async {
            let commit = Rc::new(GroupCommit::default());
            let flushes = Rc::new(Cell::new(0));
            let buffered = Rc::new(Cell::new(0));
            let durable = Rc::new(Cell::new(0));
            {
                let (commit, flushes, buffered, durable) = (
                    commit.clone(),
                    flushes.clone(),
                    buffered.clone(),
                    durable.clone(),
                );
                tokio::task::spawn_local(async move {
                    serve(&commit, || {
                        flushes.set(flushes.get() + 1);
                        durable.set(buffered.get());
                    })
                    .await
                });
            }
            let writers: Vec<_> = (0..10)
                .map(|_| {
                    let (commit, buffered, durable) =
                        (commit.clone(), buffered.clone(), durable.clone());
                    tokio::task::spawn_local(async move {
                        buffered.set(buffered.get() + 1);
                        let mine = buffered.get();
                        commit.wait_durable().await;
                        // Released only once its write is covered.
                        assert!(durable.get() >= mine);
                    })
                })
                .collect();
            for w in writers {
                w.await.unwrap();
            }
            assert_eq!(flushes.get(), 1, "ten writers of one turn, one flush");
        });
    }
}
