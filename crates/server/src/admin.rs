//! The administrator's operations behind the command line: each returns a value the command
//! line prints as text or JSON.
use crate::error::ServerError;
use crate::storage::{Device, EnrolCode, Station, User};
use crate::units::AdminUnits;
use crate::{DataDir, now_ms, tls};
use serde::Serialize;
use std::path::Path;
use tinbao_sync::protocol::{DeviceScope, EnrolmentCode, random_secret, secret_hash};
use uuid::Uuid;

#[derive(Debug, Serialize)]
pub struct InitReport {
    pub data: String,
    pub fingerprint: String,
    pub self_signed: bool,
}

/// Creates the data directory, its database and its certificate. Refuses to touch a directory
/// already initialised: a new certificate would cut off every enrolled device.
pub fn init(
    data: &DataDir,
    names: &[String],
    cert: Option<(&Path, &Path)>,
) -> Result<InitReport, ServerError> {
    if data.db().exists() || data.tls().join(tls::CERT_FILE).exists() {
        return Err(ServerError::Invalid(format!(
            "{} đã được khởi tạo; không tạo lại để các thiết bị đã đăng ký vẫn tin máy chủ.",
            data.0.display()
        )));
    }
    let tls_dir = data.tls();
    crate::files::private_dir(&data.0).map_err(|e| ServerError::io(&data.0, e))?;
    crate::files::private_dir(&tls_dir).map_err(|e| ServerError::io(&tls_dir, e))?;
    crate::files::private_dir(&data.blobs()).map_err(|e| ServerError::io(&data.blobs(), e))?;
    std::fs::create_dir_all(data.blobs().join("partial"))
        .map_err(|e| ServerError::io(&data.blobs(), e))?;
    let (cert_pem, key_pem, self_signed) = match cert {
        Some((c, k)) => (
            std::fs::read_to_string(c).map_err(|e| ServerError::io(c, e))?,
            std::fs::read_to_string(k).map_err(|e| ServerError::io(k, e))?,
            false,
        ),
        None => {
            let mut all: Vec<String> = vec!["localhost".into(), "127.0.0.1".into(), "::1".into()];
            all.extend(names.iter().cloned());
            let (c, k) = tls::generate(&all)?;
            (c, k, true)
        }
    };
    let key_path = tls_dir.join(tls::KEY_FILE);
    write_private(&key_path, key_pem.as_bytes())?;
    let cert_path = tls_dir.join(tls::CERT_FILE);
    std::fs::write(&cert_path, cert_pem).map_err(|e| ServerError::io(&cert_path, e))?;
    // Check now that the pair loads, rather than at the first `serve`.
    tls::server_config(&tls_dir)?;
    let store = crate::storage::sqlite::SqliteStorage::open(&data.db(), &data.store_key()?)?;
    crate::storage::Storage::migrate(&store)?;
    Ok(InitReport {
        data: data.0.display().to_string(),
        fingerprint: hex::encode(tls::fingerprint(&tls_dir)?),
        self_signed,
    })
}

fn write_private(path: &Path, bytes: &[u8]) -> Result<(), ServerError> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path).map_err(|e| ServerError::io(path, e))?;
    f.write_all(bytes).map_err(|e| ServerError::io(path, e))
}

#[derive(Debug, Serialize)]
pub struct StationAdded {
    #[serde(flatten)]
    pub station: Station,
    pub created: bool,
}

/// Deletes the unfinished uploads untouched for longer than `older_than` (the administrator's
/// `sweep-uploads`; `serve` does the same for a day's age on its own). Safe while the server
/// runs: an upload swept mid-way is resumed from its start.
pub fn sweep_uploads(
    data: &DataDir,
    older_than: std::time::Duration,
) -> Result<usize, ServerError> {
    let dir = data.blobs().join("partial");
    crate::handlers::attachments::sweep_partials(&dir, std::time::SystemTime::now(), older_than)
        .map_err(|e| ServerError::io(&dir, e))
}

