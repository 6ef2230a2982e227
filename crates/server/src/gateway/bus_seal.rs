//! The seal on every bus message: only a node holding the cluster's master key can write a
//! message another node acts on, or read one.
//!
//! Why: NATS credentials keep strangers off the bus, but whoever holds them (another service
//! on a shared NATS account, a leaked password, someone on the network of a NATS without TLS)
//! could otherwise publish `{"Send":{"operation":"payBill",…}}` and close a bill with no
//! payment, answer a relayed `getBill` first with a bill of their own, close a POS socket
//! with a forged "newer socket" notice, or read the fiscal lines of every `payBill`. So each
//! message is sealed with a key only the nodes have, and a node acts on nothing else.
//!
//! The key: `HMAC-SHA256(master key, "rahunok bus v1")` — every node shares the master key
//! already (it opens the store's secrets), the bus key is a different key (it cannot open the
//! store), and a new label gives a new key if the format ever changes.
//!
//! The seal: XChaCha20-Poly1305 with that key and a random 24-byte nonce. One pass encrypts
//! the payload and computes its MAC (the Poly1305 tag) over the payload *and* the associated
//! data: the format version, the time it was sent, the subject it was published on, and
//!
//! - for a request, the subject its answer must go to (or that it expects none: a notice);
//! - for an answer, the tag of the request it answers, so an answer is bound to one request
//!   and a forged or replayed answer never passes for the real one.
//!
//! On the wire (the NATS payload; no NATS headers, which cost a map per message):
//!
//! ```text
//! 1 byte   version (1)
//! 8 bytes  sent at, milliseconds since the Unix epoch, big-endian
//! 24 bytes nonce
//! n bytes  the JSON payload, encrypted
//! 16 bytes Poly1305 tag
//! ```
//!
//! A receiver refuses (and the bus counts, by reason): a payload too short or of another
//! version (`malformed`), one sent more than [`WINDOW_MS`] before or after its own clock
//! (`stale`), one whose tag does not verify for the subject, reply subject or request it
//! arrived with (`bad_mac`), and a request or notice whose tag it already accepted within the
//! window (`replayed`, see [`ReplayGuard`]). Answers need no replay memory: each is bound to a
//! request that is answered once.

use crate::secrets::MasterKey;
use axum::body::Bytes;
use bytes::{Buf, BytesMut};
use chacha20poly1305::aead::{AeadInPlace, KeyInit};
use chacha20poly1305::{Tag, XChaCha20Poly1305, XNonce};
use rand::RngCore;
use std::collections::HashSet;
use std::sync::Mutex;

/// What the bus key is derived with (a new label, a new key).
pub(super) const KEY_LABEL: &str = "rahunok bus v1";
/// How far a message's time may be from the receiver's clock, either way (nodes run NTP; this
/// only bounds how long a recorded message could be replayed, and how long tags are kept).
pub(super) const WINDOW_MS: i64 = 30_000;

const VERSION: u8 = 1;
const TIME_LEN: usize = 8;
const NONCE_LEN: usize = 24;
const HEAD_LEN: usize = 1 + TIME_LEN;
const HEADER_LEN: usize = HEAD_LEN + NONCE_LEN;
const TAG_LEN: usize = 16;
/// Bytes a seal adds to a payload.
pub(super) const OVERHEAD: usize = HEADER_LEN + TAG_LEN;

/// A message's Poly1305 tag: what an answer is bound to, and what the replay guard remembers.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) struct MessageTag([u8; TAG_LEN]);

/// What a message is, besides its subject.
#[derive(Clone, Copy, Debug)]
pub(super) enum Role<'a> {
    /// A request whose answer goes to `reply`, or a notice (`None`) that expects none.
    Ask {
        /// The subject the answer must go to.
        reply: Option<&'a str>,
    },
    /// The answer to the request whose tag this is.
    Answer {
        /// The request's tag.
        to: MessageTag,
    },
}

/// Why a message was refused.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Refusal {
    /// Too short, or another format version.
    Malformed,
    /// Sent outside the window around the receiver's clock.
    Stale,
    /// The tag does not verify: not sealed with the bus key, altered, or sealed for another
    /// subject, reply subject or request.
    BadMac,
    /// A request or notice accepted before (the same tag within the window).
    Replayed,
}

impl Refusal {
    /// The metric label.
    pub(super) fn reason(self) -> &'static str {
        match self {
            Refusal::Malformed => "malformed",
            Refusal::Stale => "stale",
            Refusal::BadMac => "bad_mac",
            Refusal::Replayed => "replayed",
        }
    }
}

