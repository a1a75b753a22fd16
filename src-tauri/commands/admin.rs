//! Settings: accounts, the inactivity lock. Key copies follow the accounts (keyring.rs).
use crate::keyring::DbKey;
use crate::state::{AppState, CmdError, CmdResult, ErrorKind};
use serde::Serialize;
use tinbao_core::audit::AuditRecord;
use tinbao_core::catalog::{NewReference, ReferenceConflict, ReferenceVersion};
use tinbao_core::deadlines::DeadlineRule;
use tinbao_core::holidays::Holiday;
use tinbao_core::{NewUser, Role, User};
use ts_rs::TS;
use uuid::Uuid;

pub async fn users(state: &AppState) -> CmdResult<Vec<User>> {
    state.with(|s| Ok(s.store.users()?))
}

/// The chief creates an account; the new user's password gets its own copy of the database
/// key so that they can log in on this PC.
pub async fn create_user(state: &AppState, user: NewUser) -> CmdResult<User> {
    state.with(|s| {
        let (username, password) = (
            user.username.clone(),
            zeroize::Zeroizing::new(user.password.clone()),
        );
        let created = s.store.create_user(Some(&s.actor), user)?;
        state.keyring().wrap(&username, &password, &s.key)?;
        Ok(created)
    })
}

pub async fn set_user_active(state: &AppState, id: Uuid, active: bool) -> CmdResult<()> {
    set_user_active_here(state, id, active)
}

/// The chief flags a commune investigator (Law 99/2025); the core checks the right and audits.
pub async fn set_investigator(state: &AppState, id: Uuid, investigator: bool) -> CmdResult<()> {
    state.with(|s| Ok(s.store.set_investigator(&s.actor, id, investigator)?))
}

/// A remote, isolated or island commune has 48 hours to transfer (TTLT 01/2017); the core
/// checks the right, audits and recomputes the station's clocks.
pub async fn set_station_remote(state: &AppState, station: String, remote: bool) -> CmdResult<()> {
    state.with(|s| Ok(s.store.set_station_remote(&s.actor, &station, remote)?))
}

/// The station's settings that move its clocks, for the catalogue's card.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct StationClockSettings {
    /// The station this register belongs to; none for a province's register.
    pub station: Option<String>,
    /// A remote, isolated or island commune: 48 hours to transfer instead of 24.
    pub remote: bool,
    /// Who sends the notices of receipt of a transferred case: `station` or `agency`.
    pub notice_sender: String,
    /// The procuracy of the area that the notices of receipt are addressed to, once set.
    pub vks_name: Option<String>,
}

pub async fn station_clock_settings(state: &AppState) -> CmdResult<StationClockSettings> {
    state.with(|s| {
        let station = s.actor.station.clone();
        let remote = match &station {
            Some(code) => s.store.station_remote(code)?,
            None => false,
        };
        Ok(StationClockSettings {
            station,
            remote,
            notice_sender: s
                .store
                .setting("notice_sender")?
                .unwrap_or_else(|| "station".into()),
            vks_name: s.store.setting("vks_name")?,
        })
    })
}

/// Who sends the notices of receipt once a case is transferred (`station` or `agency`); the
/// core checks the right and the value, audits and recomputes the clocks.
pub async fn set_notice_sender(state: &AppState, sender: String) -> CmdResult<()> {
    state.with(|s| Ok(s.store.set_setting(&s.actor, "notice_sender", &sender)?))
}

/// The procuracy of the area (Viện kiểm sát nhân dân khu vực …) that the printed notices of
/// receipt are addressed to; a chief's setting, checked and audited by the core.
pub async fn set_vks_name(state: &AppState, name: String) -> CmdResult<()> {
    state.with(|s| Ok(s.store.set_setting(&s.actor, "vks_name", &name)?))
}

