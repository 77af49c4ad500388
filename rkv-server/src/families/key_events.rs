//! Keyspace-event helpers shared by the collection families: the pattern
//! Redis repeats after a command removes elements (its event, then `del`
//! when the key was emptied and deleted, then the key-modified signal).

use crate::command::Ctx;
use crate::keyspace_events::class;

impl Ctx<'_> {
    /// Whether `key` exists in the client's database (no side effects).
    pub fn key_exists(&mut self, key: &[u8]) -> bool {
        let now = self.now_ms();
        self.db().peek(key, now).is_some()
    }

    /// After a command took elements out of `key`: publishes `event` of
    /// `event_class`, then `del` if the key is gone (emptied), then signals
    /// the modification, in the order of Redis's `listElementsRemoved`.
    pub fn notify_removal(&mut self, event_class: u32, event: &str, key: &[u8]) {
        self.notify(event_class, event, key);
        self.notify_del_if_gone(key);
        self.signal_modified(key);
    }

    /// Publishes the generic `del` event if `key` no longer exists.
    pub fn notify_del_if_gone(&mut self, key: &[u8]) {
        // Spare the lookup when nobody could receive the event.
        let enabled = self.srv.config.notify_keyspace_events & class::GENERIC != 0;
        if enabled && !self.srv.pubsub.is_empty() && !self.key_exists(key) {
            self.notify(class::GENERIC, "del", key);
        }
    }
}
