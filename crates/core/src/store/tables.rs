//! Which table each synced kind of record lives in, under which key, and which of its columns
//! a change may write: the map that both the outbox's field stamps and sync's apply read.
use crate::error::Result;
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::Value;
use std::collections::BTreeMap;
use tinbao_sync::{EntityKind, Hlc};
use uuid::Uuid;

/// Where each synced kind lives and which of its columns a change may write (the list the
/// server's policy uses too, `EntityKind::fields`). Column names from the network are only
/// ever used after being found in these lists.
pub(crate) fn table(entity: EntityKind) -> (&'static str, &'static str, &'static [&'static str]) {
    let (t, key) = match entity {
        EntityKind::Case => ("cases", "id"),
        EntityKind::Reporter => ("reporters", "case_id"),
        EntityKind::Person => ("persons", "id"),
        EntityKind::User => ("users", "id"),
        EntityKind::Channel => ("channels", "id"),
        EntityKind::Post => ("posts", "id"),
        EntityKind::AnswerTemplate => ("answer_templates", "id"),
        EntityKind::Inquiry => ("inquiries", "id"),
        EntityKind::Event => ("events", "id"),
        EntityKind::Attachment => ("attachments", "id"),
        EntityKind::Audit => ("audit", "id"),
        EntityKind::ChannelStat => ("channel_stats", "id"),
        EntityKind::Reference => ("reference_versions", "id"),
    };
    (t, key, entity.fields())
}

pub(crate) fn sql_value(v: &Value) -> rusqlite::types::Value {
    use rusqlite::types::Value as V;
    match v {
        Value::Null => V::Null,
        Value::Bool(b) => V::Integer(*b as i64),
        Value::Number(n) => n
            .as_i64()
            .map(V::Integer)
            .or_else(|| n.as_f64().map(V::Real))
            .unwrap_or(V::Null),
        Value::String(s) => V::Text(s.clone()),
        // Nested values (an event's data) are stored as their JSON text.
        other => V::Text(other.to_string()),
    }
}

pub(crate) fn row_hlc(conn: &Connection, entity: EntityKind, id: &Uuid) -> Result<Option<Hlc>> {
    let (t, key, _) = table(entity);
    let s: Option<String> = conn
        .prepare_cached(&format!("SELECT hlc FROM {t} WHERE {key} = ?1"))?
        .query_row([id.to_string()], |r| r.get(0))
        .optional()?;
    Ok(s.and_then(|s| s.parse().ok()))
}

/// Writes case fields known to be in the allowed list (local classification). The caller
/// reindexes the case.
pub(crate) fn write_case_fields(
    conn: &Connection,
    id: Uuid,
    f: &BTreeMap<String, Value>,
) -> Result<()> {
    let (_, _, cols) = table(EntityKind::Case);
    for (k, v) in f {
        if let Some(col) = cols.iter().find(|c| **c == k) {
            conn.prepare_cached(&format!("UPDATE cases SET {col} = ?2 WHERE id = ?1"))?
                .execute(params![id.to_string(), sql_value(v)])?;
        }
    }
    Ok(())
}
