//! `POST /v1/numbers`: a station device's register-number exchange (leases, hand-backs,
//! fallback numbers, its floor; see [`NumberRequest`]). Checked whole before anything is
//! stored; the storage does the exchange in one transaction.
use super::{ApiError, ApiResult, DeviceTag, authenticate, blocking, decode, encode};
use crate::now_ms;
use crate::router::App;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use std::collections::BTreeSet;
use std::sync::Arc;
use tinbao_sync::protocol::number_limits::*;
use tinbao_sync::protocol::*;

/// Why a request is refused, in Vietnamese; None when it is well-formed for `slot`.
pub(crate) fn check(req: &NumberRequest, slot: u32) -> Option<&'static str> {
    let s = req.scheme;
    if s.slot != slot || s.slots < s.slot || s.slots > 10_000 {
        return Some("Cách đánh số dự phòng của máy không khớp với vị trí máy chủ tỉnh đã cấp.");
    }
    if req.years.len() > MAX_YEARS {
        return Some("Yêu cầu cấp số cho quá nhiều năm một lần.");
    }
    let years: BTreeSet<i32> = req.years.iter().map(|y| y.year).collect();
    if years.len() != req.years.len() {
        return Some("Một năm được nêu hai lần trong yêu cầu cấp số.");
    }
    for y in &req.years {
        if !(MIN_YEAR..=MAX_YEAR).contains(&y.year) {
            return Some("Năm của số thụ lý không hợp lệ.");
        }
        if y.want > MAX_WANT || y.floor > MAX_SEQ.saturating_mul(2) {
            return Some("Yêu cầu cấp số vượt giới hạn.");
        }
        if y.fallback.len() > MAX_LISTED || y.hand_back.len() > MAX_LISTED {
            return Some("Danh sách số thụ lý quá dài.");
        }
        if y.fallback
            .iter()
            .chain(&y.hand_back)
            .any(|&n| n == 0 || n > MAX_SEQ)
        {
            return Some("Số thụ lý nằm ngoài giới hạn.");
        }
    }
    None
}

pub async fn numbers(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let device = authenticate(&app, &headers).await?;
    let (DeviceScope::Station { station, .. }, Some(slot)) = (&device.scope, device.slot) else {
        return Err(ApiError::forbidden(
            "Chỉ máy của công an xã, phường được cấp số thụ lý.",
        ));
    };
    let req: NumberRequest = decode(&app, &headers, &body)?;
    if let Some(why) = check(&req, slot) {
        return Err(ApiError::bad(why));
    }
    let (st, station, id) = (app.clone(), station.clone(), device.id);
    let resp =
        blocking(move || Ok(st.store.exchange_numbers(id, &station, &req, now_ms())?)).await?;
    let leased: usize = resp.years.iter().map(|y| y.leased.len()).sum();
    tracing::info!(device = %device.id, years = resp.years.len(), leased, "numbers");
    let mut out = encode(&app, &resp)?;
    out.extensions_mut().insert(DeviceTag(device.id));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(years: Vec<YearRequest>) -> NumberRequest {
        NumberRequest {
            scheme: Numbering { slot: 2, slots: 3 },
            years,
        }
    }

    #[test]
    fn malformed_exchanges_are_refused() {
        let y = |year| YearRequest {
            year,
            want: 10,
            ..Default::default()
        };
        assert_eq!(check(&req(vec![y(2026)]), 2), None);
        assert!(check(&req(vec![y(2026)]), 1).is_some(), "another slot");
        assert!(check(&req(vec![y(2026), y(2026)]), 2).is_some());
        assert!(check(&req(vec![y(1999)]), 2).is_some());
        assert!(check(&req(vec![y(2024), y(2025), y(2026), y(2027)]), 2).is_some());
        let mut big = y(2026);
        big.want = MAX_WANT + 1;
        assert!(check(&req(vec![big]), 2).is_some());
        let mut zero = y(2026);
        zero.hand_back = vec![0];
        assert!(check(&req(vec![zero]), 2).is_some());
    }
}