/// A message whose seal verified.
#[derive(Debug)]
pub(super) struct Opened {
    /// The payload, decrypted.
    pub(super) body: Bytes,
    /// Its tag (an answer is bound to it).
    pub(super) tag: MessageTag,
    /// When it was sent (milliseconds since the Unix epoch).
    pub(super) sent_at_ms: i64,
}

/// The key every node seals and opens bus messages with (see the module docs).
pub(super) struct BusKey {
    cipher: XChaCha20Poly1305,
}

impl BusKey {
    /// The bus key of the cluster whose master key this is.
    pub(super) fn derive(master: &MasterKey) -> BusKey {
        let key = master.derive(KEY_LABEL);
        BusKey { cipher: XChaCha20Poly1305::new(key.bytes().into()) }
    }

    /// Seals the payload `write` puts in the buffer (about `size_hint` bytes) for `subject` in
    /// `role`, sent at `sent_at_ms`: the bytes to publish and their tag.
    pub(super) fn seal(
        &self,
        subject: &str,
        role: Role<'_>,
        sent_at_ms: i64,
        size_hint: usize,
        write: impl FnOnce(&mut Vec<u8>),
    ) -> (Bytes, MessageTag) {
        let mut buffer = Vec::with_capacity(OVERHEAD + size_hint);
        let mut head = [0u8; HEAD_LEN];
        head[0] = VERSION;
        head[1..].copy_from_slice(&sent_at_ms.to_be_bytes());
        let mut nonce = [0u8; NONCE_LEN];
        rand::thread_rng().fill_bytes(&mut nonce);
        buffer.extend_from_slice(&head);
        buffer.extend_from_slice(&nonce);
        write(&mut buffer);
        let tag = with_associated_data(&head, subject, role, |aad| {
            self.cipher.encrypt_in_place_detached(XNonce::from_slice(&nonce), aad, &mut buffer[HEADER_LEN..])
        })
        .expect("a bus payload is far below the cipher's limit");
        buffer.extend_from_slice(&tag);
        (Bytes::from(buffer), MessageTag(tag.into()))
    }

    /// Opens a payload that arrived on `subject` in `role`, checking its time against `now_ms`.
    /// Never panics, whatever the bytes.
    pub(super) fn open(&self, subject: &str, role: Role<'_>, payload: Bytes, now_ms: i64) -> Result<Opened, Refusal> {
        if payload.len() < OVERHEAD || payload[0] != VERSION {
            return Err(Refusal::Malformed);
        }
        let mut head = [0u8; HEAD_LEN];
        head.copy_from_slice(&payload[..HEAD_LEN]);
        let sent_at_ms = i64::from_be_bytes(head[1..].try_into().expect("eight bytes"));
        if now_ms.abs_diff(sent_at_ms) > WINDOW_MS as u64 {
            return Err(Refusal::Stale);
        }
        let body_end = payload.len() - TAG_LEN;
        let tag: [u8; TAG_LEN] = payload[body_end..].try_into().expect("sixteen bytes");
        let nonce: [u8; NONCE_LEN] = payload[HEAD_LEN..HEADER_LEN].try_into().expect("twenty-four bytes");
        // In place when the payload's buffer is ours alone (it usually is), else one copy.
        let mut buffer = payload.try_into_mut().unwrap_or_else(|shared| BytesMut::from(&shared[..]));
        with_associated_data(&head, subject, role, |aad| {
            self.cipher.decrypt_in_place_detached(
                XNonce::from_slice(&nonce),
                aad,
                &mut buffer[HEADER_LEN..body_end],
                Tag::from_slice(&tag),
            )
        })
        .map_err(|_| Refusal::BadMac)?;
        buffer.truncate(body_end);
        buffer.advance(HEADER_LEN);
        Ok(Opened { body: buffer.freeze(), tag: MessageTag(tag), sent_at_ms })
    }
}

