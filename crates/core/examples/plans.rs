//! Prints SQLite's plans for the register's hot queries (diagnostics for the benchmark).
use tinbao_core::*;
fn main() {
    let dir = tempfile::tempdir().expect("dir");
    let s =
        Store::create(dir.path().join("p.db"), "k", Scope::Province("66".into())).expect("create");
    let rc = "c.id, c.station, c.register_no, c.received_at, c.status, c.deadline_utc";
    for q in [
        format!("SELECT {rc} FROM cases c WHERE (c.deadline_utc IS NOT NULL AND c.deadline_utc < 100) AND c.status IN ('verifying') ORDER BY c.deadline_utc LIMIT 50"),
        format!("SELECT {rc} FROM cases c WHERE NOT (c.deadline_utc IS NOT NULL AND c.deadline_utc < 100) AND c.status IN ('verifying') ORDER BY c.received_utc DESC LIMIT 50"),
        format!("SELECT {rc} FROM cases c WHERE NOT (c.deadline_utc IS NOT NULL AND c.deadline_utc < 100) ORDER BY c.received_utc DESC LIMIT 50"),
        "SELECT kind, count(*) FROM cases WHERE received_utc >= 1 AND received_utc < 2 AND (NULL IS NULL OR station = NULL) GROUP BY kind".into(),
        "SELECT coalesce(sum(deadline_utc < 5), 0), count(*) FROM cases WHERE status IN ('received','verifying')".into(),
        format!("SELECT {rc} FROM case_fts f CROSS JOIN cases c ON c.rid = f.rowid WHERE case_fts MATCH 'x' ORDER BY f.rowid DESC LIMIT 50"),
        format!("WITH m AS MATERIALIZED (SELECT rowid AS rid, bm25(case_fts) AS score FROM case_fts WHERE case_fts MATCH 'x') SELECT {rc} FROM m CROSS JOIN cases c ON c.rid = m.rid WHERE c.category = 'theft' ORDER BY (c.deadline_utc < 5) DESC, m.score LIMIT 50"),
    ] {
        println!("{q}");
        for l in s.explain(&q).expect("plan") {
            println!("   {l}");
        }
    }
}
