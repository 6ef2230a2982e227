//! This node's side of the bus: what the request path and the callback path do when another
//! node asks. Apart from `super::cluster` so the bus depends on neither of them.

use super::callbacks::{settle_here, FirstReading};
use super::cluster::{Forwarded, LocalNode};
use super::error::GatewayError;
use super::link::{PosLink, ToPos};
use super::sessions::ConnectionInfo;
use axum::body::Bytes;
use axum::http::StatusCode;
use rahunok_protocol::Operation;
use std::future::Future;
use std::pin::Pin;

impl LocalNode for PosLink {
    fn send_here<'a>(
        &'a self,
        resto_id: &'a str,
        operation: Operation,
        rid: String,
        frame: String,
        round_trip: bool,
    ) -> Pin<Box<dyn Future<Output = Forwarded> + Send + 'a>> {
        Box::pin(PosLink::send_here(self, ToPos { resto_id, operation, rid, frame }, round_trip))
    }

    fn connection_info(&self, resto_id: &str) -> Option<ConnectionInfo> {
        PosLink::connection_info(self, resto_id)
    }

    fn close_socket_here(&self, resto_id: &str, code: u16, reason: &'static str) -> bool {
        PosLink::close_socket_here(self, resto_id, code, reason)
    }

    fn settle_relayed_callback(
        &self,
        resto_id: &str,
        operation: Operation,
        rid: String,
        body: &Bytes,
    ) -> Result<StatusCode, GatewayError> {
        settle_here(self, resto_id, operation, FirstReading::RidOnly(rid), body)
    }
}