/// Calls `f` with the associated data of a message: its head (version, time), what it is, its
/// subject, and its reply subject or the tag of the request it answers; each length-prefixed so
/// no two messages share one. On the stack unless the subjects are unusually long.
fn with_associated_data<R>(head: &[u8; HEAD_LEN], subject: &str, role: Role<'_>, f: impl FnOnce(&[u8]) -> R) -> R {
    const ON_STACK: usize = 320;
    let answered;
    let (kind, tail): (u8, &[u8]) = match role {
        Role::Ask { reply: None } => (0, &[]),
        Role::Ask { reply: Some(reply) } => (1, reply.as_bytes()),
        Role::Answer { to } => {
            answered = to.0;
            (2, &answered)
        }
    };
    let parts: [&[u8]; 6] = [
        head,
        &[kind],
        &(subject.len() as u32).to_be_bytes(),
        subject.as_bytes(),
        &(tail.len() as u32).to_be_bytes(),
        tail,
    ];
    let length: usize = parts.iter().map(|p| p.len()).sum();
    if length <= ON_STACK {
        let mut stack = [0u8; ON_STACK];
        let mut at = 0;
        for part in parts {
            stack[at..at + part.len()].copy_from_slice(part);
            at += part.len();
        }
        f(&stack[..at])
    } else {
        f(&parts.concat())
    }
}

/// The tags of requests and notices accepted lately, so the same message is acted on once: a
/// recorded `payBill` published again within the window is refused (after the window, its
/// time refuses it). Tags are kept in buckets by the time the message was sent, one bucket per
/// window, and a bucket goes once every time in it is out of the window: about two windows of
/// traffic at most (16 bytes and the set's overhead per message).
#[derive(Default)]
pub(super) struct ReplayGuard {
    buckets: Mutex<Vec<(i64, HashSet<u128, foldhash::fast::RandomState>)>>,
}

impl ReplayGuard {
    /// True the first time `opened` is seen (and remembers it); false for a replay.
    pub(super) fn first_time(&self, opened: &Opened, now_ms: i64) -> bool {
        let bucket = opened.sent_at_ms.div_euclid(WINDOW_MS);
        let key = u128::from_le_bytes(opened.tag.0);
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        let oldest_in_window = now_ms.saturating_sub(WINDOW_MS);
        buckets.retain(|(b, _)| b.saturating_add(1).saturating_mul(WINDOW_MS) > oldest_in_window);
        match buckets.iter_mut().find(|(b, _)| *b == bucket) {
            Some((_, tags)) => tags.insert(key),
            None => {
                let mut tags = HashSet::default();
                tags.insert(key);
                buckets.push((bucket, tags));
                true
            }
        }
    }