pub fn station_add(
    data: &DataDir,
    code: &str,
    name: Option<&str>,
) -> Result<StationAdded, ServerError> {
    let units = AdminUnits::get();
    let Some(province) = units.province_of(code) else {
        return Err(ServerError::Invalid(format!(
            "mã xã/phường {code} không có trong danh mục đơn vị hành chính"
        )));
    };
    let name = name
        .map(str::to_string)
        .or_else(|| units.commune_name(code).map(|n| format!("Công an {n}")))
        .unwrap_or_else(|| code.to_string());
    let station = Station {
        code: code.to_string(),
        province: province.to_string(),
        name,
        created_ms: now_ms(),
    };
    let store = data.open()?;
    let created = store.add_station(&station)?;
    let station = store.station(code)?.unwrap_or(station);
    Ok(StationAdded { station, created })
}

pub const STATION_ROLES: &[&str] = &["officer", "chief"];
pub const PROVINCE_ROLES: &[&str] = &["supervisor", "admin"];

pub fn user_add(
    data: &DataDir,
    id: Option<Uuid>,
    name: &str,
    role: &str,
    station: Option<&str>,
    province: Option<&str>,
) -> Result<User, ServerError> {
    let store = data.open()?;
    let (station, province) = match (station, province) {
        (Some(s), None) => {
            if !STATION_ROLES.contains(&role) {
                return Err(ServerError::Invalid(format!(
                    "vai trò của người dùng công an xã phải là một trong: {}",
                    STATION_ROLES.join(", ")
                )));
            }
            let st = store.station(s)?.ok_or_else(|| {
                ServerError::NotFound(format!(
                    "đơn vị {s} chưa có trên máy chủ; hãy chạy trước: station add --code {s}"
                ))
            })?;
            (Some(st.code), st.province)
        }
        (None, Some(p)) => {
            if !PROVINCE_ROLES.contains(&role) {
                return Err(ServerError::Invalid(format!(
                    "vai trò của người dùng cấp tỉnh phải là một trong: {}",
                    PROVINCE_ROLES.join(", ")
                )));
            }
            if AdminUnits::get().province_name(p).is_none() {
                return Err(ServerError::Invalid(format!(
                    "mã tỉnh {p} không có trong danh mục"
                )));
            }
            (None, p.to_string())
        }
        _ => {
            return Err(ServerError::Invalid(
                "cần đúng một trong --station hoặc --province".into(),
            ));
        }
    };
    if name.trim().is_empty() {
        return Err(ServerError::Invalid(
            "tên người dùng không được trống".into(),
        ));
    }
    let user = User {
        id: id.unwrap_or_else(Uuid::now_v7),
        name: name.trim().to_string(),
        role: role.to_string(),
        station,
        province,
        active: true,
    };
    store.add_user(&user)?;
    Ok(user)
}

#[derive(Debug, Serialize)]
pub struct IssuedCode {
    pub code: String,
    pub scope: DeviceScope,
    pub expires_ms: u64,
}

/// How long an enrolment code may stay valid, in hours.
pub const VALID_HOURS: std::ops::RangeInclusive<u64> = 1..=720;

pub fn enrol_code(
    data: &DataDir,
    station: Option<&str>,
    province: Option<&str>,
    valid_hours: u64,
) -> Result<IssuedCode, ServerError> {
    if !VALID_HOURS.contains(&valid_hours) {
        return Err(ServerError::Invalid(format!(
            "--valid-hours phải từ {} đến {} giờ (30 ngày)",
            VALID_HOURS.start(),
            VALID_HOURS.end()
        )));
    }
    let store = data.open()?;
    let scope = match (station, province) {
        (Some(s), None) => {
            let st = store.station(s)?.ok_or_else(|| {
                ServerError::NotFound(format!(
                    "đơn vị {s} chưa có trên máy chủ; hãy chạy trước: station add --code {s}"
                ))
            })?;
            DeviceScope::Station {
                station: st.code,
                province: st.province,
            }
        }
        (None, Some(p)) => {
            if AdminUnits::get().province_name(p).is_none() {
                return Err(ServerError::Invalid(format!(
                    "mã tỉnh {p} không có trong danh mục"
                )));
            }
            DeviceScope::Province {
                province: p.to_string(),
            }
        }
        _ => {
            return Err(ServerError::Invalid(
                "cần đúng một trong --station hoặc --province".into(),
            ));
        }
    };
    let secret = random_secret(16);
    let now = now_ms();
    let expires_ms = now + valid_hours * 3_600_000;
    store.add_enrol_code(&EnrolCode {
        secret_hash: secret_hash(&secret),
        scope: scope.clone(),
        created_ms: now,
        expires_ms,
    })?;
    let code = EnrolmentCode {
        secret,
        fingerprint: tls::fingerprint(&data.tls())?,
    };
    Ok(IssuedCode {
        code: code.to_string(),
        scope,
        expires_ms,
    })
}

