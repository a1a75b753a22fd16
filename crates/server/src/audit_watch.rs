//! The province's watch over each device's audit chain (the PC's log of who saw a reporter,
//! exported, printed…): every entry carries its number and the hash of the one before, and each
//! push reports the chain's head. What the server saw last must stay a prefix of what the device
//! shows; a device whose log was cut or rewritten after the province saw it is reported to the
//! administrator (`tinbao-server audit-alarms`). Pure: the handler looks up and stores.
use tinbao_sync::protocol::AuditHead;

/// One audit entry of the push: its number, the previous entry's hash and its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub seq: i64,
    pub prev_hash: String,
    pub hash: String,
}

/// The head to keep after this push, and what was wrong.
pub fn watch(
    known: Option<AuditHead>,
    entries: &[Entry],
    reported: Option<&AuditHead>,
) -> (Option<AuditHead>, Vec<String>) {
    let mut head = known;
    let mut alarms = Vec::new();
    let mut sorted: Vec<&Entry> = entries.iter().collect();
    sorted.sort_by_key(|e| e.seq);
    for e in sorted {
        match &head {
            Some(h) if e.seq == h.seq + 1 && e.prev_hash != h.hash => alarms.push(format!(
                "mục nhật ký số {} không nối tiếp mục số {} máy chủ đã nhận: nhật ký trên máy đã bị sửa",
                e.seq, h.seq
            )),
            Some(h) if e.seq == h.seq && e.hash != h.hash => alarms.push(format!(
                "mục nhật ký số {} khác với mục máy chủ đã nhận: nhật ký trên máy đã bị sửa",
                e.seq
            )),
            _ => {}
        }
        if head.as_ref().is_none_or(|h| e.seq > h.seq) {
            head = Some(AuditHead {
                seq: e.seq,
                hash: e.hash.clone(),
            });
        }
    }
    if let (Some(r), Some(h)) = (reported, &head) {
        if r.seq < h.seq {
            alarms.push(format!(
                "nhật ký trên máy chỉ còn đến mục số {}, máy chủ đã thấy đến mục số {}: các mục sau đã bị xóa",
                r.seq, h.seq
            ));
        } else if r.seq == h.seq && r.hash != h.hash {
            alarms.push(format!(
                "mục nhật ký cuối (số {}) khác với mục máy chủ đã thấy: nhật ký trên máy đã bị viết lại",
                r.seq
            ));
        }
    }
    if let Some(r) = reported
        && head.as_ref().is_none_or(|h| r.seq > h.seq)
    {
        head = Some(r.clone());
    }
    (head, alarms)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(seq: i64, hash: &str) -> AuditHead {
        AuditHead {
            seq,
            hash: hash.into(),
        }
    }
    fn e(seq: i64, prev: &str, hash: &str) -> Entry {
        Entry {
            seq,
            prev_hash: prev.into(),
            hash: hash.into(),
        }
    }

    #[test]
    fn a_chain_that_goes_on_raises_nothing() {
        let (head, alarms) = watch(
            Some(h(2, "b")),
            &[e(4, "c", "d"), e(3, "b", "c")],
            Some(&h(5, "x")),
        );
        assert!(alarms.is_empty(), "{alarms:?}");
        assert_eq!(head, Some(h(5, "x")));
        let (head, alarms) = watch(None, &[], Some(&h(1, "a")));
        assert!(alarms.is_empty());
        assert_eq!(head, Some(h(1, "a")));
    }

    #[test]
    fn entries_deleted_after_the_province_saw_them_are_reported() {
        let (head, alarms) = watch(Some(h(7, "g")), &[], Some(&h(4, "d")));
        assert_eq!(alarms.len(), 1);
        assert!(alarms[0].contains("đến mục số 4") && alarms[0].contains("số 7"));
        assert_eq!(head, Some(h(7, "g")), "the province keeps what it saw");
    }

    #[test]
    fn a_rewritten_entry_is_reported() {
        let (_, alarms) = watch(Some(h(3, "c")), &[], Some(&h(3, "c2")));
        assert_eq!(alarms.len(), 1);
        let (_, alarms) = watch(Some(h(3, "c")), &[e(4, "c-rewritten", "d")], None);
        assert_eq!(alarms.len(), 1);
        assert!(alarms[0].contains("số 4"));
        let (_, alarms) = watch(Some(h(3, "c")), &[e(3, "b", "other")], None);
        assert_eq!(alarms.len(), 1);
    }
}
