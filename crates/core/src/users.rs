//! Officers' accounts: Argon2id password hashes, offline login, roles.
use crate::error::{Error, Result};
use crate::model::{Actor, NewUser, Role, Scope, User};
use crate::store::{Store, Writer, record_in, scope_station};
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use rand_core::OsRng;
use rusqlite::{OptionalExtension, Row, params};
use std::collections::BTreeMap;
use tinbao_sync::{EntityKind, Op};
use uuid::Uuid;

pub const MIN_PASSWORD_LEN: usize = 8;

fn check_password(pw: &str) -> Result<()> {
    if pw.chars().count() < MIN_PASSWORD_LEN {
        return Err(Error::invalid(format!(
            "Mật khẩu cần ít nhất {MIN_PASSWORD_LEN} ký tự."
        )));
    }
    Ok(())
}

fn hash_password(pw: &str) -> Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(pw.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::invalid(format!("Không tạo được mã băm mật khẩu: {e}")))
}

fn user_from_row(r: &Row<'_>) -> rusqlite::Result<User> {
    Ok(User {
        id: r.get::<_, String>(0)?.parse().unwrap_or_default(),
        username: r.get(1)?,
        full_name: r.get(2)?,
        rank: r.get(3)?,
        role: Role::parse(&r.get::<_, String>(4)?).unwrap_or(Role::Officer),
        station: r.get(5)?,
        province: r.get(6)?,
        active: r.get(7)?,
        investigator: r.get(8)?,
    })
}

const USER_COLS: &str =
    "id, username, full_name, rank, role, station, province, active, investigator";

impl Store {
    pub fn has_users(&self) -> Result<bool> {
        Ok(self
            .conn
            .query_row("SELECT EXISTS(SELECT 1 FROM users)", [], |r| r.get(0))?)
    }

    /// Creates an account. The very first account of a database needs no actor and must be
    /// the station's chief (or, on a supervisor's database, the supervisor).
    pub fn create_user(&mut self, actor: Option<&Actor>, new: NewUser) -> Result<User> {
        let first = !self.has_users()?;
        match (actor, first) {
            (None, true) => {
                let expected = match self.scope {
                    Scope::Station(_) => Role::Chief,
                    Scope::Province(_) => Role::Supervisor,
                };
                if new.role != expected {
                    return Err(Error::invalid(format!(
                        "Tài khoản đầu tiên phải có vai trò “{}”.",
                        expected.label_vi()
                    )));
                }
            }
            (Some(a), _) if matches!(a.role, Role::Chief | Role::Admin) => {
                if matches!(new.role, Role::Supervisor | Role::Admin) && a.role != Role::Admin {
                    return Err(Error::forbidden("tạo tài khoản cấp tỉnh"));
                }
            }
            (Some(_), _) => return Err(Error::forbidden("tạo tài khoản")),
            (None, false) => return Err(Error::forbidden("tạo tài khoản khi chưa đăng nhập")),
        }
        let username = new.username.trim().to_lowercase();
        if username.len() < 3
            || !username
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_')
        {
            return Err(Error::invalid(
                "Tên đăng nhập cần ít nhất 3 ký tự, chỉ gồm chữ không dấu, số, dấu chấm hoặc gạch dưới.",
            ));
        }
        if new.full_name.trim().is_empty() {
            return Err(Error::invalid("Chưa nhập họ tên."));
        }
        check_password(&new.password)?;
        let taken: bool = self.conn.query_row(
            "SELECT EXISTS(SELECT 1 FROM users WHERE username = ?1)",
            [&username],
            |r| r.get(0),
        )?;
        if taken {
            return Err(Error::invalid(format!(
                "Tên đăng nhập “{username}” đã có người dùng."
            )));
        }
        let (station, province) = match (&self.scope, new.role) {
            (Scope::Station(s), Role::Officer | Role::Chief) => (Some(s.clone()), None),
            (Scope::Station(s), _) => (None, self.admin_commune(s)?.map(|c| c.province)),
            (Scope::Province(p), _) => (None, Some(p.clone())),
        };
        let hash = hash_password(&new.password)?;
        let id = Uuid::now_v7();
        let author = actor.map(|a| a.user_id).unwrap_or(id);
        let scope_code = scope_station(&self.scope).to_owned();
        let tx = self.conn.transaction()?;
        let mut w = Writer::new(&tx, self.device, author, &mut self.clock);
        let hlc = w.stamp();
        tx.execute(
            "INSERT INTO users(id, username, full_name, rank, role, station, province, password_hash, active, hlc)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 1, ?9)",
            params![id.to_string(), username, new.full_name.trim(), new.rank, new.role.as_str(), station, province, hash, hlc.to_string()],
        )?;
        let mut f = BTreeMap::new();
        f.insert("username".into(), username.clone().into());
        f.insert("full_name".into(), new.full_name.trim().into());
        f.insert("rank".into(), new.rank.clone().into());
        f.insert("role".into(), new.role.as_str().into());
        f.insert("station".into(), station.clone().into());
        f.insert("province".into(), province.clone().into());
        // The hash stays on this PC: another PC of the station gets the account without it, and
        // its chief sets the officer a password there (`reset_password`), which stays there too.
        f.insert("active".into(), true.into());
        w.emit(EntityKind::User, id, &scope_code, Op::Upsert, f, hlc, false)?;
        w.finish()?;
        tx.commit()?;
        Ok(User {
            id,
            username,
            full_name: new.full_name.trim().into(),
            rank: new.rank,
            role: new.role,
            station,
            province,
            active: true,
            investigator: false,
        })
    }