pub fn device_list(data: &DataDir) -> Result<Vec<Device>, ServerError> {
    Ok(data.open()?.devices()?)
}

/// The devices whose audit log no longer extended what the province had seen.
pub fn audit_alarms(data: &DataDir) -> Result<Vec<crate::storage::AuditAlarm>, ServerError> {
    Ok(data.open()?.audit_alarms()?)
}

/// A station's register numbers of a year as the province knows them.
pub fn number_ledger(
    data: &DataDir,
    station: &str,
    year: i32,
) -> Result<tinbao_sync::protocol::Ledger, ServerError> {
    Ok(data.open()?.number_ledger(station, year)?)
}

pub fn device_revoke(data: &DataDir, id: Uuid) -> Result<Device, ServerError> {
    let store = data.open()?;
    if !store.revoke_device(id, now_ms())? {
        return Err(ServerError::NotFound(format!(
            "không có thiết bị {id} trên máy chủ"
        )));
    }
    store
        .device(id)?
        .ok_or_else(|| ServerError::NotFound(format!("không có thiết bị {id} trên máy chủ")))
}

/// Lifts a device's revocation: the administrator's explicit act, logged. Errors if the device
/// is unknown.
pub fn device_unrevoke(data: &DataDir, id: Uuid) -> Result<Device, ServerError> {
    let store = data.open()?;
    let before = store.device(id)?;
    if !store.unrevoke_device(id)? {
        return Err(ServerError::NotFound(format!(
            "không có thiết bị {id} trên máy chủ"
        )));
    }
    tracing::warn!(
        device = %id,
        was_revoked_ms = before.and_then(|d| d.revoked_ms),
        "administrator lifted a device's revocation"
    );
    store
        .device(id)?
        .ok_or_else(|| ServerError::NotFound(format!("không có thiết bị {id} trên máy chủ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn init_station_code_device_flow() {
        let dir = tempfile::tempdir().unwrap();
        let data = DataDir(dir.path().join("srv"));
        let rep = init(&data, &[], None).unwrap();
        assert_eq!(rep.fingerprint.len(), 64);
        assert!(init(&data, &[], None).is_err(), "second init must refuse");
        assert!(station_add(&data, "99999", None).is_err());
        let s = station_add(&data, "00004", None).unwrap();
        assert!(s.created && s.station.province == "01");
        assert!(!station_add(&data, "00004", None).unwrap().created);
        assert!(
            enrol_code(&data, Some("00008"), None, 24).is_err(),
            "unregistered station"
        );
        let c = enrol_code(&data, Some("00004"), None, 24).unwrap();
        let parsed: EnrolmentCode = c.code.parse().unwrap();
        assert_eq!(hex::encode(parsed.fingerprint), rep.fingerprint);
        assert!(enrol_code(&data, None, Some("77"), 24).is_err());
        assert!(user_add(&data, None, "A", "supervisor", Some("00004"), None).is_err());
        let u = user_add(&data, None, "A", "supervisor", None, Some("01")).unwrap();
        assert!(user_add(&data, Some(u.id), "A", "supervisor", None, Some("01")).is_err());
        assert!(device_revoke(&data, Uuid::now_v7()).is_err());
        assert!(device_unrevoke(&data, Uuid::now_v7()).is_err());
        assert!(device_list(&data).unwrap().is_empty());
    }

    #[test]
    fn a_codes_validity_is_bounded_without_overflow() {
        let dir = tempfile::tempdir().unwrap();
        let data = DataDir(dir.path().join("srv"));
        init(&data, &[], None).unwrap();
        station_add(&data, "00004", None).unwrap();
        for hours in [0, 721, u64::MAX] {
            assert!(
                matches!(
                    enrol_code(&data, Some("00004"), None, hours),
                    Err(ServerError::Invalid(_))
                ),
                "{hours}"
            );
        }
        for hours in [1, 720] {
            assert!(enrol_code(&data, Some("00004"), None, hours).is_ok());
        }
    }
}