/// A disabled officer's copy of the key goes at once: their password no longer opens this
/// PC's register, even offline with the file in hand. Enabling again needs a new password
/// from the chief (`reset_user_password`), which writes a new copy.
pub(crate) fn set_user_active_here(state: &AppState, id: Uuid, active: bool) -> CmdResult<()> {
    state.with(|s| {
        s.store.set_user_active(&s.actor, id, active)?;
        if !active && let Some(u) = s.store.user(id)? {
            state.keyring().remove(&u.username)?;
        }
        Ok(())
    })
}

/// The chief sets a new password for an officer (forgotten, or an account that arrived by sync
/// and has no copy of the key on this PC): the core checks the right and audits it, then the
/// officer's new password gets its own copy of the key so that they can log in here.
pub async fn reset_user_password(state: &AppState, id: Uuid, password: String) -> CmdResult<()> {
    let password = zeroize::Zeroizing::new(password);
    reset_password_here(state, id, &password)
}

pub(crate) fn reset_password_here(state: &AppState, id: Uuid, password: &str) -> CmdResult<()> {
    state.with(|s| {
        let user = s
            .store
            .users()?
            .into_iter()
            .find(|u| u.id == id)
            .ok_or_else(|| CmdError::new(ErrorKind::NotFound, "Không tìm thấy tài khoản."))?;
        if !user.active {
            return Err(CmdError::invalid(
                "Tài khoản đang bị khóa; mở khóa trước khi đặt mật khẩu.",
            ));
        }
        s.store.reset_password(&s.actor, id, password)?;
        state.keyring().wrap(&user.username, password, &s.key)?;
        Ok(())
    })
}

/// Active accounts with no copy of the key on this PC (they arrived by sync): they cannot log
/// in here until the chief sets them a password.
pub async fn users_without_key(state: &AppState) -> CmdResult<Vec<Uuid>> {
    users_without_key_here(state)
}

pub(crate) fn users_without_key_here(state: &AppState) -> CmdResult<Vec<Uuid>> {
    state.with(|s| {
        let ring = state.keyring();
        let mut out = Vec::new();
        for u in s.store.users()? {
            if u.active && !ring.has_user(&u.username)? {
                out.push(u.id);
            }
        }
        Ok(out)
    })
}

/// Changes one's own password and re-wraps one's copy of the key with it.
pub async fn change_password(state: &AppState, old: String, new: String) -> CmdResult<()> {
    let (old, new) = (zeroize::Zeroizing::new(old), zeroize::Zeroizing::new(new));
    state.with(|s| {
        s.store.change_password(&s.actor, &old, &new)?;
        state.keyring().wrap(&s.actor.username, &new, &s.key)?;
        Ok(())
    })
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct AppSettings {
    pub lock_minutes: u32,
    /// True when the lock delay is fixed by the environment (TINBAO_LOCK_SECONDS).
    pub lock_fixed: bool,
    pub data_dir: String,
    pub export_dir: String,
}

pub async fn settings(state: &AppState) -> CmdResult<AppSettings> {
    state.with(|s| {
        Ok(AppSettings {
            lock_minutes: (state.lock_after(Some(&s.store)).as_secs() / 60).max(1) as u32,
            lock_fixed: state.lock_override.is_some(),
            data_dir: state.data_dir.display().to_string(),
            export_dir: state.export_dir.display().to_string(),
        })
    })
}

pub async fn set_lock_minutes(state: &AppState, minutes: u32) -> CmdResult<()> {
    if !(1..=crate::state::MAX_LOCK_MINUTES).contains(&u64::from(minutes)) {
        return Err(CmdError::invalid(format!(
            "Thời gian tự khóa phải từ 1 đến {} phút.",
            crate::state::MAX_LOCK_MINUTES
        )));
    }
    state.with(|s| {
        Ok(s.store
            .set_setting(&s.actor, "lock_minutes", &minutes.to_string())?)
    })
}

/// What a re-key did: the officers whose key copy could not be resealed without their
/// password (made before key pairs, and not logged in since): the chief sets them a new one.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct RekeyResult {
    pub without_key: Vec<String>,
}