    /// Checks a password against the local hash: works with no network.
    pub fn login(&mut self, username: &str, password: &str) -> Result<Actor> {
        let row: Option<(User, String)> = self
            .conn
            .query_row(
                &format!("SELECT {USER_COLS}, password_hash FROM users WHERE username = ?1"),
                [username.trim().to_lowercase()],
                |r| Ok((user_from_row(r)?, r.get(9)?)),
            )
            .optional()?;
        let Some((user, hash)) = row else {
            // Same work as a real check, so timing does not tell which usernames exist.
            let _ = hash_password(password);
            return Err(Error::BadCredentials);
        };
        let parsed = PasswordHash::new(&hash).map_err(|_| Error::BadCredentials)?;
        if Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_err()
        {
            return Err(Error::BadCredentials);
        }
        if !user.active {
            return Err(Error::InactiveUser);
        }
        let actor = Actor {
            user_id: user.id,
            username: user.username,
            full_name: user.full_name,
            role: user.role,
            station: user.station,
            province: user.province,
        };
        self.audit(&actor, "login", None, None)?;
        Ok(actor)
    }

    pub fn users(&self) -> Result<Vec<User>> {
        let mut st = self
            .conn
            .prepare(&format!("SELECT {USER_COLS} FROM users ORDER BY full_name"))?;
        let rows = st.query_map([], user_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn user(&self, id: Uuid) -> Result<Option<User>> {
        Ok(self
            .conn
            .query_row(
                &format!("SELECT {USER_COLS} FROM users WHERE id = ?1"),
                [id.to_string()],
                user_from_row,
            )
            .optional()?)
    }

    /// Deactivates or reactivates an account (the chief, for the station's officers).
    pub fn set_user_active(&mut self, actor: &Actor, id: Uuid, active: bool) -> Result<()> {
        if !matches!(actor.role, Role::Chief | Role::Admin) {
            return Err(Error::forbidden("khóa/mở tài khoản"));
        }
        if actor.user_id == id && !active {
            return Err(Error::invalid(
                "Không thể tự khóa tài khoản của chính mình.",
            ));
        }
        let action = if active {
            "user_enabled"
        } else {
            "user_disabled"
        };
        self.write_user_field(
            actor,
            id,
            "active",
            active.into(),
            action,
            Some(&id.to_string()),
        )
    }

    /// Flags (or unflags) a station's chief or deputy as a commune investigator, assigned by
    /// the head of the provincial investigation agency (Law 99/2025/QH15): only a flagged user
    /// signs the decisions of a case kept at the commune. Chief or administrator; audited;
    /// synced like the account's other fields.
    pub fn set_investigator(
        &mut self,
        actor: &Actor,
        user: Uuid,
        investigator: bool,
    ) -> Result<()> {
        if !matches!(actor.role, Role::Chief | Role::Admin) {
            return Err(Error::forbidden(
                "ghi nhận Điều tra viên ở Công an xã (chỉ trưởng/phó Công an)",
            ));
        }
        let target = self
            .user(user)?
            .ok_or_else(|| Error::not_found("tài khoản"))?;
        if actor.role == Role::Chief && target.station != actor.station {
            return Err(Error::forbidden("ghi nhận Điều tra viên của đơn vị khác"));
        }
        if investigator && !matches!(target.role, Role::Officer | Role::Chief) {
            return Err(Error::invalid(
                "Chỉ cán bộ của Công an xã mới là Điều tra viên ở Công an xã.",
            ));
        }
        self.write_user_field(
            actor,
            user,
            "investigator",
            investigator.into(),
            if investigator {
                "investigator_set"
            } else {
                "investigator_unset"
            },
            Some(&target.username),
        )
    }

    /// The chief sets a new password for an officer of the station (forgotten password, or an
    /// account that arrived by sync and has no key copy on this PC yet). Audited.
    pub fn reset_password(&mut self, actor: &Actor, user: Uuid, new: &str) -> Result<()> {
        if !matches!(actor.role, Role::Chief | Role::Admin) {
            return Err(Error::forbidden(
                "đặt lại mật khẩu (chỉ trưởng/phó Công an)",
            ));
        }
        let target = self
            .user(user)?
            .ok_or_else(|| Error::not_found("tài khoản"))?;
        if actor.role == Role::Chief && target.station != actor.station {
            return Err(Error::forbidden("đặt lại mật khẩu cho cán bộ đơn vị khác"));
        }
        check_password(new)?;
        let hash = hash_password(new)?;
        self.write_user_field(
            actor,
            user,
            "password_hash",
            hash.into(),
            "password_reset",
            Some(&target.username),
        )
    }

    /// The chief lets an officer's account, locked on this PC after wrong passwords, try again
    /// early (the lockout itself is kept by the app, outside the register). Audited.
    pub fn record_login_unlock(&mut self, actor: &Actor, username: &str) -> Result<()> {
        if !matches!(actor.role, Role::Chief | Role::Admin) {
            return Err(Error::forbidden(
                "mở khóa đăng nhập (chỉ trưởng/phó Công an)",
            ));
        }
        let target: Option<Option<String>> = self
            .conn
            .query_row(
                "SELECT station FROM users WHERE username = ?1",
                [username],
                |r| r.get(0),
            )
            .optional()?;
        let Some(station) = target else {
            return Err(Error::not_found("tài khoản"));
        };
        if actor.role == Role::Chief && station != actor.station {
            return Err(Error::forbidden("mở khóa tài khoản của đơn vị khác"));
        }
        self.audit(actor, "account_unlocked", Some(username), None)
    }

    /// Changes one's own password, proving the old one.
    pub fn change_password(&mut self, actor: &Actor, old: &str, new: &str) -> Result<()> {
        self.login(&actor.username, old)?;
        check_password(new)?;
        let hash = hash_password(new)?;
        self.write_user_field(
            actor,
            actor.user_id,
            "password_hash",
            hash.into(),
            "password_changed",
            None,
        )
    }

    /// Writes one column of an account, records the change for sync and the audit entry, in
    /// one transaction. `column` is one of this module's own literals, never input.
    fn write_user_field(
        &mut self,
        actor: &Actor,
        id: Uuid,
        column: &'static str,
        value: serde_json::Value,
        audit_action: &str,
        audit_target: Option<&str>,
    ) -> Result<()> {
        let station = scope_station(&self.scope).to_owned();
        let tx = self.conn.transaction()?;
        let sql_value: rusqlite::types::Value = match &value {
            serde_json::Value::Bool(b) => (*b as i64).into(),
            serde_json::Value::String(s) => s.clone().into(),
            other => other.to_string().into(),
        };
        let n = tx.execute(
            &format!("UPDATE users SET {column} = ?2 WHERE id = ?1"),
            params![id.to_string(), sql_value],
        )?;
        if n == 0 {
            return Err(Error::not_found("tài khoản"));
        }
        if column != "password_hash" {
            let mut w = Writer::new(&tx, self.device, actor.user_id, &mut self.clock);
            let hlc = w.stamp();
            let mut f = BTreeMap::new();
            f.insert(column.to_owned(), value);
            w.emit(EntityKind::User, id, &station, Op::Upsert, f, hlc, true)?;
            w.finish()?;
        }
        record_in(
            &tx,
            actor,
            self.device,
            &mut self.clock,
            &self.scope,
            audit_action,
            audit_target,
            None,
        )?;
        tx.commit()?;
        Ok(())
    }
}
