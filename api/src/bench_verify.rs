//! P5: `audit verify` against SHA-256 over the same bytes (every entry's
//! hashed fields and every stored form) in the same run, and how much
//! memory verifying takes.
use crate::bench_table::Line;
use leeway_entities::{audit_entry, case_document};
use sea_orm::{DatabaseConnection, EntityTrait, QueryOrder, QuerySelect};
use sha2::{Digest, Sha256};
use std::time::{Duration, Instant};

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// The bytes verification hashes, gathered page by page.
async fn hashed_bytes(db: &DatabaseConnection) -> anyhow::Result<Vec<u8>> {
    let mut all = Vec::new();
    let mut offset = 0;
    loop {
        let page = audit_entry::Entity::find()
            .order_by_asc(audit_entry::Column::Id)
            .offset(offset)
            .limit(5_000)
            .all(db)
            .await?;
        if page.is_empty() {
            break;
        }
        offset += page.len() as u64;
        for e in &page {
            all.extend(leeway_workflows::audit::entry_bytes(e));
        }
    }
    for d in case_document::Entity::find().all(db).await? {
        all.extend(d.body.into_bytes());
    }
    Ok(all)
}

pub async fn measure(db: &DatabaseConnection, runs: usize) -> anyhow::Result<Vec<Line>> {
    let bytes = hashed_bytes(db).await?;
    let mb = bytes.len() as f64 / 1_048_576.0;
    let mut sha = Vec::new();
    let mut verify = Vec::new();
    let mut peak_extra = 0u64;
    let mut entries = 0;
    for _ in 0..runs {
        let t = Instant::now();
        let digest = Sha256::digest(&bytes);
        std::hint::black_box(digest);
        sha.push(t.elapsed());

        let before = rss_kib();
        let sampling = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
        let sampler = {
            let sampling = sampling.clone();
            tokio::spawn(async move {
                let mut peak = 0;
                while sampling.load(std::sync::atomic::Ordering::Relaxed) {
                    peak = peak.max(rss_kib());
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
                peak
            })
        };
        let t = Instant::now();
        let report = leeway_workflows::audit::verify(db).await?;
        verify.push(t.elapsed());
        sampling.store(false, std::sync::atomic::Ordering::Relaxed);
        let peak = sampler.await?;
        peak_extra = peak_extra.max(peak.saturating_sub(before));
        entries = report.entries;
        anyhow::ensure!(
            report.is_intact(),
            "the bench's own audit trail: {:?}",
            report.problems.first()
        );
    }
    sha.sort();
    verify.sort();
    let rate = |d: Duration| mb / d.as_secs_f64().max(1e-9);
    let (sha_rate, verify_rate) = (rate(sha[runs / 2]), rate(verify[runs / 2]));
    Ok(vec![
        Line {
            name: format!("P5 SHA-256 over the same {mb:.1} MB (baseline)"),
            runs,
            value: format!("{sha_rate:.0} MB/s"),
            p90: String::new(),
            p99: String::new(),
            ratio: None,
            target: String::new(),
        },
        Line {
            name: format!("P5 audit verify, {entries} entries (speed)"),
            runs,
            value: format!("{verify_rate:.1} MB/s"),
            p90: format!("{:.0} ms", verify[runs / 2].as_secs_f64() * 1000.0),
            p99: String::new(),
            ratio: Some(verify_rate / sha_rate.max(1e-9)),
            target: ">= 0.5x speed".into(),
        },
        Line {
            name: "P5 audit verify, memory above the process's (peak RSS)".into(),
            runs,
            value: format!("{:.1} MB", peak_extra as f64 / 1024.0),
            p90: String::new(),
            p99: String::new(),
            ratio: None,
            target: "flat: pages of 2,000 rows".into(),
        },
    ])
}
