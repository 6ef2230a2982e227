//! `rahunok bench --guest`: what a guest table page costs next to the cheapest route. The
//! virtual POS pushes its `ORDERS_CACHE` (so the page is served from the fresh cache, as in a
//! restaurant whose POS keeps it up), then the same load asks `GET /t/{restoId}/3` and
//! `GET /healthz` on the same server, and the ratio is printed. The page is asked for as a
//! phone's browser asks (compressed); its size plain, gzip and brotli is printed too.

use super::load::{self, LoadFigures, Request, ServerProcess};
use super::{connect_pos_pushing, node_args, BenchArgs};
use anyhow::{bail, Result};
use reqwest::Method;
use std::time::Duration;

/// What a phone's browser sends: the page is measured as guests get it (compressed if it is sent so).
const AS_A_PHONE_ASKS: &str = "gzip, deflate, br, zstd";

/// How often the virtual POS pushes its cache during the run (fresh for 15 s on the server).
const PUSH_EVERY: Duration = Duration::from_secs(3);

#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct GuestReport {
    /// Asked for as a phone asks (compressed).
    table_page: LoadFigures,
    /// Asked for without compression.
    table_page_plain: LoadFigures,
    healthz: LoadFigures,
    /// Table pages per second ÷ `/healthz` per second.
    throughput_ratio: f64,
    /// Bytes of one table page as sent without compression, and with gzip and brotli asked for.
    page_bytes: PageBytes,
}

#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct PageBytes {
    identity: usize,
    gzip: usize,
    br: usize,
}

pub async fn run(args: &BenchArgs, data: &std::path::Path) -> Result<()> {
    let http = reqwest::Client::new();
    let server = ServerProcess::ours(&node_args(args, data, "bench")).await?;
    server.wait_ready(&http).await?;
    let pos = connect_pos_pushing(&http, &server.base, Some(PUSH_EVERY)).await?;
    let page = format!("{}/t/{}/3", server.base, pos.resto_id);
    wait_for_cached_bill(&http, &page).await?;
    let page_bytes = PageBytes {
        identity: bytes_on_the_wire(&http, &page, "identity").await?,
        gzip: bytes_on_the_wire(&http, &page, "gzip").await?,
        br: bytes_on_the_wire(&http, &page, "br").await?,
    };
    let get =
        |url: &str, accept_encoding| Request { method: Method::GET, url: url.to_string(), body: "", accept_encoding };
    let (requests, concurrency) = (args.requests, args.concurrency);
    let table_page = load::measure(&http, &server, &get(&page, Some(AS_A_PHONE_ASKS)), requests, concurrency).await?;
    let table_page_plain = load::measure(&http, &server, &get(&page, None), requests, concurrency).await?;
    let healthz = format!("{}/healthz", server.base);
    let healthz = load::measure(&http, &server, &get(&healthz, Some(AS_A_PHONE_ASKS)), requests, concurrency).await?;
    let throughput_ratio = table_page.per_second / healthz.per_second;
    let report = GuestReport { throughput_ratio, table_page, table_page_plain, healthz, page_bytes };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        report.table_page.print("guest table page (fresh ORDERS_CACHE), asked for as a phone asks");
        report.table_page_plain.print("the same page, not compressed");
        report.healthz.print("/healthz");
        println!("table page / healthz: {:.2}×", report.throughput_ratio);
        let PageBytes { identity, gzip, br } = report.page_bytes;
        println!("table page bytes on the wire: {identity} plain, {gzip} gzip, {br} brotli");
    }
    Ok(())
}

/// Waits (at most 20 s) until the table page shows the bill from the pushed cache.
async fn wait_for_cached_bill(http: &reqwest::Client, page: &str) -> Result<()> {
    for _ in 0..100 {
        let response = http.get(page).send().await?;
        if response.status().is_success() && response.text().await?.contains("/pay") {
            // One more push interval: the cache, not the live getBill of the first view, serves it.
            tokio::time::sleep(PUSH_EVERY).await;
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    bail!("the table page did not show a bill within 20 s")
}

/// The body's length as sent when the client accepts `encoding` (the bench's HTTP client
/// decodes nothing, so the bytes it reads are the bytes on the wire).
async fn bytes_on_the_wire(http: &reqwest::Client, page: &str, encoding: &str) -> Result<usize> {
    Ok(http.get(page).header("Accept-Encoding", encoding).send().await?.bytes().await?.len())
}