/// A new database key for this PC's register (an officer left with a copy of the file): every
/// page is re-encrypted and every remaining officer's copy resealed, in one action. The key
/// file gets the new key first, with the old one kept beside it until the register has the
/// new one, so a power cut in between locks no one out (`session::open_session`).
pub async fn rekey_register(state: &AppState) -> CmdResult<RekeyResult> {
    rekey_here(state)
}

pub(crate) fn rekey_here(state: &AppState) -> CmdResult<RekeyResult> {
    state.with(|s| {
        if !matches!(s.actor.role, Role::Chief | Role::Admin) {
            return Err(CmdError::new(
                ErrorKind::Forbidden,
                "Chỉ trưởng Công an được đổi khóa mã hóa dữ liệu.",
            ));
        }
        let ring = state.keyring();
        let new = DbKey::random();
        let without_key = ring.reseal_all(&new, &s.key)?;
        if let Err(e) = s.store.rekey(&s.actor, &new.sqlcipher_key()) {
            ring.undo_reseal()?;
            return Err(e.into());
        }
        // The register has the new key now, whatever happens to the key file's tidying: the
        // session must wrap new officers' copies with it.
        s.key = new;
        ring.finish_reseal()?;
        Ok(RekeyResult { without_key })
    })
}

/// Who saw a reporter, printed, exported, logged in, changed a setting (chief and above).
pub async fn audit_log(state: &AppState) -> CmdResult<Vec<AuditRecord>> {
    state.with(|s| Ok(s.store.audit_log(&s.actor, 200)?))
}

/// The time limits in force, with their legal basis; read-only at a station.
pub async fn deadline_rules(state: &AppState) -> CmdResult<Vec<DeadlineRule>> {
    state.with(|s| Ok(s.store.deadline_rules()?))
}

pub async fn holidays(state: &AppState, year: Option<i32>) -> CmdResult<Vec<Holiday>> {
    state.with(|s| Ok(s.store.holidays(year)?))
}

pub async fn set_holiday(state: &AppState, holiday: Holiday) -> CmdResult<()> {
    state.with(|s| Ok(s.store.set_holiday(&s.actor, holiday)?))
}

pub async fn remove_holiday(state: &AppState, date: String) -> CmdResult<()> {
    let date = chrono::NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d").map_err(|_| {
        CmdError::new(
            ErrorKind::Invalid,
            format!("Ngày “{date}” không hợp lệ (cần dạng năm-tháng-ngày)."),
        )
    })?;
    state.with(|s| Ok(s.store.remove_holiday(&s.actor, date)?))
}

/// The province's reference versions of one set (every set when None), with the one in force.
pub async fn reference(state: &AppState, set: Option<String>) -> CmdResult<Vec<ReferenceVersion>> {
    state.with(|s| Ok(s.store.reference(set.as_deref())?))
}

/// A province administrator sets one version (refused at a station).
pub async fn set_reference(state: &AppState, version: NewReference) -> CmdResult<ReferenceVersion> {
    state.with(|s| Ok(s.store.set_reference(&s.actor, version)?))
}

/// Two administrators' concurrent edits of one version, not yet settled.
pub async fn reference_conflicts(state: &AppState) -> CmdResult<Vec<ReferenceConflict>> {
    state.with(|s| Ok(s.store.reference_conflicts()?))
}

