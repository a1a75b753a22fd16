//! Deadline alerts for the desktop's notifications: a clock of the officer's cases entering its
//! last quarter or running out, and the chief's daily summary. Each alert is given once per
//! user, clock and due time (kept in the local `alerts_sent` table, never synced), so a poll
//! every minute does not repeat itself, and an extended clock may alert again.
use crate::case_row::{WriteCache, case_facts, load_events};
use crate::error::Result;
use crate::model::{Actor, ClockState, Role};
use crate::store::Store;
use crate::time::vn_time;
use chrono::{DateTime, FixedOffset, Timelike, Utc};
use rusqlite::params;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum AlertKind {
    /// Three quarters of the clock's time are gone.
    LastQuarter,
    /// The clock ran out and still runs.
    Overdue,
    /// The chief's morning summary of the station.
    DailySummary,
}

impl AlertKind {
    fn as_str(self) -> &'static str {
        match self {
            AlertKind::LastQuarter => "last_quarter",
            AlertKind::Overdue => "overdue",
            AlertKind::DailySummary => "daily_summary",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ClockAlert {
    pub kind: AlertKind,
    /// None for the daily summary.
    pub case_id: Option<uuid::Uuid>,
    pub register_no: Option<String>,
    pub rule: Option<String>,
    pub due_at: Option<DateTime<FixedOffset>>,
    /// One Vietnamese sentence, as the notification shows it.
    pub text: String,
}

/// The chief's summary comes with the first poll from this hour, Vietnam time.
pub const SUMMARY_HOUR: u32 = 7;

impl Store {
    /// The alerts `actor` has not been given yet, marked as given. An officer hears of the
    /// cases assigned to them; a chief of theirs and of the station's unassigned cases, and
    /// once a day of the whole station. Province users get none: their laptops review.
    pub fn take_alerts(&mut self, actor: &Actor, now: DateTime<Utc>) -> Result<Vec<ClockAlert>> {
        let station = match (actor.role, &actor.station) {
            (Role::Officer | Role::Chief, Some(s)) => s.clone(),
            _ => return Ok(Vec::new()),
        };
        let chief = actor.role == Role::Chief;
        let me = actor.user_id.to_string();
        let now_s = now.timestamp();
        let tx = self.conn.transaction()?;
        let candidates: Vec<(String, String, String)> = {
            let mut st = tx.prepare_cached(
                "SELECT id, register_no, summary FROM cases
                  WHERE deadline_utc IS NOT NULL AND station = ?1
                    AND (assignee = ?2 OR (?3 AND assignee IS NULL))
                  ORDER BY deadline_utc",
            )?;
            let rows = st.query_map(params![station, me, chief], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })?;
            rows.collect::<Result<_, _>>()?
        };
        let mut cache = WriteCache::default();
        let mut out = Vec::new();
        {
            let mut sent = tx.prepare_cached(
                "INSERT OR IGNORE INTO alerts_sent(user_id, case_id, rule, kind, due_utc, at_utc)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            for (id, register_no, summary) in candidates {
                let Some((facts, st)) = case_facts(&tx, &id)? else {
                    continue;
                };
                let events = load_events(&tx, &id)?;
                for c in cache.clocks(&tx, &facts, &st, &events)? {
                    if c.ended_at.is_some() {
                        continue;
                    }
                    if !matches!(c.state, ClockState::Running | ClockState::Late) {
                        continue;
                    }
                    let (start, due) = (c.started_at.timestamp(), c.due_at.timestamp());
                    let kind = if now_s >= due {
                        AlertKind::Overdue
                    } else if now_s >= start + (due - start) * 3 / 4 {
                        AlertKind::LastQuarter
                    } else {
                        continue;
                    };
                    let fresh = sent.execute(params![me, id, c.rule, kind.as_str(), due, now_s])?;
                    if fresh == 0 {
                        continue;
                    }
                    let when = c.due_at.format("%H:%M %d/%m/%Y");
                    let text = match kind {
                        AlertKind::Overdue => format!(
                            "Vụ việc số {register_no} ({summary}): quá hạn “{}” từ {when}.",
                            c.label_vi
                        ),
                        _ => format!(
                            "Vụ việc số {register_no} ({summary}): “{}” sắp hết hạn, hạn chót {when}.",
                            c.label_vi
                        ),
                    };
                    out.push(ClockAlert {
                        kind,
                        case_id: id.parse().ok(),
                        register_no: Some(register_no.clone()),
                        rule: Some(c.rule.clone()),
                        due_at: Some(c.due_at),
                        text,
                    });
                }
            }
            let local = vn_time(now_s);
            if chief && local.hour() >= SUMMARY_HOUR {
                let day = local.format("%Y-%m-%d").to_string();
                let fresh = sent.execute(params![
                    me,
                    "",
                    day,
                    AlertKind::DailySummary.as_str(),
                    0,
                    now_s
                ])?;
                if fresh > 0 {
                    let (overdue, soon): (u32, u32) = tx.query_row(
                        "SELECT count(*) FILTER (WHERE deadline_utc < ?1),
                                count(*) FILTER (WHERE deadline_utc >= ?1 AND deadline_utc < ?1 + 86400)
                           FROM cases WHERE deadline_utc IS NOT NULL AND station = ?2",
                        params![now_s, station],
                        |r| Ok((r.get(0)?, r.get(1)?)),
                    )?;
                    out.push(ClockAlert {
                        kind: AlertKind::DailySummary,
                        case_id: None,
                        register_no: None,
                        rule: None,
                        due_at: None,
                        text: format!(
                            "Ngày {}: {overdue} vụ việc quá hạn, {soon} vụ việc đến hạn trong 24 giờ tới.",
                            local.format("%d/%m/%Y")
                        ),
                    });
                }
            }
        }
        tx.commit()?;
        Ok(out)
    }
}
