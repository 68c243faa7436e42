//! Frontier-table format: record sizes pinned, encode → decode round trip, one test per typed rejection, and
//! property tests that arbitrary bytes and mutations of a valid table never panic the decoder.

mod common;

use common::{random_spec, source_spec, SKU};
use proptest::prelude::*;
use runtime_stub::table::encode::reseal;
use runtime_stub::table::format::{
    Header, Invalid, OpHeader, CONFIG, FALLBACK_LEN, HEADER_LEN, OP_HEADER_LEN, PLAN_LEN,
};
use runtime_stub::table::{encode, FrontierTable, LinkState, Precision, TableError, FORMAT_VERSION};

fn encoded_len<T: bincode::Encode>(value: &T) -> usize {
    bincode::encode_to_vec(value, CONFIG).unwrap().len()
}

#[test]
fn record_sizes_match_the_documented_layout() {
    let bytes = encode(&source_spec()).unwrap();
    let table = FrontierTable::decode(&bytes, SKU).unwrap();
    let op = table.op(0).unwrap();
    assert_eq!(encoded_len(table.header()), HEADER_LEN);
    assert_eq!(encoded_len(op.header()), OP_HEADER_LEN);
    assert_eq!(encoded_len(&op.plan(0).unwrap()), PLAN_LEN);
    assert_eq!(encoded_len(&op.fallback()), FALLBACK_LEN);
    assert_eq!((HEADER_LEN, OP_HEADER_LEN, PLAN_LEN, FALLBACK_LEN), (62, 53, 28, 17));
    assert_eq!(bytes.len(), HEADER_LEN + OP_HEADER_LEN + 3 * PLAN_LEN + FALLBACK_LEN);
}

#[test]
fn round_trip_keeps_every_field() {
    for spec in [source_spec(), random_spec(7, 50)] {
        let bytes = encode(&spec).unwrap();
        let table = FrontierTable::decode(&bytes, SKU).unwrap();
        assert_eq!(table.sku(), spec.sku);
        assert_eq!(table.model_hash(), spec.model_hash);
        assert_eq!(table.op_count(), spec.ops.len());
        for (view, op) in table.ops().zip(&spec.ops) {
            assert_eq!(view.op_id(), op.op_id);
            assert_eq!(view.name(), op.name);
            assert_eq!(view.header().slo_ms, op.slo_ms);
            assert_eq!(view.header().max_temp_delta_100ms, op.max_temp_delta_100ms);
            assert_eq!(
                view.header().link_budget_pj_per_bit.to_bits(),
                op.link_budget_pj_per_bit.to_bits()
            );
            assert_eq!(view.plans().collect::<Vec<_>>(), op.plans);
            assert_eq!(view.fallback(), op.fallback);
        }
    }
    // The source's plan B, field by field.
    let bytes = encode(&source_spec()).unwrap();
    let b = FrontierTable::decode(&bytes, SKU)
        .unwrap()
        .op(0)
        .unwrap()
        .plan(1)
        .unwrap();
    assert_eq!(
        (b.letter(), b.precision, b.link, b.sm_mhz),
        ('B', Precision::Fp8, LinkState::LpoSleep, 1680)
    );
    assert_eq!((b.est_jpt, b.est_lat_ms, b.hbm_bw_tbps), (0.28, 19.6, 2.1));
}

#[test]
fn encoding_is_deterministic() {
    assert_eq!(
        encode(&random_spec(3, 40)).unwrap(),
        encode(&random_spec(3, 40)).unwrap()
    );
}

#[test]
fn rejects_truncated_tables() {
    let bytes = encode(&random_spec(1, 5)).unwrap();
    for len in [0, 4, 9, HEADER_LEN - 1, HEADER_LEN, bytes.len() - 1] {
        match FrontierTable::decode(&bytes[..len], SKU) {
            Err(TableError::Truncated { found, .. }) => assert_eq!(found, len),
            other => panic!("length {len}: expected Truncated, got {other:?}"),
        }
    }
}

#[test]
fn rejects_bad_magic() {
    let mut bytes = encode(&source_spec()).unwrap();
    bytes[0] = b'X';
    assert!(matches!(FrontierTable::decode(&bytes, SKU), Err(TableError::BadMagic { found }) if found[0] == b'X'));
}

#[test]
fn rejects_other_format_versions() {
    let mut bytes = encode(&source_spec()).unwrap();
    bytes[8..10].copy_from_slice(&(FORMAT_VERSION + 1).to_le_bytes());
    reseal(&mut bytes);
    assert_eq!(
        FrontierTable::decode(&bytes, SKU).unwrap_err(),
        TableError::UnsupportedVersion {
            found: FORMAT_VERSION + 1,
            expected: FORMAT_VERSION
        }
    );
}

#[test]
fn rejects_tables_for_another_sku() {
    let bytes = encode(&source_spec()).unwrap();
    match FrontierTable::decode(&bytes, "gb200") {
        Err(TableError::WrongSku { found, expected }) => {
            assert_eq!((found.as_str(), expected.as_str()), (SKU, "gb200"));
        }
        other => panic!("expected WrongSku, got {other:?}"),
    }
    // A SKU id too long to be stored can never match.
    assert!(matches!(
        FrontierTable::decode(&bytes, &"x".repeat(40)),
        Err(TableError::WrongSku { .. })
    ));
}

