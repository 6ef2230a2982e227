//! Criterion micro-benchmarks of what the server does to every POS answer before a waiting
//! request gets it: the signature (the POS signs, the server verifies) and the typed reading
//! of one table's `getBill` answer (what `rahunok bench` asks for), a large `getBill` and a
//! large `menuInfo` answer — alone, and with the conformance walk that finds
//! warnings (`docs/pos-protocol.md` section 4). They live beside the virtual POS because its
//! Kyiv café gives realistic orders and dishes to grow the answers from.
//!
//! Run: `cargo bench -p rahunok-pos-sim --bench wire` (figures in `BENCHMARKS.md`).

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rahunok_pos_sim::VirtualPos;
use rahunok_protocol::envelope::{AnswerHead, Callback};
use rahunok_protocol::ops::{validate_callback, validate_callback_with_warnings, BillAnswer, MenuInfoAnswer};
use rahunok_protocol::signing::{generate_secret, sign, SigningKey};
use rahunok_protocol::Operation;
use std::hint::black_box;

/// Open orders in the large `getBill` answer (a whole busy hall asked at once).
const ORDERS: usize = 100;
/// Dishes in the large `menuInfo` answer.
const DISHES: usize = 1_000;

/// A `getBill` answer with `count` orders copied from the café's open orders.
fn get_bill(count: usize) -> Vec<u8> {
    let pos = VirtualPos::kyiv_cafe();
    let open = pos.floor().open_orders().to_vec();
    let orders = (0..count)
        .map(|n| {
            let mut order = open[n % open.len()].clone();
            order.bill_id = format!("{}-{n}", order.bill_id);
            order
        })
        .collect();
    let answer = BillAnswer { orders, ..BillAnswer::default() };
    serde_json::to_vec(&Callback::new(AnswerHead::success("bench-rid"), answer)).expect("serialises")
}

/// A `menuInfo` answer with [`DISHES`] dishes copied from the café's menu.
fn large_menu_info() -> Vec<u8> {
    let menu = VirtualPos::kyiv_cafe().fixture().menu.clone();
    let dishes = (0..DISHES)
        .map(|n| {
            let mut dish = menu.dishes[n % menu.dishes.len()].clone();
            dish.id = format!("{}-{n}", dish.id);
            dish
        })
        .collect();
    let answer = MenuInfoAnswer { dishes, ..menu };
    serde_json::to_vec(&Callback::new(AnswerHead::success("bench-rid"), answer)).expect("serialises")
}

fn signatures(c: &mut Criterion) {
    let secret = generate_secret();
    let key = SigningKey::derive(&secret).expect("a generated secret is long enough");
    for (name, body) in [("getBill", get_bill(ORDERS)), ("menuInfo", large_menu_info())] {
        let mut group = c.benchmark_group(format!("signature/{name} {} KiB", body.len() / 1024));
        group.throughput(Throughput::Bytes(body.len() as u64));
        group.bench_function("sign", |b| b.iter(|| sign(secret.as_bytes(), black_box(&body))));
        let signature = sign(secret.as_bytes(), &body);
        group.bench_function("verify", |b| b.iter(|| assert!(key.verify(black_box(&body), &signature))));
        group.finish();
    }
}

fn parsing(c: &mut Criterion) {
    let answers = [
        (Operation::GetBill, get_bill(1)),
        (Operation::GetBill, get_bill(ORDERS)),
        (Operation::MenuInfo, large_menu_info()),
    ];
    for (operation, body) in answers {
        let mut group = c.benchmark_group(format!("parse/{} {} B", operation.name(), body.len()));
        group.throughput(Throughput::Bytes(body.len() as u64));
        group.bench_function("typed", |b| b.iter(|| validate_callback(operation, black_box(&body)).expect("valid")));
        group.bench_function("typed + conformance warnings", |b| {
            b.iter(|| validate_callback_with_warnings(operation, black_box(&body)).expect("valid"))
        });
        group.finish();
    }
}

criterion_group!(wire, signatures, parsing);
criterion_main!(wire);
