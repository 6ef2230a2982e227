//! Every request body has a deadline: after a short grace it must keep arriving at a minimum
//! rate, and it must be whole within a bound for its class of route; otherwise reading it fails
//! with [`DeadlineMissed`], the connection is answered 408 and closed (`crate::serving`), and
//! what the body held — its connection slot, its room in the unverified-body budget — comes
//! back.
//!
//! Why: hyper bounds how long headers may take, not bodies. A client that declared
//! `Content-Length: 100000`, sent a few bytes and then nothing held its connection for ever (10 000
//! of them held every connection the server may have), and a forged 16 MiB callback that stalled
//! before its last byte held its room in the unverified-body budget for ever (four of them, for
//! four restaurants, refused every restaurant's callbacks).
//!
//! The rule ([`BodyDeadlines`], the numbers in `docs/deploying.md`): time counts only while the
//! server waits for the body — a handler busy elsewhere, or waiting for budget room, costs the
//! client nothing. The first `grace` of waiting is free; after it, every further `grace` of
//! waiting must bring `min_bytes_per_second × grace` bytes (or the rest of the body, which then
//! ends); and the body must be whole within its class's bound, counted from when the server first
//! waited for it. A body that stops arriving is cut at most two stretches (10 s by default) after
//! its last byte, whatever it sent before: a fast start buys no stall.
//!
//! Cost: nothing while bytes are ready (a body that came with its headers is never timed); one
//! clock read each time the reader has to wait; one timer per body, made only when the body is
//! first waited for and moved only after it went off (it may go off early, never late).

use crate::config::BodyDeadlines;
use hyper::body::{Body, Buf, Frame, SizeHint};
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::sync::Notify;
use tokio::time::{Instant, Sleep};

/// What reading a body may fail with (the connection's own errors, or [`DeadlineMissed`]).
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The shortest stretch the rate is measured over (a zero grace would measure nothing).
const SHORTEST_STRETCH: Duration = Duration::from_millis(1);

/// Which deadline a body missed; what the client is told (408).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DeadlineMissed {
    /// After the grace, a stretch of waiting brought fewer bytes than the minimum rate asks.
    #[error(
        "the request body arrived slower than {min_bytes_per_second} bytes a second (after a grace of {} s) and was \
         cut: send it again over a faster connection",
        .grace.as_secs_f64()
    )]
    TooSlow {
        /// The minimum rate.
        min_bytes_per_second: u64,
        /// The grace, also the stretch the rate is measured over.
        grace: Duration,
    },
    /// The body was not whole within its class's bound.
    #[error(
        "the request body was not whole within {} s and was cut: send it again over a faster connection",
        .within.as_secs_f64()
    )]
    TooLong {
        /// The bound.
        within: Duration,
    },
}

/// The deadline that failed a body read, when that is why it failed (found anywhere in the
/// error's chain of sources: axum wraps what the body returned).
pub fn deadline_missed(error: &(dyn std::error::Error + 'static)) -> Option<DeadlineMissed> {
    let mut cause = Some(error);
    while let Some(error) = cause {
        if let Some(missed) = error.downcast_ref::<DeadlineMissed>() {
            return Some(*missed);
        }
        cause = error.source();
    }
    None
}

/// The deadlines of one body: [`BodyDeadlines`] with its route class's bound chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyRule {
    /// The grace, and each later stretch the rate is measured over.
    stretch: Duration,
    /// The bytes each stretch after the grace must bring.
    stretch_bytes: u64,
    /// The minimum rate (for the message).
    min_bytes_per_second: u64,
    /// The body must be whole within this after the server first waited for it.
    within: Duration,
}

/// The longest any deadline is taken to be (a longer one would overflow the clock's arithmetic
/// and is "never" in practice).
const LONGEST: Duration = Duration::from_secs(365 * 24 * 3600);

/// The two rules a server applies, worked out once: POS callbacks and webhooks (`/callback/…`,
/// up to 16 MiB) are given `callback_body_within`; every other body `other_body_within`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyRules {
    callback: BodyRule,
    other: BodyRule,
}

impl BodyRules {
    /// The rules of `deadlines`.
    pub fn new(deadlines: &BodyDeadlines) -> BodyRules {
        let stretch = deadlines.grace.clamp(SHORTEST_STRETCH, LONGEST);
        let stretch_bytes = (deadlines.min_bytes_per_second as f64 * stretch.as_secs_f64()).ceil() as u64;
        let rule = |within: Duration| BodyRule {
            stretch,
            stretch_bytes,
            min_bytes_per_second: deadlines.min_bytes_per_second,
            within: within.min(LONGEST),
        };
        BodyRules { callback: rule(deadlines.callback_body_within), other: rule(deadlines.other_body_within) }
    }