#[test]
fn rejects_corruption_anywhere_after_the_version() {
    let bytes = encode(&random_spec(2, 3)).unwrap();
    for at in 10..bytes.len() {
        let mut bad = bytes.clone();
        bad[at] ^= 0x10;
        match FrontierTable::decode(&bad, SKU) {
            Err(TableError::CrcMismatch { stored, computed }) => assert_ne!(stored, computed),
            // Flipping a bit of payload_len changes the expected length first.
            Err(
                TableError::Truncated { .. }
                | TableError::Malformed {
                    reason: Invalid::PayloadLength,
                    ..
                },
            ) if (54..58).contains(&at) => {}
            other => panic!("byte {at}: expected CrcMismatch, got {other:?}"),
        }
    }
}

#[test]
fn rejects_malformed_records_even_with_a_valid_crc() {
    let good = encode(&source_spec()).unwrap();
    let plan0 = HEADER_LEN + OP_HEADER_LEN;
    let cases: [(usize, &[u8], Invalid); 5] = [
        (plan0 + 1, &[9], Invalid::UnknownCode),            // precision code 9
        (plan0, b"a", Invalid::PlanId),                     // lower-case plan id
        (plan0 + PLAN_LEN, b"A", Invalid::DuplicatePlanId), // plan B relabelled A
        (plan0 + 12, &f32::NAN.to_le_bytes(), Invalid::NotPositive("est_jpt")),
        (HEADER_LEN + OP_HEADER_LEN - 1, &[0], Invalid::PlanCount), // zero plans
    ];
    for (at, patch, reason) in cases {
        let mut bytes = good.clone();
        bytes[at..at + patch.len()].copy_from_slice(patch);
        reseal(&mut bytes);
        match FrontierTable::decode(&bytes, SKU) {
            Err(TableError::Malformed { reason: got, .. }) => assert_eq!(got, reason, "patch at {at}"),
            other => panic!("patch at {at}: expected Malformed({reason:?}), got {other:?}"),
        }
    }
    // Trailing bytes and an op count the payload cannot hold.
    let mut longer = good.clone();
    longer.push(0);
    assert!(matches!(
        FrontierTable::decode(&longer, SKU),
        Err(TableError::Malformed {
            reason: Invalid::PayloadLength,
            ..
        })
    ));
    let mut more_ops = good.clone();
    more_ops[50..54].copy_from_slice(&2u32.to_le_bytes());
    reseal(&mut more_ops);
    assert!(matches!(
        FrontierTable::decode(&more_ops, SKU),
        Err(TableError::Malformed {
            reason: Invalid::PayloadLength,
            ..
        })
    ));
    // The header struct decodes with the same layout the offsets above assume.
    let (h, _): (Header, usize) = bincode::decode_from_slice(&good, CONFIG).unwrap();
    let (op, _): (OpHeader, usize) = bincode::decode_from_slice(&good[HEADER_LEN..], CONFIG).unwrap();
    assert_eq!((h.op_count, op.plan_count), (1, 3));
}

#[test]
fn encoder_refuses_what_the_decoder_would_reject() {
    let mut spec = source_spec();
    spec.ops[0].plans[2].est_lat_ms = -1.0;
    assert!(encode(&spec)
        .unwrap_err()
        .to_string()
        .contains("plan #2: est_lat_ms must be finite and > 0"));
    let mut spec = source_spec();
    spec.ops[0].name = "n".repeat(33);
    assert!(encode(&spec).is_err());
    let mut spec = source_spec();
    spec.sku = String::new();
    assert!(encode(&spec).is_err());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = FrontierTable::decode(&bytes, SKU);
        // Also behind a valid magic and version, where the later checks run.
        let mut framed = b"RIIRFRT\0\x01\x00".to_vec();
        framed.extend_from_slice(&bytes);
        let _ = FrontierTable::decode_any_sku(&framed);
    }

    #[test]
    fn mutated_tables_never_panic_and_resealed_ones_stay_walkable(
        seed in 0u64..1000,
        edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..8),
        cut in any::<usize>(),
    ) {
        let mut bytes = encode(&random_spec(seed, 3)).unwrap();
        for (at, value) in edits {
            let at = at % bytes.len();
            bytes[at] = value;
        }
        prop_assert!(FrontierTable::decode(&bytes, SKU).is_err() || bytes == encode(&random_spec(seed, 3)).unwrap());
        reseal(&mut bytes);
        // A table that passes the checks must be fully readable through the views.
        if let Ok(table) = FrontierTable::decode_any_sku(&bytes) {
            let mut plans = 0;
            for op in table.ops() {
                plans += op.plans().count();
                prop_assert_eq!(op.plans().count(), op.plan_count());
            }
            prop_assert!(plans >= table.op_count());
        }
        let _ = FrontierTable::decode(&bytes[..cut % (bytes.len() + 1)], SKU);
    }
}
