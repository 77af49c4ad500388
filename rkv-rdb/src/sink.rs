//! [`ValueSink`]: a receiver of a value's contents as the reader decodes
//! them, so a server can build its own structures straight from the file
//! (no intermediate [`Value`] per key, no owned copy per element), and
//! [`ValueBuilder`], the sink that builds the neutral [`Value`].

use crate::element::ElementRef;
use crate::intset::IntsetRef;
use crate::value::Value;

/// The kind of collection a value being streamed is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Collection {
    /// A list: [`ValueSink::element`] per item, head first.
    List,
    /// A set: [`ValueSink::element`] per member.
    Set,
    /// A hash: [`ValueSink::pair`] per field.
    Hash,
    /// A sorted set: [`ValueSink::scored`] per member.
    SortedSet,
}

/// Receives one value at a time from the reader. A collection arrives as
/// [`begin`](Self::begin), its elements, then [`finish`](Self::finish); a
/// string or intset in one call; the rare types (streams, module values,
/// hashes with field expiries) already built, through
/// [`other`](Self::other). Every byte is validated before or while it is
/// handed over; when the reader fails midway it returns the error and the
/// sink's partial value is simply abandoned (the next `begin` starts over).
pub trait ValueSink {
    /// What a finished value becomes.
    type Value;

    /// A string value. The sink may take the buffer's contents.
    fn string(&mut self, bytes: &mut Vec<u8>) -> Self::Value;

    /// A collection starts; `len_hint` is the element count the file
    /// declares (fields for a hash, members for a sorted set), 0 when
    /// unknown. It is only a hint: corrupt files may lie.
    fn begin(&mut self, kind: Collection, len_hint: usize);

    /// A list item or set member.
    fn element(&mut self, element: ElementRef<'_>);

    /// A hash field and its value.
    fn pair(&mut self, field: ElementRef<'_>, value: ElementRef<'_>);

    /// A sorted set member and its score.
    fn scored(&mut self, member: ElementRef<'_>, score: f64);

    /// A sorted set member of a compact encoding, whose score is stored
    /// as `stored` (text or integer) and reads as `score` (Rust's `f64`
    /// syntax, which takes Redis's `inf` spellings too); a sink that keeps
    /// scores as text can take `stored` as it is.
    fn scored_element(&mut self, member: ElementRef<'_>, stored: ElementRef<'_>, score: f64) {
        let _ = stored;
        self.scored(member, score);
    }

    /// The collection started by `begin` is complete.
    fn finish(&mut self) -> Self::Value;

    /// A set stored as an intset (validated: sorted, distinct).
    fn intset(&mut self, set: IntsetRef<'_>) -> Self::Value;

    /// A value of a type that is not streamed, built in the neutral model.
    fn other(&mut self, value: Value) -> Self::Value;
}

/// The collection a [`ValueBuilder`] is filling.
#[derive(Debug, Default)]
enum Building {
    #[default]
    Nothing,
    List(Vec<Vec<u8>>),
    Set(Vec<Vec<u8>>),
    Hash(Vec<(Vec<u8>, Vec<u8>)>),
    SortedSet(Vec<(Vec<u8>, f64)>),
}

/// The sink building the neutral [`Value`] (the tool's path).
#[derive(Debug, Default)]
pub struct ValueBuilder {
    building: Building,
}

/// Preallocation bound: a corrupt length cannot reserve much memory.
const RESERVE_LIMIT: usize = 1 << 16;

/// A sorted set's members lowest first: Redis writes a big set's members
/// greatest first (and so does [`crate::encode::write_sorted_set`]), which
/// is reversed here so that the neutral model has one order whatever the
/// encoding, and a set read then written comes out in its original order.
fn ascending(mut members: Vec<(Vec<u8>, f64)>) -> Vec<(Vec<u8>, f64)> {
    let descending = members.len() > 1
        && members
            .windows(2)
            .all(|w| w[0].1 > w[1].1 || (w[0].1 == w[1].1 && w[0].0 > w[1].0));
    if descending {
        members.reverse();
    }
    members
}

impl ValueSink for ValueBuilder {
    type Value = Value;

    fn string(&mut self, bytes: &mut Vec<u8>) -> Value {
        Value::String(std::mem::take(bytes))
    }

    fn begin(&mut self, kind: Collection, len_hint: usize) {
        let n = len_hint.min(RESERVE_LIMIT);
        self.building = match kind {
            Collection::List => Building::List(Vec::with_capacity(n)),
            Collection::Set => Building::Set(Vec::with_capacity(n)),
            Collection::Hash => Building::Hash(Vec::with_capacity(n)),
            Collection::SortedSet => Building::SortedSet(Vec::with_capacity(n)),
        };
    }

    fn element(&mut self, element: ElementRef<'_>) {
        if let Building::List(items) | Building::Set(items) = &mut self.building {
            items.push(element.to_vec());
        }
    }

    fn pair(&mut self, field: ElementRef<'_>, value: ElementRef<'_>) {
        if let Building::Hash(pairs) = &mut self.building {
            pairs.push((field.to_vec(), value.to_vec()));
        }
    }

    fn scored(&mut self, member: ElementRef<'_>, score: f64) {
        if let Building::SortedSet(members) = &mut self.building {
            members.push((member.to_vec(), score));
        }
    }

    fn finish(&mut self) -> Value {
        match std::mem::take(&mut self.building) {
            Building::List(items) => Value::List(items),
            Building::Set(members) => Value::Set(members),
            Building::Hash(pairs) => Value::Hash(pairs),
            Building::SortedSet(members) => Value::SortedSet(ascending(members)),
            Building::Nothing => Value::List(Vec::new()),
        }
    }

    fn intset(&mut self, set: IntsetRef<'_>) -> Value {
        let mut scratch = itoa::Buffer::new();
        Value::Set(
            set.iter()
                .map(|v| scratch.format(v).as_bytes().to_vec())
                .collect(),
        )
    }

    fn other(&mut self, value: Value) -> Value {
        value
    }
}