    /// The rule for a request to `path`.
    pub fn for_path(&self, path: &str) -> BodyRule {
        if path.starts_with("/callback/") {
            self.callback
        } else {
            self.other
        }
    }
}

impl BodyRule {
    fn too_slow(&self) -> DeadlineMissed {
        DeadlineMissed::TooSlow { min_bytes_per_second: self.min_bytes_per_second, grace: self.stretch }
    }
}

/// What the bodies of one connection and the task serving it share: which deadline a body
/// missed, and a wake-up for the task, which then closes the connection once the 408 is out.
#[derive(Debug, Default)]
pub struct CutSignal {
    missed: OnceLock<DeadlineMissed>,
    wake: Notify,
}

impl CutSignal {
    fn cut(&self, missed: DeadlineMissed) {
        let _ = self.missed.set(missed);
        self.wake.notify_one();
    }

    /// The deadline a body of this connection missed, if one did.
    pub fn missed(&self) -> Option<DeadlineMissed> {
        self.missed.get().copied()
    }

    /// Completes when a body of this connection has missed its deadline.
    pub async fn cut_off(&self) {
        self.wake.notified().await;
    }
}

/// How far a body has come: the waiting counted so far and the stretch being measured.
#[derive(Debug, Default)]
struct Progress {
    /// When the server first waited for the body (the class bound counts from it).
    first_wait: Option<Instant>,
    /// Since when the server is waiting now.
    waiting_since: Option<Instant>,
    /// Waiting in the waits that ended.
    waited: Duration,
    /// The waiting at which the current stretch ends.
    stretch_ends: Duration,
    /// The current stretch is measured (false during the grace).
    measured: bool,
    /// Bytes that came in the current stretch.
    stretch_bytes: u64,
    /// The deadline missed, once one was: every later read fails the same way.
    missed: Option<DeadlineMissed>,
}

impl Progress {
    /// Closes every stretch that ended by `waited`, failing when a measured one brought too
    /// little.
    fn reckon(&mut self, rule: &BodyRule, waited: Duration) -> Result<(), DeadlineMissed> {
        if self.stretch_ends.is_zero() {
            self.stretch_ends = rule.stretch;
        }
        while waited >= self.stretch_ends {
            if self.measured && self.stretch_bytes < rule.stretch_bytes {
                return Err(rule.too_slow());
            }
            self.measured = true;
            self.stretch_bytes = 0;
            self.stretch_ends += rule.stretch;
        }
        Ok(())
    }
}

pin_project_lite::pin_project! {
    /// A request body read under its [`BodyRule`]; a missed deadline fails the read with
    /// [`DeadlineMissed`] and tells the connection through its [`CutSignal`].
    pub struct DeadlineBody<B> {
        #[pin]
        inner: B,
        #[pin]
        alarm: Option<Sleep>,
        rule: BodyRule,
        progress: Progress,
        signal: Arc<CutSignal>,
    }
}

impl<B> DeadlineBody<B> {
    /// `inner` read under `rule`; a missed deadline is told to `signal`.
    pub fn new(inner: B, rule: BodyRule, signal: Arc<CutSignal>) -> DeadlineBody<B> {
        DeadlineBody { inner, alarm: None, rule, progress: Progress::default(), signal }
    }
}