    /// How many tags are remembered (for tests).
    #[cfg(test)]
    fn remembered(&self) -> usize {
        self.buckets.lock().unwrap().iter().map(|(_, tags)| tags.len()).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000_000;

    fn keys() -> (MasterKey, BusKey) {
        let master = MasterKey::generate();
        let key = BusKey::derive(&master);
        (master, key)
    }

    fn sealed(key: &BusKey, subject: &str, role: Role<'_>, at: i64, body: &str) -> (Bytes, MessageTag) {
        key.seal(subject, role, at, body.len(), |buffer| buffer.extend_from_slice(body.as_bytes()))
    }

    const REQUEST: Role<'static> = Role::Ask { reply: Some("_INBOX.rahunok.a.1") };

    #[test]
    fn a_sealed_message_opens_where_it_was_sent_and_hides_its_payload() {
        let (_, key) = keys();
        let body = r#"{"Send":{"operation":"payBill","frame":"fiscal lines"}}"#;
        let (payload, tag) = sealed(&key, "rahunok.pos.R1", REQUEST, NOW, body);
        assert_eq!(payload.len(), body.len() + OVERHEAD);
        assert!(!payload.windows(6).any(|w| w == b"fiscal"), "the payload is not readable on the bus");
        let opened = key.open("rahunok.pos.R1", REQUEST, payload, NOW + 5).unwrap();
        assert_eq!(opened.body, body.as_bytes());
        assert_eq!((opened.tag, opened.sent_at_ms), (tag, NOW));
    }

    #[test]
    fn a_message_moved_to_another_subject_or_reply_or_role_is_refused() {
        let (_, key) = keys();
        let (payload, _) = sealed(&key, "rahunok.pos.R1", REQUEST, NOW, "{}");
        let elsewhere = [
            ("rahunok.pos.R2", REQUEST),
            ("rahunok.pos.R1", Role::Ask { reply: Some("_INBOX.attacker.1") }),
            ("rahunok.pos.R1", Role::Ask { reply: None }),
            ("rahunok.pos.R1", Role::Answer { to: MessageTag([0; 16]) }),
        ];
        for (subject, role) in elsewhere {
            let refused = key.open(subject, role, payload.clone(), NOW).unwrap_err();
            assert_eq!(refused, Refusal::BadMac, "{subject} {role:?}");
        }
    }

    #[test]
    fn an_answer_opens_only_for_the_request_it_answers() {
        let (_, key) = keys();
        let (_, asked) = sealed(&key, "rahunok.pos.R1", REQUEST, NOW, "{}");
        let (_, other) = sealed(&key, "rahunok.pos.R1", REQUEST, NOW, "{}");
        let inbox = "_INBOX.rahunok.a.1";
        let (answer, _) = sealed(&key, inbox, Role::Answer { to: asked }, NOW, r#"{"Answered":"bill"}"#);
        assert!(key.open(inbox, Role::Answer { to: asked }, answer.clone(), NOW).is_ok());
        assert_eq!(key.open(inbox, Role::Answer { to: other }, answer, NOW).unwrap_err(), Refusal::BadMac);
    }

    #[test]
    fn another_clusters_key_or_any_altered_byte_is_refused() {
        let (_, key) = keys();
        let (_, stranger) = keys();
        let (payload, _) = sealed(&key, "rahunok.sockets", Role::Ask { reply: None }, NOW, r#"{"node":"a"}"#);
        let notice = Role::Ask { reply: None };
        assert_eq!(stranger.open("rahunok.sockets", notice, payload.clone(), NOW).unwrap_err(), Refusal::BadMac);
        for at in 0..payload.len() {
            let mut altered = payload.to_vec();
            altered[at] ^= 0x01;
            let refused = key.open("rahunok.sockets", notice, Bytes::from(altered), NOW);
            assert!(refused.is_err(), "byte {at} altered and still accepted");
        }
    }

    #[test]
    fn a_message_outside_the_window_is_stale() {
        let (_, key) = keys();
        let notice = Role::Ask { reply: None };
        for (sent, accepted) in [(NOW - WINDOW_MS, true), (NOW + WINDOW_MS, true), (NOW - WINDOW_MS - 1, false)] {
            let (payload, _) = sealed(&key, "rahunok.sockets", notice, sent, "{}");
            let opened = key.open("rahunok.sockets", notice, payload, NOW);
            assert_eq!(opened.is_ok(), accepted, "sent {} ms from now: {opened:?}", sent - NOW);
        }
        let (payload, _) = sealed(&key, "rahunok.sockets", notice, NOW + WINDOW_MS + 1, "{}");
        assert_eq!(key.open("rahunok.sockets", notice, payload, NOW).unwrap_err(), Refusal::Stale);
    }

    #[test]
    fn short_plain_or_other_version_payloads_are_malformed() {
        let (_, key) = keys();
        let notice = Role::Ask { reply: None };
        let forged = br#"{"Send":{"operation":"payBill","rid":"x","frame":"{}","round_trip":true}}"#;
        for payload in [&b""[..], b"{}", &forged[..], &[2u8; 80][..]] {
            let refused = key.open("rahunok.pos.R1", notice, Bytes::copy_from_slice(payload), NOW).unwrap_err();
            assert_eq!(refused, Refusal::Malformed);
        }
    }

    #[test]
    fn a_replay_within_the_window_is_refused_and_old_tags_are_forgotten() {
        let (_, key) = keys();
        let guard = ReplayGuard::default();
        let open = |at: i64| {
            let (payload, _) = sealed(&key, "rahunok.sockets", Role::Ask { reply: None }, at, "{}");
            key.open("rahunok.sockets", Role::Ask { reply: None }, payload, at).unwrap()
        };
        let first = open(NOW);
        assert!(guard.first_time(&first, NOW));
        assert!(!guard.first_time(&first, NOW + 1), "the same message again");
        assert!(!guard.first_time(&first, NOW + WINDOW_MS), "still within the window");
        assert!(guard.first_time(&open(NOW), NOW), "another message");
        let later = NOW + 3 * WINDOW_MS;
        assert!(guard.first_time(&open(later), later));
        assert_eq!(guard.remembered(), 1, "tags past the window are forgotten");
    }

    proptest::proptest! {
        #[test]
        fn any_bytes_are_refused_without_a_panic(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..200)) {
            let (_, key) = keys();
            let mut payload = bytes;
            if payload.len() > HEAD_LEN {
                payload[0] = VERSION;
                payload[1..HEAD_LEN].copy_from_slice(&NOW.to_be_bytes());
            }
            let opened = key.open("rahunok.pos.R1", REQUEST, Bytes::from(payload), NOW);
            proptest::prop_assert!(opened.is_err());
        }
    }
}
