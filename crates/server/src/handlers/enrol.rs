//! A device's identity: enrolment with a one-time code, and `whoami`.
use super::{ApiError, ApiResult, DeviceTag, authenticate, blocking, decode, encode, numbering_of};
use crate::now_ms;
use crate::router::App;
use crate::storage::{Device, RedeemError};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use std::sync::Arc;
use std::sync::atomic::Ordering::Relaxed;
use tinbao_sync::protocol::*;

pub async fn enrol(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let req: EnrolRequest = decode(&app, &headers, &body)?;
    let name = req.device_name.trim().to_string();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(ApiError::bad("Tên thiết bị phải có từ 1 đến 100 ký tự."));
    }
    if req.device_id.is_nil() {
        return Err(ApiError::bad("Mã thiết bị không hợp lệ."));
    }
    // The device's own secret when it sent one (see `EnrolRequest::credential_secret`).
    let secret = match &req.credential_secret {
        Some(s) if s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit()) => {
            s.to_ascii_lowercase()
        }
        Some(_) => return Err(ApiError::bad("Khóa bí mật của thiết bị không hợp lệ.")),
        None => random_secret(32),
    };
    let device = Device {
        id: req.device_id,
        name,
        scope: DeviceScope::Province {
            province: String::new(),
        },
        enrolled_ms: 0,
        last_seen_ms: None,
        revoked_ms: None,
        slot: None,
        credential_hash: secret_hash(&secret),
    };
    let code_hash = secret_hash(&req.secret.to_ascii_lowercase());
    if let Some(want) = &req.scope_code {
        let (st, h) = (app.clone(), code_hash.clone());
        let granted = blocking(move || Ok(st.store.enrol_code_scope(&h)?)).await?;
        if let Some(granted) = granted.filter(|g| g.code() != want) {
            app.metrics.auth_failures.fetch_add(1, Relaxed);
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                ErrorCode::InvalidCode,
                format!(
                    "Mã đăng ký này dành cho đơn vị {}, còn cơ sở dữ liệu của máy là của {want}; mã vẫn còn hiệu lực cho đúng đơn vị.",
                    granted.code()
                ),
            ));
        }
    }
    let st = app.clone();
    let redeemed =
        blocking(move || Ok(st.store.redeem_enrol_code(&code_hash, &device, now_ms())?)).await?;
    let device = redeemed.map_err(|e| {
        app.metrics.auth_failures.fetch_add(1, Relaxed);
        if matches!(
            e,
            RedeemError::Revoked | RedeemError::TakenElsewhere | RedeemError::NotTheDevice
        ) {
            tracing::warn!(device = %req.device_id, reason = ?e, "enrolment refused for a known device id");
        }
        let msg = match e {
            RedeemError::Unknown => "Mã đăng ký không đúng.",
            RedeemError::Used => "Mã đăng ký này đã được dùng; mỗi mã chỉ dùng cho một thiết bị.",
            RedeemError::Expired => "Mã đăng ký đã hết hạn; hãy xin quản trị viên tỉnh mã mới.",
            RedeemError::Revoked => "Thiết bị này đã bị thu hồi; chỉ quản trị viên tỉnh gỡ được (device unrevoke). Mã đăng ký vẫn còn hiệu lực.",
            RedeemError::TakenElsewhere => "Mã thiết bị này đã đăng ký cho đơn vị khác. Mã đăng ký vẫn còn hiệu lực.",
            RedeemError::NotTheDevice => "Mã thiết bị này đã đăng ký cho một máy khác; chỉ chính máy đó đăng ký lại được. Mã đăng ký vẫn còn hiệu lực.",
        };
        ApiError::new(StatusCode::FORBIDDEN, ErrorCode::InvalidCode, msg)
    })?;
    let numbering = numbering_of(&app, &device).await?;
    app.metrics.enrolments.fetch_add(1, Relaxed);
    tracing::info!(device = %device.id, scope = ?device.scope, "device enrolled");
    let mut resp = encode(
        &app,
        &EnrolResponse {
            device_id: device.id,
            credential: make_credential(device.id, &secret),
            scope: device.scope.clone(),
            numbering,
        },
    )?;
    resp.extensions_mut().insert(DeviceTag(device.id));
    Ok(resp)
}

pub async fn whoami(State(app): State<Arc<App>>, headers: HeaderMap) -> ApiResult<Response> {
    let device = authenticate(&app, &headers).await?;
    let st = app.clone();
    let head = blocking(move || Ok(st.store.head()?)).await?;
    let mut resp = encode(
        &app,
        &WhoAmI {
            device_id: device.id,
            scope: device.scope,
            server_time_ms: now_ms(),
            head,
        },
    )?;
    resp.extensions_mut().insert(DeviceTag(device.id));
    Ok(resp)
}