impl<B> Body for DeadlineBody<B>
where
    B: Body,
    B::Error: Into<BoxError>,
{
    type Data = B::Data;
    type Error = BoxError;

    fn poll_frame(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<B::Data>, BoxError>>> {
        let mut this = self.project();
        let progress = this.progress;
        if let Some(missed) = progress.missed {
            return Poll::Ready(Some(Err(missed.into())));
        }
        let cut = |progress: &mut Progress, missed: DeadlineMissed| {
            progress.missed = Some(missed);
            this.signal.cut(missed);
            tracing::debug!(%missed, "a request body missed its deadline");
            Poll::Ready(Some(Err(missed.into())))
        };
        match this.inner.poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(data) = frame.data_ref() {
                    progress.stretch_bytes += data.remaining() as u64;
                }
                if let Some(since) = progress.waiting_since.take() {
                    // A wait ended: close the stretches it passed (the alarm may not have had
                    // its turn), counting what just came in the last of them.
                    progress.waited += since.elapsed();
                    if let Err(missed) = progress.reckon(this.rule, progress.waited) {
                        return cut(progress, missed);
                    }
                }
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Ready(Some(Err(error))) => Poll::Ready(Some(Err(error.into()))),
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => loop {
                let now = Instant::now();
                let first_wait = *progress.first_wait.get_or_insert(now);
                let since = *progress.waiting_since.get_or_insert(now);
                let waited = progress.waited + now.saturating_duration_since(since);
                if let Err(missed) = progress.reckon(this.rule, waited) {
                    return cut(progress, missed);
                }
                let bound = first_wait + this.rule.within;
                if now >= bound {
                    return cut(progress, DeadlineMissed::TooLong { within: this.rule.within });
                }
                // When this stretch ends if nothing comes, or the bound: never earlier than now
                // and only ever later than at the previous wait, so an alarm still set may go
                // off early (then this loop looks again) but never late.
                let wake = bound.min(now + (progress.stretch_ends - waited));
                match this.alarm.as_mut().as_pin_mut() {
                    Some(alarm) if !alarm.is_elapsed() => {}
                    Some(alarm) => alarm.reset(wake),
                    None => this.alarm.set(Some(tokio::time::sleep_until(wake))),
                }
                let alarm = this.alarm.as_mut().as_pin_mut().expect("the alarm was just set");
                if alarm.poll(cx).is_pending() {
                    return Poll::Pending;
                }
            },
        }
    }

    fn is_end_stream(&self) -> bool {
        self.progress.missed.is_none() && self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Bytes;
    use http_body_util::BodyExt;
    use tokio::sync::mpsc;

    /// A body fed by the test, piece by piece; it ends when the sender is dropped.
    struct Fed(mpsc::Receiver<Bytes>);

    impl Body for Fed {
        type Data = Bytes;
        type Error = std::convert::Infallible;

        fn poll_frame(
            mut self: Pin<&mut Self>,
            cx: &mut Context<'_>,
        ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
            self.0.poll_recv(cx).map(|piece| piece.map(|bytes| Ok(Frame::data(bytes))))
        }
    }

    const SECOND: Duration = Duration::from_secs(1);

    /// Grace 5 s, 16 KiB/s (80 KiB per stretch), callbacks within 120 s, others within 30 s.
    fn deadlines() -> BodyDeadlines {
        BodyDeadlines::default()
    }

    fn fed(path: &str) -> (mpsc::Sender<Bytes>, DeadlineBody<Fed>, Arc<CutSignal>) {
        let (sender, receiver) = mpsc::channel(1024);
        let signal = Arc::new(CutSignal::default());
        let body = DeadlineBody::new(Fed(receiver), BodyRules::new(&deadlines()).for_path(path), signal.clone());
        (sender, body, signal)
    }

    /// Reads `body` to its end or its first error: the bytes read, the error, and when.
    async fn read(body: DeadlineBody<Fed>) -> (u64, Option<DeadlineMissed>, Duration) {
        let mut body = std::pin::pin!(body);
        let start = Instant::now();
        let mut read = 0;
        while let Some(frame) = body.frame().await {
            match frame {
                Ok(frame) => read += frame.into_data().map_or(0, |d| d.len() as u64),
                Err(error) => return (read, deadline_missed(&*error), start.elapsed()),
            }
        }
        (read, None, start.elapsed())
    }

    fn kib(n: usize) -> Bytes {
        Bytes::from(vec![b'x'; n * 1024])
    }

    #[tokio::test(start_paused = true)]
    async fn a_body_that_came_whole_is_read_untimed() {
        let (sender, body, signal) = fed("/panel/sign-in");
        sender.send(kib(1)).await.unwrap();
        drop(sender);
        assert_eq!(read(body).await, (1024, None, Duration::ZERO));
        assert_eq!(signal.missed(), None);
    }

    #[tokio::test(start_paused = true)]
    async fn a_body_that_stops_after_a_few_bytes_is_cut_after_the_grace_and_one_stretch() {
        let (sender, body, signal) = fed("/panel/sign-in");
        sender.send(Bytes::from_static(b"name=a")).await.unwrap();
        let (read, missed, after) = read(body).await;
        assert_eq!(read, 6);
        assert!(matches!(missed, Some(DeadlineMissed::TooSlow { .. })), "{missed:?}");
        assert_eq!(after, 10 * SECOND, "the grace (5 s) and one stretch (5 s) with nothing");
        assert_eq!(signal.missed(), missed, "the connection is told");
        drop(sender);
    }

    #[tokio::test(start_paused = true)]
    async fn a_fast_start_buys_no_stall() {
        let (sender, body, _) = fed("/callback/menuInfo");
        let reading = tokio::spawn(read(body));
        for _ in 0..64 {
            sender.send(kib(256)).await.unwrap();
        }
        tokio::time::sleep(SECOND).await;
        let (read, missed, after) = reading.await.unwrap();
        assert_eq!(read, 16 * 1024 * 1024);
        assert!(matches!(missed, Some(DeadlineMissed::TooSlow { .. })), "{missed:?}");
        assert!(after <= 10 * SECOND, "16 MiB then nothing is cut within two stretches: {after:?}");
        drop(sender);
    }

    #[tokio::test(start_paused = true)]
    async fn a_trickle_is_cut_and_a_body_at_the_rate_is_not() {
        let (trickle, body, _) = fed("/api/admin/restaurants");
        let reading = tokio::spawn(read(body));
        let feeding = tokio::spawn(async move {
            while trickle.send(Bytes::from_static(b"x")).await.is_ok() {
                tokio::time::sleep(SECOND).await;
            }
        });
        let (_, missed, after) = reading.await.unwrap();
        assert!(matches!(missed, Some(DeadlineMissed::TooSlow { .. })), "{missed:?}");
        assert_eq!(after, 10 * SECOND);
        feeding.abort();

        let (steady, body, signal) = fed("/api/admin/restaurants");
        let reading = tokio::spawn(read(body));
        for _ in 0..20 {
            steady.send(kib(17)).await.unwrap();
            tokio::time::sleep(SECOND).await;
        }
        drop(steady);
        let (read, missed, _) = reading.await.unwrap();
        assert_eq!((read, missed, signal.missed()), (20 * 17 * 1024, None, None));
    }

    #[tokio::test(start_paused = true)]
    async fn a_body_at_the_rate_must_still_be_whole_within_its_class_bound() {
        for (path, bound) in [("/panel/sign-in", 30 * SECOND), ("/callback/getMenu", 120 * SECOND)] {
            let (sender, body, _) = fed(path);
            let reading = tokio::spawn(read(body));
            let feeding = tokio::spawn(async move {
                while sender.send(kib(20)).await.is_ok() {
                    tokio::time::sleep(SECOND).await;
                }
            });
            let (_, missed, after) = reading.await.unwrap();
            assert_eq!(missed, Some(DeadlineMissed::TooLong { within: bound }), "{path}");
            assert!(after >= bound && after < bound + SECOND, "{path}: cut after {after:?}");
            feeding.abort();
        }
    }

    #[tokio::test(start_paused = true)]
    async fn time_the_server_spends_elsewhere_is_not_the_clients() {
        let (sender, body, _) = fed("/panel/sign-in");
        let mut body = Box::pin(body);
        let feeding = tokio::spawn(async move {
            tokio::time::sleep(3 * SECOND).await;
            sender.send(kib(1)).await.unwrap();
            tokio::time::sleep(22 * SECOND).await;
            sender.send(kib(1)).await.unwrap();
        });
        assert!(body.frame().await.is_some(), "3 s of waiting, within the grace");
        // The handler works for 20 s (four stretches) before it reads on; then 2 s more of
        // waiting end the grace, and the rest comes (within the class bound of 30 s).
        tokio::time::sleep(20 * SECOND).await;
        let mut read = 0;
        while let Some(frame) = body.frame().await {
            read += frame.expect("no deadline was missed").into_data().map_or(0, |d| d.len());
        }
        assert_eq!(read, 1024);
        feeding.await.unwrap();
    }

    #[test]
    fn callbacks_and_webhooks_get_their_own_bound_and_huge_numbers_are_never() {
        let rules = BodyRules::new(&deadlines());
        assert_eq!(rules.for_path("/callback/getMenu").within, 120 * SECOND);
        assert_eq!(rules.for_path("/callback/webhook").within, 120 * SECOND);
        assert_eq!(rules.for_path("/panel/sign-in").within, 30 * SECOND);
        assert_eq!(rules.for_path("/panel/sign-in").stretch_bytes, 80 * 1024);
        let huge = BodyDeadlines { grace: Duration::MAX, other_body_within: Duration::MAX, ..deadlines() };
        let rule = BodyRules::new(&huge).for_path("/panel/sign-in");
        assert_eq!((rule.stretch, rule.within), (LONGEST, LONGEST));
    }

    #[test]
    fn a_missed_deadline_is_found_inside_the_errors_that_wrap_it() {
        let missed = DeadlineMissed::TooLong { within: 30 * SECOND };
        let wrapped = axum::Error::new(BoxError::from(missed));
        assert_eq!(deadline_missed(&wrapped), Some(missed));
        let other = axum::Error::new(BoxError::from("the connection was reset"));
        assert_eq!(deadline_missed(&other), None);
        assert!(missed.to_string().contains("within 30 s"), "{missed}");
    }
}
