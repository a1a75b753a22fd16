//! `tinbao enrol --server URL --code CODE [--name NAME]` and `tinbao sync [--json]`: sync run and
//! checked without the app. Both print their result (text, or one JSON object with `--json`)
//! and return the error for the caller to print and turn into exit status 1.
use tinbao_core::Store;
use tinbao_sync::protocol::DeviceScope;
use tinbao_sync_client::{Progress, SyncError, SyncOptions};

fn runtime() -> Result<tokio::runtime::Runtime, SyncError> {
    Ok(tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?)
}

/// Enrols the store's device with the provincial server using a one-time code.
pub fn enrol(
    store: &mut Store,
    server: &str,
    code: &str,
    name: Option<&str>,
    json: bool,
) -> Result<(), SyncError> {
    let device = store.device_id();
    // The random tail of the id: the head of a UUIDv7 is a timestamp, alike on PCs set up together.
    let default_name = format!("Máy {}", &device.simple().to_string()[24..]);
    let name = name.unwrap_or(&default_name);
    let resp = runtime()?.block_on(tinbao_sync_client::enrol(store, server, code, name))?;
    if json {
        println!(
            "{}",
            serde_json::json!({
                "device_id": resp.device_id,
                "server": server,
                "scope": resp.scope,
            })
        );
    } else {
        let scope = match &resp.scope {
            DeviceScope::Station { station, .. } => format!("công an xã/phường {station}"),
            DeviceScope::Province { province } => format!("cấp tỉnh {province}"),
        };
        println!(
            "Đã đăng ký thiết bị {} với máy chủ {server} ({scope}). Chạy `tinbao sync` để đồng bộ.",
            resp.device_id
        );
    }
    Ok(())
}

/// Pushes what this device has not sent and pulls what is new for its scope.
pub fn sync(store: &mut Store, json: bool) -> Result<(), SyncError> {
    let progress = |p: &Progress| {
        // Retries are worth telling a person watching a terminal; the rest is too chatty.
        if let Progress::Retrying {
            attempt, wait_ms, ..
        } = p
            && !json
        {
            eprintln!("Mất kết nối, thử lại lần {attempt} sau {wait_ms} ms…");
        }
    };
    let report = runtime()?.block_on(tinbao_sync_client::sync_store(
        store,
        &SyncOptions::default(),
        &progress,
    ))?;
    if json {
        println!(
            "{}",
            serde_json::to_string(&report).map_err(|e| SyncError::Protocol(e.to_string()))?
        );
        return Ok(());
    }
    println!(
        "Đã gửi {} thay đổi, nhận {} thay đổi (áp dụng {}, đã có {}, chờ bản ghi gốc {}).",
        report.pushed, report.pulled, report.applied, report.duplicates, report.deferred
    );
    if report.uploaded_attachments + report.downloaded_attachments > 0 {
        println!(
            "Tệp đính kèm: gửi {}, nhận {}.",
            report.uploaded_attachments, report.downloaded_attachments
        );
    }
    if report.conflicts > 0 {
        println!(
            "Có {} xung đột cần trưởng công an xem xét (màn hình Hôm nay).",
            report.conflicts
        );
    }
    for r in &report.rejected {
        println!("Máy chủ từ chối thay đổi {}: {}", r.id, r.message);
    }
    if report.pending_after > 0 {
        println!("Còn {} thay đổi chưa gửi được.", report.pending_after);
    }
    println!(
        "{} lượt gửi/nhận, {} byte gửi, {} byte nhận.",
        report.traffic.requests, report.traffic.bytes_sent, report.traffic.bytes_received
    );
    Ok(())
}
