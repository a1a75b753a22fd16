//! The search index (`case_fts`, FTS5): how a case's entry is made from its row and persons,
//! written, rebuilt by a migration, and its segments merged. It works on a connection and
//! knows nothing of `Store`, so the store's migrations can rebuild it.
use crate::error::Result;
use crate::model::NewCase;
use crate::text::fold;
use crate::time::vn_time;
use chrono::Datelike;
use rusqlite::{Connection, OptionalExtension, Row, params};

/// Rebuilds the case's index entry from its row and persons (a new case is indexed from
/// memory by `cases::create_case`).
///
/// Besides the folded text, the entry holds one token per filterable value (see
/// `filter_token`), so that a search with filters is an intersection inside the index rather
/// than a scan of every text match.
pub(crate) fn reindex(tx: &Connection, case_id: &str) -> Result<()> {
    let entry = tx
        .prepare_cached(&format!("{INDEX_SOURCE} WHERE c.id = ?1"))?
        .query_row([case_id], index_entry)
        .optional()?;
    if let Some((rid, body)) = entry {
        tx.prepare_cached("DELETE FROM case_fts WHERE rowid = ?1")?
            .execute([rid])?;
        tx.prepare_cached("INSERT INTO case_fts(rowid, body) VALUES (?1, ?2)")?
            .execute(params![rid, body])?;
    }
    Ok(())
}

/// Fills an empty search index from every case (a migration that changes how it is built).
pub(crate) fn rebuild_index(tx: &Connection) -> rusqlite::Result<()> {
    let mut read = tx.prepare(INDEX_SOURCE)?;
    let mut write = tx.prepare("INSERT INTO case_fts(rowid, body) VALUES (?1, ?2)")?;
    let mut rows = read.query([])?;
    while let Some(r) = rows.next()? {
        let (rid, body) = index_entry(r)?;
        write.execute(params![rid, body])?;
    }
    Ok(())
}

/// Writes a new case's entry, made from memory by `fts_body`.
pub(crate) fn insert_entry(tx: &Connection, rid: i64, body: &str) -> Result<()> {
    tx.prepare_cached("INSERT INTO case_fts(rowid, body) VALUES (?1, ?2)")?
        .execute(params![rid, body])?;
    Ok(())
}

/// Merges segments, up to about `pages` pages of work; true while more is left.
pub(crate) fn merge_segments(conn: &Connection, pages: u32) -> Result<bool> {
    let before = conn.total_changes();
    conn.execute(
        "INSERT INTO case_fts(case_fts, rank) VALUES ('merge', ?1)",
        [i64::from(pages.max(2))],
    )?;
    // FTS5 counts the pages it wrote as changes; fewer than two means nothing was left.
    Ok(conn.total_changes() - before >= 2)
}

/// A case's row and persons as the text and filters of its index entry.
const INDEX_SOURCE: &str = "SELECT c.rid, concat_ws(' ', c.register_no, c.summary, c.description, c.channel_ref, c.hamlet, c.address, c.occurred,
       (SELECT name FROM communes WHERE code = c.commune),
       (SELECT group_concat(name, ' ') FROM persons p WHERE p.case_id = c.id)),
       c.status, c.category, c.channel, c.kind, c.station, c.received_utc, c.assignee
     FROM cases c";

fn index_entry(r: &Row<'_>) -> rusqlite::Result<(i64, String)> {
    let (status, category, channel, kind, station): (String, String, String, String, String) =
        (r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?);
    let assignee: Option<String> = r.get(8)?;
    let body = fts_body(
        fold(&r.get::<_, String>(1)?),
        &FtsFilters {
            status: &status,
            category: &category,
            channel: &channel,
            kind: &kind,
            station: &station,
            received_utc: r.get(7)?,
            assignee: assignee.as_deref(),
        },
    );
    Ok((r.get(0)?, body))
}

/// The filterable values a case's index entry carries as tokens.
pub(crate) struct FtsFilters<'a> {
    pub status: &'a str,
    pub category: &'a str,
    pub channel: &'a str,
    pub kind: &'a str,
    pub station: &'a str,
    pub received_utc: i64,
    pub assignee: Option<&'a str>,
}

/// A case's index entry: its folded text, then one token per filterable value.
pub(crate) fn fts_body(folded: String, f: &FtsFilters<'_>) -> String {
    let mut body = folded;
    body.reserve(160);
    for (k, v) in [
        ("st", f.status),
        ("ca", f.category),
        ("ch", f.channel),
        ("ki", f.kind),
        ("sn", f.station),
    ] {
        body.push(' ');
        body.push_str(&filter_token(k, v));
    }
    body.push(' ');
    body.push_str(&filter_token("ym", &month_of(f.received_utc).to_string()));
    if let Some(a) = f.assignee {
        body.push(' ');
        body.push_str(&filter_token("as", a));
    }
    body
}

/// A filter value as one index token: a prefix no Vietnamese word has, then the value with
/// everything but letters and digits removed (the tokenizer would split on them).
pub(crate) fn filter_token(kind: &str, value: &str) -> String {
    let v: String = value
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .flat_map(|c| c.to_lowercase())
        .collect();
    format!("qq{kind}{v}")
}

/// yyyymm of a time, in Vietnam time.
pub(crate) fn month_of(unix: i64) -> u32 {
    let d = vn_time(unix);
    (d.year() as u32) * 100 + d.month()
}

/// A new case's searchable text but its commune's name (which the database holds): register
/// number, summary, description, channel reference, place, time and persons' names. The
/// index keeps no positions (detail=none), so the commune's name may be appended after.
pub(crate) fn search_text(new: &NewCase, register_no: &str) -> String {
    let l = &new.location;
    let mut text = String::with_capacity(new.summary.len() + new.description.len() + 128);
    for part in [
        Some(register_no),
        Some(new.summary.as_str()),
        Some(new.description.as_str()),
        new.channel_ref.as_deref(),
        l.hamlet.as_deref(),
        l.address.as_deref(),
        new.occurred.as_deref(),
    ]
    .into_iter()
    .flatten()
    .chain(new.persons.iter().map(|p| p.name.trim()))
    {
        if !text.is_empty() {
            text.push(' ');
        }
        text.push_str(part);
    }
    text
}
