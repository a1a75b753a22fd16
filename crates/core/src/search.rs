//! The register's one search box and filters. Text matching ignores diacritics and đ/d (the
//! index holds folded text, see text.rs); due-soon and overdue cases come first everywhere.
use crate::case_row::{ROW_COLS, row_from};
use crate::deadlines::DUE_SOON_SECS;
use crate::error::{Error, Result};
use crate::model::{Actor, CaseRow, Channel, Kind, NewCase, Role, Scope, Status};
use crate::search_index::{filter_token, month_of};
use crate::store::Store;
use crate::text::{fold, fts_query};
use chrono::Utc;
use rusqlite::types::Value as V;
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SearchQuery {
    pub text: Option<String>,
    /// Unix seconds, inclusive.
    #[ts(type = "number | null")]
    pub from: Option<i64>,
    /// Unix seconds, exclusive.
    #[ts(type = "number | null")]
    pub to: Option<i64>,
    pub status: Option<Vec<Status>>,
    pub category: Option<String>,
    pub channel: Option<Channel>,
    pub kind: Option<Kind>,
    pub hamlet: Option<String>,
    pub assignee: Option<Uuid>,
    pub station: Option<String>,
    /// Only overdue or due within 24 hours.
    pub due_only: bool,
    pub conflict_only: bool,
    /// The supervisor's review queue: cases with an outcome not yet approved, and open cases
    /// past their deadline.
    #[serde(default)]
    pub review_queue: bool,
    pub page: u32,
    pub page_size: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SearchPage {
    pub rows: Vec<CaseRow>,
    /// Matching cases, counted up to `COUNT_CAP` (up to `RANK_CAP` for a broad text query);
    /// `total_capped` says the real number is larger.
    pub total: u32,
    pub total_capped: bool,
    /// False when a very broad text query is listed newest first instead of by relevance.
    pub ranked: bool,
    pub page: u32,
    pub page_size: u32,
}

/// Counting every match of a broad query over a million cases costs more than the page itself;
/// past this the UI says "more than".
pub const COUNT_CAP: u32 = 10_000;

/// At most this many cases left by the filters are found through the filters' indexes and
/// sorted, rather than by walking the date index.
const FEW: u32 = 2_000;

/// Up to this many text matches are all ranked by relevance; each costs a look-up of its case
/// (for the filters and the overdue-first order), which is what bounds search time.
pub const RANK_CAP: u32 = 500;

/// The longest prefix the search index keeps an index of (`prefix='2 3 4 5 6'`, migration
/// 003): a last word up to this long is looked up as one term, longer ones merge every word
/// they start.
const LONGEST_INDEXED_PREFIX: usize = 6;

struct Where {
    sql: String,
    args: Vec<V>,
}

impl Where {
    fn push(&mut self, cond: &str, v: impl Into<V>) {
        self.sql.push_str(" AND ");
        self.sql
            .push_str(&cond.replace('?', &format!("?{}", self.args.len() + 1)));
        self.args.push(v.into());
    }
}

impl Store {
    pub fn search(&self, actor: &Actor, q: &SearchQuery) -> Result<SearchPage> {
        let now = Utc::now().timestamp();
        let soon = now + DUE_SOON_SECS;
        let page_size = q.page_size.clamp(1, 500);
        let mut w = Where {
            sql: String::new(),
            args: Vec::new(),
        };
        let own = match actor.role {
            Role::Officer | Role::Chief => Some(
                actor
                    .station
                    .clone()
                    .ok_or_else(|| Error::forbidden("tra cứu sổ"))?,
            ),
            Role::Supervisor | Role::Admin => None,
        };
        // A station's database holds only that station's cases, so there the condition says
        // nothing, and it misled SQLite into walking the whole register by the station index
        // instead of the deadline index (the Today screen: 100 ms → 20 ms at 100,000 cases).
        let whole_db = |s: &String| matches!(&self.scope, Scope::Station(own) if own == s);
        for s in own.iter().chain(&q.station) {
            if !whole_db(s) {
                w.push("c.station = ?", s.clone());
            }
        }
        if let Some(f) = q.from {
            w.push("c.received_utc >= ?", f);
        }
        if let Some(t) = q.to {
            w.push("c.received_utc < ?", t);
        }
        if let Some(st) = q.status.as_ref().filter(|s| !s.is_empty()) {
            let list: Vec<String> = st.iter().map(|s| format!("'{}'", s.as_str())).collect();
            w.sql
                .push_str(&format!(" AND c.status IN ({})", list.join(",")));
        }
        if let Some(c) = &q.category {
            w.push("c.category = ?", c.clone());
        }
        if let Some(c) = q.channel {
            w.push("c.channel = ?", c.as_str().to_owned());
        }
        if let Some(k) = q.kind {
            w.push("c.kind = ?", k.as_str().to_owned());
        }
        if let Some(h) = q.hamlet.as_ref().filter(|h| !h.trim().is_empty()) {
            w.push("c.hamlet = ?", h.trim().to_owned());
        }
        if let Some(a) = q.assignee {
            w.push("c.assignee = ?", a.to_string());
        }
        if q.conflict_only {
            w.sql.push_str(" AND c.conflict = 1");
        }
        if q.review_queue {
            let closed: Vec<String> = Status::ALL
                .iter()
                .filter(|s| !s.is_open() && **s != Status::Duplicate)
                .map(|s| format!("'{}'", s.as_str()))
                .collect();
            let open: Vec<String> = Status::ALL
                .iter()
                .filter(|s| s.is_open())
                .map(|s| format!("'{}'", s.as_str()))
                .collect();
            w.sql.push_str(&format!(
                " AND ((c.status IN ({}) AND (c.review IS NULL OR c.review <> 'approved')) \
                 OR (c.status IN ({}) AND c.deadline_utc IS NOT NULL AND c.deadline_utc < {now}))",
                closed.join(","),
                open.join(",")
            ));
        }
        let urgent = format!("(c.deadline_utc IS NOT NULL AND c.deadline_utc < {soon})");
        if q.due_only {
            w.sql.push_str(&format!(" AND {urgent}"));
        }
        let fts = q.text.as_deref().and_then(fts_query).map(|words| {
            // The filters also as index tokens (see search_index::reindex): the index intersects
            // them with the words; the SQL conditions above still decide exactly.
            let mut m = String::new();
            let mut all = |kind: &str, values: Vec<String>| {
                // Only single values: a union of several large doclists (every open status,
                // say) costs more than the SQL filter it would replace.
                if let [v] = values.as_slice() {
                    m.push_str(&format!(" AND {}", filter_token(kind, v)));
                }
            };
            if let Some(st) = &q.status {
                all("st", st.iter().map(|s| s.as_str().to_owned()).collect());
            }
            all("ca", q.category.iter().cloned().collect());
            all(
                "ch",
                q.channel.iter().map(|c| c.as_str().to_owned()).collect(),
            );
            all("ki", q.kind.iter().map(|k| k.as_str().to_owned()).collect());
            all("sn", q.station.iter().cloned().collect());
            all("as", q.assignee.iter().map(|a| a.to_string()).collect());
            // Months are small doclists, so a short period (the police month spans two
            // calendar months) is worth a group.
            if let (Some(f), Some(t)) = (q.from, q.to) {
                let months: Vec<String> = months_between(f, t)
                    .iter()
                    .map(|x| filter_token("ym", &x.to_string()))
                    .collect();
                if months.len() <= 3 {
                    m.push_str(&format!(" AND ({})", months.join(" OR ")));
                }
            }
            // The last word is also taken as the start of a longer one (the officer may still
            // be typing); the query with it as a whole word tells whether that start is too
            // broad to expand (see below for which of the two is read first).
            let exact = words.strip_suffix('*').map(|w| format!("{w}{m}"));
            let last_len = words.rsplit(' ').next().map_or(0, |t| {
                t.trim_end_matches('*').trim_matches('"').chars().count()
            });
            let indexed_prefix = exact.is_some() && last_len <= LONGEST_INDEXED_PREFIX;
            // A longer last word cut to the longest indexed prefix: a cheap superset of the
            // prefixed query's matches (see below).
            let cover = exact.as_ref().filter(|_| !indexed_prefix).map(|_| {
                let (head, last) = words.rsplit_once(' ').unwrap_or(("", &words));
                let cut: String = last
                    .trim_end_matches('*')
                    .trim_matches('"')
                    .chars()
                    .take(LONGEST_INDEXED_PREFIX)
                    .collect();
                let sep = if head.is_empty() { "" } else { " " };
                format!("{head}{sep}\"{cut}\"*{m}")
            });
            (format!("{words}{m}"), exact, indexed_prefix, cover)
        });
        let offset = u64::from(q.page) * u64::from(page_size);
        let run = |sql: &str, args: &[V]| -> Result<Vec<CaseRow>> {
            let mut st = self.conn.prepare(sql)?;
            let rows = st.query_map(rusqlite::params_from_iter(args.iter()), |r| {
                row_from(r, now)
            })?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        };
        let count = |sql: &str, args: &[V]| -> Result<u32> {
            Ok(self
                .conn
                .query_row(sql, rusqlite::params_from_iter(args.iter()), |r| r.get(0))?)
        };
        let cap = COUNT_CAP + 1;
        let (rows, total, ranked) = match fts {
            Some((prefixed, exact, indexed_prefix, cover)) => {
                let cond = renumber(&w.sql, 1);
                // What a search costs at a million cases is reading long doclists (a common
                // word and a category token, say), so the index is read for at most
                // RANK_CAP + 1 matches and the rest runs on those rows. Counting reads in
                // index order (a query that matches nothing costs half as much forwards);
                // listing reads newest first. When the last word taken whole already matches
                // too many to rank, those are listed and it is not expanded.
                let read = |m: &str, scored: bool, newest: bool| -> Result<Vec<(i64, f64)>> {
                    let score = if scored { "bm25(case_fts)" } else { "0.0" };
                    let order = if newest { "ORDER BY rowid DESC" } else { "" };
                    let mut st = self.conn.prepare_cached(&format!(
                        "SELECT rowid, {score} FROM case_fts WHERE case_fts MATCH ?1 {order} LIMIT {}",
                        RANK_CAP + 1
                    ))?;
                    Ok(st
                        .query_map([m], |r| Ok((r.get(0)?, r.get(1)?)))?
                        .collect::<rusqlite::Result<_>>()?)
                };
                let broad = |hits: &[(i64, f64)]| hits.len() > RANK_CAP as usize;
                let expanded = |p: String| -> Result<(String, Vec<(i64, f64)>)> {
                    let mut h = read(&p, true, false)?;
                    if broad(&h) {
                        h = read(&p, false, true)?;
                    }
                    Ok((p, h))
                };
                let (query, hits) = if indexed_prefix {
                    // The last word's prefix is one indexed term, so the prefixed query is read
                    // first: nothing found (the slowest kind of query, its doclists read to
                    // the end) ends the search there.
                    let h = read(&prefixed, false, false)?;
                    if h.is_empty() {
                        (prefixed, h)
                    } else if !broad(&h) {
                        let h = read(&prefixed, true, false)?;
                        (prefixed, h)
                    } else {
                        match exact {
                            Some(e) if broad(&read(&e, false, false)?) => {
                                let h = read(&e, false, true)?;
                                (e, h)
                            }
                            _ => {
                                let h = read(&prefixed, false, true)?;
                                (prefixed, h)
                            }
                        }
                    }
                } else if let (Some(e), Some(cover)) = (exact, cover) {
                    // A prefix beyond the prefix indexes makes FTS5 merge the doclists of
                    // every word it starts, four times the cost of the word alone at a million
                    // cases. The word whole matches a subset of the prefix, and the prefix
                    // cut to six letters a superset: when those two are the same cases (a
                    // complete word, or nothing), the prefix needs no reading.
                    let h = read(&e, false, false)?;
                    if broad(&h) {
                        let h = read(&e, false, true)?;
                        (e, h)
                    } else if read(&cover, false, false)?.len() == h.len() {
                        let h = if h.is_empty() {
                            h
                        } else {
                            read(&e, true, false)?
                        };
                        (e, h)
                    } else {
                        expanded(prefixed)?
                    }
                } else {
                    expanded(prefixed)?
                };
                if !broad(&hits) {
                    // Few enough to rank them all: overdue/due first, then the cases whose
                    // summary holds every word (the index has one column, so a word found only
                    // in a hamlet or a description scored the same), then relevance, newest.
                    let in_summary =
                        self.summary_matches(&hits, q.text.as_deref().unwrap_or(""))?;
                    let ranked: Vec<(i64, f64, bool)> = hits
                        .iter()
                        .map(|&(rid, score)| (rid, score, in_summary.contains(&rid)))
                        .collect();
                    let list = serde_json::to_string(&ranked)?;
                    let mut args = vec![V::Text(list)];
                    args.extend(w.args.iter().cloned());
                    let m = "WITH m(rid, score, sm) AS (SELECT value ->> 0, value ->> 1, value ->> 2 FROM json_each(?1))";
                    let total = count(
                        &format!(
                            "{m} SELECT count(*) FROM m CROSS JOIN cases c ON c.rid = m.rid WHERE 1 {cond}"
                        ),
                        &args,
                    )?;
                    let rows = run(
                        &format!(
                            "{m} SELECT {ROW_COLS} FROM m CROSS JOIN cases c ON c.rid = m.rid WHERE 1 {cond}
                             ORDER BY {urgent} DESC, m.sm DESC, m.score, c.received_utc DESC LIMIT {page_size} OFFSET {offset}"
                        ),
                        &args,
                    )?;
                    (rows, total, true)
                } else {
                    // Too broad to rank every match quickly at a million cases: newest registered
                    // first, and the UI asks for another word. The page usually lies within the
                    // matches already read (newest first), so they are taken in slices until the
                    // page is full: the filters' SQL reads a few dozen cases, not all RANK_CAP.
                    let upto = offset + u64::from(page_size);
                    let slice = (2 * upto).max(64) as usize;
                    let mut args = vec![V::Text(String::new())];
                    args.extend(w.args.iter().cloned());
                    let mut rows = Vec::new();
                    for part in hits.chunks(slice) {
                        let rids: Vec<i64> = part.iter().map(|h| h.0).collect();
                        args[0] = V::Text(serde_json::to_string(&rids)?);
                        let want = upto - rows.len() as u64;
                        rows.extend(run(
                            &format!(
                                "SELECT {ROW_COLS} FROM json_each(?1) m CROSS JOIN cases c ON c.rid = m.value
                                 WHERE 1 {cond} ORDER BY c.rid DESC LIMIT {want}"
                            ),
                            &args,
                        )?);
                        if rows.len() as u64 == upto {
                            break;
                        }
                    }
                    if rows.len() as u64 == upto {
                        rows.drain(..offset as usize);
                    } else {
                        args[0] = V::Text(query);
                        rows = run(
                            &format!(
                                "SELECT {ROW_COLS} FROM case_fts f CROSS JOIN cases c ON c.rid = f.rowid
                                 WHERE case_fts MATCH ?1 {cond} ORDER BY f.rowid DESC LIMIT {page_size} OFFSET {offset}"
                            ),
                            &args,
                        )?;
                    }
                    // Counting every match of a broad query costs as much as the page: it is
                    // reported as "more than RANK_CAP".
                    (rows, RANK_CAP + 1, false)
                }
            }
            None => {
                let cond = &w.sql;
                let args = &w.args;
                let total = count(
                    &format!(
                        "SELECT count(*) FROM (SELECT 1 FROM cases c WHERE 1 {cond} LIMIT {cap})"
                    ),
                    args,
                )?;
                // Overdue and due-soon cases come first, from the deadline index; the rest page
                // down the date index. Only as many urgent ones are read as the page needs.
                // When the filters leave few cases (conflicts, one officer's, none at all), the
                // filters' own indexes find them and they are sorted afterwards (the unary +
                // keeps SQLite from walking the whole date index looking for them).
                let sort = if total <= FEW { "+" } else { "" };
                let upto = offset + u64::from(page_size);
                let urgent_seen = if total == 0 {
                    0
                } else {
                    count(
                        &format!(
                            "SELECT count(*) FROM (SELECT 1 FROM cases c WHERE {urgent} {cond} LIMIT {upto})"
                        ),
                        args,
                    )?
                };
                let mut rows = if offset < u64::from(urgent_seen) {
                    run(
                        &format!(
                            "SELECT {ROW_COLS} FROM cases c WHERE {urgent} {cond} ORDER BY {sort}c.deadline_utc LIMIT {page_size} OFFSET {offset}"
                        ),
                        args,
                    )?
                } else {
                    Vec::new()
                };
                let want = page_size as usize - rows.len();
                if want > 0 && offset + (rows.len() as u64) < u64::from(total) {
                    let rest_offset = offset.saturating_sub(u64::from(urgent_seen));
                    rows.extend(run(
                        &format!(
                            "SELECT {ROW_COLS} FROM cases c WHERE NOT {urgent} {cond}
                             ORDER BY {sort}c.received_utc DESC LIMIT {want} OFFSET {rest_offset}"
                        ),
                        args,
                    )?);
                }
                (rows, total, true)
            }
        };
        Ok(SearchPage {
            rows,
            total: if ranked {
                total.min(COUNT_CAP)
            } else {
                RANK_CAP
            },
            total_capped: !ranked || total > COUNT_CAP,
            ranked,
            page: q.page,
            page_size,
        })
    }

    /// Likely duplicates of a report about to be saved: same station, received within three
    /// days of it, sharing words of the summary, most similar first.
    /// Of the matches `hits`, those whose summary holds every word of `text` (the last as the
    /// start of a word, as the search reads it).
    fn summary_matches(&self, hits: &[(i64, f64)], text: &str) -> Result<Vec<i64>> {
        let folded = fold(text);
        let words: Vec<&str> = folded
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .take(12)
            .collect();
        if words.is_empty() || hits.is_empty() {
            return Ok(Vec::new());
        }
        let rids: Vec<i64> = hits.iter().map(|h| h.0).collect();
        let mut st = self.conn.prepare_cached(
            "SELECT c.rid, c.summary FROM json_each(?1) m CROSS JOIN cases c ON c.rid = m.value",
        )?;
        let rows = st.query_map([serde_json::to_string(&rids)?], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (rid, summary) = row?;
            let summary = fold(&summary);
            let have: Vec<&str> = summary
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .collect();
            let last = words.len() - 1;
            let all = words.iter().enumerate().all(|(i, w)| {
                have.iter()
                    .any(|h| if i == last { h.starts_with(w) } else { h == w })
            });
            if all {
                out.push(rid);
            }
        }
        Ok(out)
    }

    pub fn suggest_duplicates(&self, actor: &Actor, new: &NewCase) -> Result<Vec<CaseRow>> {
        let words: Vec<String> = fold(&format!("{} {}", new.summary, new.description))
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| w.chars().count() >= 3)
            .map(str::to_owned)
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .take(24)
            .collect();
        if words.is_empty() {
            return Ok(Vec::new());
        }
        let at = new
            .received_at
            .map(|d| d.timestamp())
            .unwrap_or_else(|| Utc::now().timestamp());
        let window = 3 * 86_400;
        let m = words
            .iter()
            .map(|w| format!("\"{w}\""))
            .collect::<Vec<_>>()
            .join(" OR ");
        let station = actor.station.clone().unwrap_or_default();
        let now = Utc::now().timestamp();
        let sql = format!(
            "SELECT {ROW_COLS} FROM case_fts f JOIN cases c ON c.rid = f.rowid
             WHERE case_fts MATCH ?1 AND c.station = ?2 AND c.received_utc BETWEEN ?3 AND ?4 AND c.status != 'duplicate'
               AND (?5 IS NULL OR c.commune IS NULL OR c.commune = ?5)
             ORDER BY bm25(case_fts) LIMIT 20"
        );
        let mut st = self.conn.prepare(&sql)?;
        let rows = st
            .query_map(
                rusqlite::params![m, station, at - window, at + window, new.location.commune],
                |r| row_from(r, now),
            )?
            .collect::<Result<Vec<_>, _>>()?;
        // Keep those whose summary shares at least half of the new summary's words, not one
        // common word of the description.
        let summary_words: Vec<String> = fold(&new.summary)
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| w.chars().count() >= 2)
            .map(str::to_owned)
            .collect();
        let need = summary_words.len().div_ceil(2).max(1);
        let mut scored: Vec<(usize, CaseRow)> = rows
            .into_iter()
            .map(|r| {
                let f = fold(&r.summary);
                let theirs: Vec<&str> = f.split(|c: char| !c.is_alphanumeric()).collect();
                let hits = summary_words
                    .iter()
                    .filter(|w| theirs.contains(&w.as_str()))
                    .count();
                (hits, r)
            })
            .filter(|(h, _)| *h >= need)
            .collect();
        scored.sort_by_key(|s| std::cmp::Reverse(s.0));
        Ok(scored.into_iter().take(5).map(|(_, r)| r).collect())
    }
}

/// Shifts `?N` placeholders by `by`, for conditions placed after the MATCH argument.
fn renumber(sql: &str, by: usize) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(c);
        if c == '?' {
            let mut n = String::new();
            while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                n.push(*d);
                chars.next();
            }
            match n.parse::<usize>() {
                Ok(v) => out.push_str(&(v + by).to_string()),
                Err(_) => out.push_str(&n),
            }
        }
    }
    out
}

/// Every yyyymm from the month of `from` to the month of `to` (exclusive end).
fn months_between(from: i64, to: i64) -> Vec<u32> {
    let (mut m, last) = (month_of(from), month_of(to.saturating_sub(1).max(from)));
    let mut out = Vec::new();
    while m <= last && out.len() <= 25 {
        out.push(m);
        m = if m % 100 == 12 {
            (m / 100 + 1) * 100 + 1
        } else {
            m + 1
        };
    }
    out
}