/// Settles one: keeps the value in force, or with `take_other` the one it overrode.
pub async fn resolve_reference_conflict(
    state: &AppState,
    id: Uuid,
    take_other: bool,
) -> CmdResult<()> {
    state.with(|s| {
        Ok(s.store
            .resolve_reference_conflict(&s.actor, id, take_other)?)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::session::{
        SetupInput, SetupUnit, chief_of_a_test_station, create_register, open_session,
    };

    fn new_user(username: &str, role: Role, password: &str) -> NewUser {
        NewUser {
            username: username.into(),
            full_name: format!("Cán bộ {username}"),
            rank: None,
            role,
            password: password.into(),
        }
    }

    #[test]
    fn an_account_that_arrived_by_sync_logs_in_here_after_the_chief_sets_its_password() {
        let dir = tempfile::tempdir().unwrap();
        let (state, session) = chief_of_a_test_station(dir.path());
        state.start(session);
        // What sync brings: the account in the register, no copy of the key in keys.json.
        let officer = state
            .with(|s| {
                let actor = s.actor.clone();
                Ok(s.store.create_user(
                    Some(&actor),
                    new_user("canbo.ha", Role::Officer, "o-may-khac"),
                )?)
            })
            .unwrap();
        assert_eq!(users_without_key_here(&state).unwrap(), vec![officer.id]);
        assert!(matches!(
            state.keyring().unwrap("canbo.ha", "o-may-khac"),
            Err(crate::keyring::KeyringError::NoKeyForUser(_))
        ));

        assert_eq!(
            reset_password_here(&state, officer.id, "ngan")
                .unwrap_err()
                .kind,
            ErrorKind::Invalid
        );
        reset_password_here(&state, officer.id, "mat-khau-moi-2025").unwrap();
        assert!(users_without_key_here(&state).unwrap().is_empty());
        let key = state
            .keyring()
            .unwrap("canbo.ha", "mat-khau-moi-2025")
            .unwrap();
        let mut store = tinbao_core::Store::open(state.db_path(), &key.sqlcipher_key()).unwrap();
        assert_eq!(
            store.login("canbo.ha", "mat-khau-moi-2025").unwrap().role,
            Role::Officer
        );
    }

    #[test]
    fn a_disabled_officers_password_no_longer_opens_the_register_on_this_pc() {
        let dir = tempfile::tempdir().unwrap();
        let (state, session) = chief_of_a_test_station(dir.path());
        state.start(session);
        let officer = state
            .with(|s| {
                let actor = s.actor.clone();
                let u = s.store.create_user(
                    Some(&actor),
                    new_user("canbo.nghi", Role::Officer, "matkhau-nghi"),
                )?;
                state.keyring().wrap("canbo.nghi", "matkhau-nghi", &s.key)?;
                Ok(u)
            })
            .unwrap();
        assert!(state.keyring().unwrap("canbo.nghi", "matkhau-nghi").is_ok());
        set_user_active_here(&state, officer.id, false).unwrap();
        assert!(matches!(
            state.keyring().unwrap("canbo.nghi", "matkhau-nghi"),
            Err(crate::keyring::KeyringError::NoKeyForUser(_))
        ));
        state.logout();
        let e = crate::commands::session::open_session(&state, "canbo.nghi", "matkhau-nghi")
            .err()
            .unwrap();
        assert_eq!(e.kind, ErrorKind::BadCredentials);
    }

    /// An officer left with a copy of tinbao.db and keys.json: after the re-key neither the
    /// old key nor their old key file opens the register, while every remaining officer logs in
    /// with their own password.
    #[test]
    fn a_rekey_leaves_the_old_key_useless_and_every_officer_able_to_log_in() {
        let dir = tempfile::tempdir().unwrap();
        let (state, session) = chief_of_a_test_station(dir.path());
        let old_key = session.key.clone();
        state.start(session);
        state
            .with(|s| {
                let actor = s.actor.clone();
                s.store.create_user(
                    Some(&actor),
                    new_user("canbo.o", Role::Officer, "matkhau-o-1"),
                )?;
                state.keyring().wrap("canbo.o", "matkhau-o-1", &s.key)?;
                Ok(())
            })
            .unwrap();
        let old_keys_json = std::fs::read(dir.path().join("keys.json")).unwrap();
        state.logout();
        state.start(open_session(&state, "canbo.o", "matkhau-o-1").unwrap());
        assert_eq!(rekey_here(&state).unwrap_err().kind, ErrorKind::Forbidden);
        state.start(open_session(&state, "truong", "matkhau-truong").unwrap());
        let r = rekey_here(&state).unwrap();
        assert!(r.without_key.is_empty());
        // The session goes on with the new key.
        state
            .with(|s| Ok(s.store.set_setting(&s.actor.clone(), "lock_minutes", "9")?))
            .unwrap();
        state.logout();
        assert!(matches!(
            tinbao_core::Store::open(state.db_path(), &old_key.sqlcipher_key()),
            Err(tinbao_core::Error::WrongKey)
        ));
        let stale = tempfile::tempdir().unwrap();
        std::fs::write(stale.path().join("keys.json"), &old_keys_json).unwrap();
        let stale_key = crate::keyring::Keyring::new(stale.path())
            .unwrap("canbo.o", "matkhau-o-1")
            .unwrap();
        assert!(tinbao_core::Store::open(state.db_path(), &stale_key.sqlcipher_key()).is_err());
        let s = open_session(&state, "canbo.o", "matkhau-o-1").unwrap();
        assert_eq!(
            s.store.setting("lock_minutes").unwrap().as_deref(),
            Some("9")
        );
    }

    /// A power cut after the key file got the new key and before the register did: the next
    /// login opens the register with the old key and puts it back in the key file.
    #[test]
    fn a_rekey_cut_short_locks_no_one_out() {
        let dir = tempfile::tempdir().unwrap();
        let (state, session) = chief_of_a_test_station(dir.path());
        let old_key = session.key.clone();
        drop(session);
        state
            .keyring()
            .reseal_all(&DbKey::random(), &old_key)
            .unwrap();
        let s = open_session(&state, "truong", "matkhau-truong").unwrap();
        assert_eq!(
            s.key.sqlcipher_key().as_str(),
            old_key.sqlcipher_key().as_str()
        );
        let (cur, prev) = state
            .keyring()
            .unwrap_both("truong", "matkhau-truong")
            .unwrap();
        assert_eq!(
            cur.sqlcipher_key().as_str(),
            old_key.sqlcipher_key().as_str()
        );
        assert!(prev.is_none());
    }

    #[test]
    fn only_the_chief_sets_another_officers_password() {
        let dir = tempfile::tempdir().unwrap();
        let (state, mut session) = chief_of_a_test_station(dir.path());
        let chief = session.actor.clone();
        session
            .store
            .create_user(
                Some(&chief),
                new_user("canbo.a", Role::Officer, "matkhau-a1"),
            )
            .unwrap();
        let b = session
            .store
            .create_user(
                Some(&chief),
                new_user("canbo.b", Role::Officer, "matkhau-b1"),
            )
            .unwrap();
        session.actor = session.store.login("canbo.a", "matkhau-a1").unwrap();
        state.start(session);
        let e = reset_password_here(&state, b.id, "mat-khau-moi-2025").unwrap_err();
        assert_eq!(e.kind, ErrorKind::Forbidden);
        assert!(!state.keyring().has_user("canbo.b").unwrap());
    }

    #[test]
    fn a_supervisor_laptop_is_a_province_register_with_the_wrapped_key() {
        let dir = tempfile::tempdir().unwrap();
        let setup = |unit, role| {
            create_register(
                dir.path(),
                SetupInput {
                    unit,
                    first_user: new_user("giamsat", role, "matkhau-giamsat"),
                },
            )
        };
        let e = setup(SetupUnit::Province("99".into()), Role::Supervisor)
            .err()
            .unwrap();
        assert!(e.message.contains("danh mục"));
        let e = setup(SetupUnit::Province("66".into()), Role::Chief)
            .err()
            .unwrap();
        assert!(e.message.contains("cán bộ kiểm tra"));
        assert!(!dir.path().join(crate::state::DB_FILE).exists());
        let s = setup(SetupUnit::Province("66".into()), Role::Supervisor).unwrap();
        assert_eq!(s.actor.role, Role::Supervisor);
        assert_eq!(s.store.scope(), &tinbao_core::Scope::Province("66".into()));
        drop(s);
        let key = crate::keyring::Keyring::new(dir.path())
            .unwrap("giamsat", "matkhau-giamsat")
            .unwrap();
        let mut store =
            tinbao_core::Store::open(dir.path().join(crate::state::DB_FILE), &key.sqlcipher_key())
                .unwrap();
        assert_eq!(
            store.login("giamsat", "matkhau-giamsat").unwrap().role,
            Role::Supervisor
        );
    }
}
