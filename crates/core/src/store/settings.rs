//! The `meta` table: the station's settings (changed by a chief, audited) and the store's own
//! keys (scope, device, clock, numbering, sync state).
use super::Store;
use super::audit_entry::record_in;
use crate::error::{Error, Result};
use crate::model::{Actor, Role};
use rusqlite::{Connection, OptionalExtension, params};

pub(crate) fn meta_get(conn: &Connection, key: &str) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT value FROM meta WHERE key = ?1")?
        .query_row([key], |r| r.get(0))
        .optional()?)
}

pub(crate) fn meta_set(conn: &Connection, key: &str, value: &str) -> Result<()> {
    conn.execute(
        "INSERT OR REPLACE INTO meta(key, value) VALUES (?1, ?2)",
        params![key, value],
    )?;
    Ok(())
}

impl Store {
    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        meta_get(&self.conn, &format!("setting.{key}"))
    }

    pub fn set_setting(&mut self, actor: &Actor, key: &str, value: &str) -> Result<()> {
        if !matches!(actor.role, Role::Chief | Role::Admin) {
            return Err(Error::forbidden("thay đổi cài đặt"));
        }
        if key == "notice_sender" && !matches!(value, "station" | "agency") {
            return Err(Error::invalid(
                "Người gửi thông báo tiếp nhận khi đã chuyển vụ việc: “station” (Công an xã) hoặc “agency” (Cơ quan điều tra).",
            ));
        }
        if key == "vks_name" && (value.trim().is_empty() || value.chars().count() > 200) {
            return Err(Error::invalid(
                "Tên Viện kiểm sát nhận thông báo tiếp nhận: nhập tên đầy đủ (tối đa 200 ký tự), ví dụ “Viện kiểm sát nhân dân khu vực 1 - Thái Nguyên”.",
            ));
        }
        let value = if key == "vks_name" {
            value.trim()
        } else {
            value
        };
        let tx = self.conn.transaction()?;
        meta_set(&tx, &format!("setting.{key}"), value)?;
        if key == "notice_sender" {
            // Who sends the notices of a transferred case decides whether their clocks run.
            crate::clocks::recompute_all(&tx)?;
        }
        record_in(
            &tx,
            actor,
            self.device,
            &mut self.clock,
            &self.scope,
            "setting_changed",
            Some(key),
            Some(value),
        )?;
        tx.commit()?;
        Ok(())
    }

    pub(crate) fn meta(&self, key: &str) -> Result<Option<String>> {
        meta_get(&self.conn, key)
    }
    pub(crate) fn set_meta(&self, key: &str, value: &str) -> Result<()> {
        meta_set(&self.conn, key, value)
    }
}
