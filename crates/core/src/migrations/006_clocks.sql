-- Issue 14: which clocks run depends on what the case is. Each deadline rule now says what it
-- applies to (case classes, kinds, urgencies; NULL = any), the event its clock starts from, the
-- events that stop it, extend it or restart it, and the outcomes after which it still runs.
-- Lists are comma-separated codes; an event is named `type` or `type:sub` (the outcome's type,
-- the decision, the notice's addressee, the class; `type:*` any sub). A sanction recorded as the
-- case's outcome (the one-decision outcome of before) meets the record and decision clocks. The code in `clocks.rs` reads these columns; nothing
-- there hard-codes a time limit. SQLite cannot widen a CHECK, so the table is rebuilt.
CREATE TABLE deadline_rules_005 (
  code TEXT PRIMARY KEY,
  applies_to TEXT NOT NULL,
  classes TEXT, kinds TEXT, urgencies TEXT,
  from_event TEXT NOT NULL DEFAULT 'received'
    CHECK (from_event IN ('received','violation_found','violation_recorded')),
  stop_events TEXT NOT NULL DEFAULT '',
  restart_events TEXT NOT NULL DEFAULT '',
  runs_after TEXT NOT NULL DEFAULT '',
  amount INTEGER NOT NULL,
  unit TEXT NOT NULL CHECK (unit IN ('minutes','hours','days','working_days','months')),
  remote_amount INTEGER,
  complex_amount INTEGER,
  complex_unit TEXT CHECK (complex_unit IS NULL OR complex_unit IN ('minutes','hours','days','working_days','months')),
  -- JSON list of {"on": event, "amount", "unit", "from_due": bool}.
  extensions TEXT NOT NULL DEFAULT '[]',
  -- Unix seconds: the rule's clock runs only for cases received from then on (NULL: all).
  effective_from INTEGER,
  basis TEXT NOT NULL, label_vi TEXT NOT NULL, sort INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

-- The transfer limit keeps whatever amounts the province had set.
INSERT INTO deadline_rules_005(code, applies_to, classes, stop_events, amount, unit, remote_amount, basis, label_vi, sort)
SELECT 'crime_transfer', 'Dấu hiệu tội phạm – chuyển CQĐT', 'crime_transfer', 'outcome_recorded:transferred',
       coalesce(amount, 24), CASE WHEN unit IN ('hours','days','working_days') THEN unit ELSE 'hours' END, coalesce(remote_amount, 48),
  'Thông tư liên tịch 01/2017/TTLT-BCA-BQP-BTC-BNN&PTNT-VKSNDTC (từ 01/3/2018): Công an xã, phường chuyển tố giác, tin báo về tội phạm cho Cơ quan điều tra có thẩm quyền trong 24 giờ kể từ khi tiếp nhận; xã vùng sâu, vùng xa, hải đảo: 48 giờ. BLTTHS 2015 Điều 145, 146.',
  'Chuyển Cơ quan điều tra', 20
FROM (SELECT 1) LEFT JOIN deadline_rules ON code = 'crime_transfer';

INSERT INTO deadline_rules_005(code, applies_to, classes, kinds, urgencies, from_event, stop_events, restart_events,
  runs_after, amount, unit, remote_amount, complex_amount, complex_unit, extensions, effective_from, basis, label_vi, sort) VALUES
 ('classify', 'Mọi vụ việc chưa phân loại', NULL, NULL, NULL, 'received', 'classified:*', '', '',
  12, 'hours', NULL, NULL, NULL, '[]', NULL,
  'Mặc định của đơn vị, không phải thời hạn luật định (tỉnh/đơn vị sửa được): phân loại nguồn tin trong 12 giờ kể từ khi tiếp nhận để biết thời hạn nào áp dụng (BLTTHS 2015 Điều 145, 146; TTLT 01/2017/TTLT).',
  'Phân loại vụ việc (chưa phân loại)', 10),
 ('urgent_report_emergency', 'Vụ việc hỏa tốc', NULL, NULL, 'emergency', 'received', 'urgent_reported', '', '',
  30, 'minutes', NULL, NULL, NULL, '[]', NULL,
  'Thông tư 28/2020/TT-BCA sửa đổi bởi Thông tư 129/2021/TT-BCA: tin hỏa tốc báo cáo ngay cấp trên (Cơ quan điều tra Công an tỉnh) bằng phương tiện nhanh nhất; mặc định 30 phút (cần xác nhận).',
  'Báo cáo hỏa tốc lên cấp trên', 1),
 ('urgent_report', 'Vụ việc khẩn', NULL, NULL, 'urgent', 'received', 'urgent_reported', '', '',
  2, 'hours', NULL, NULL, NULL, '[]', NULL,
  'Thông tư 28/2020/TT-BCA sửa đổi bởi Thông tư 129/2021/TT-BCA: tin khẩn báo cáo ngay cấp trên bằng phương tiện nhanh nhất; mặc định 02 giờ (cần xác nhận).',
  'Báo cáo khẩn lên cấp trên', 2),
 ('crime_resolution', 'Dấu hiệu tội phạm – Điều tra viên xã giải quyết', 'crime_commune', NULL, NULL, 'received',
  'prosecution_decision:khoi_to,prosecution_decision:khong_khoi_to,prosecution_decision:tam_dinh_chi',
  'prosecution_decision:phuc_hoi', '',
  20, 'days', NULL, NULL, NULL,
  '[{"on":"resolution_extended:two_months","amount":2,"unit":"months","from_due":false},{"on":"resolution_extended:plus_two_months","amount":2,"unit":"months","from_due":true}]',
  NULL,
  'BLTTHS 2015 Điều 147: giải quyết tố giác, tin báo về tội phạm trong 20 ngày kể từ ngày tiếp nhận; vụ việc phức tạp gia hạn đến 02 tháng; Viện kiểm sát gia hạn thêm một lần không quá 02 tháng. Luật 99/2025/QH15: Điều tra viên ở Công an xã được phân công. Sau quyết định phục hồi, thời hạn tính lại từ ngày quyết định (Điều 149, cần xác nhận).',
  'Giải quyết nguồn tin (Điều 147)', 30),
 ('notice_vks', 'Mọi tố giác, tin báo, kiến nghị khởi tố', NULL, 'to_giac,tin_bao,kien_nghi_khoi_to', NULL, 'received',
  'notice_sent:vks', '', 'transferred',
  3, 'working_days', NULL, NULL, NULL, '[]', NULL,
  'Thông tư liên tịch 01/2017/TTLT Điều 14 khoản 1: thông báo bằng văn bản việc tiếp nhận cho Viện kiểm sát cùng cấp trong 03 ngày làm việc kể từ ngày tiếp nhận.',
  'Thông báo tiếp nhận cho Viện kiểm sát', 40),
 ('notice_reporter', 'Mọi tố giác, tin báo, kiến nghị khởi tố', NULL, 'to_giac,tin_bao,kien_nghi_khoi_to', NULL, 'received',
  'notice_sent:reporter', '', 'transferred',
  3, 'working_days', NULL, NULL, NULL, '[]', NULL,
  'Thông tư liên tịch 01/2017/TTLT Điều 14 khoản 1: thông báo bằng văn bản việc tiếp nhận cho cá nhân, cơ quan, tổ chức đã báo tin trong 03 ngày làm việc kể từ ngày tiếp nhận.',
  'Thông báo tiếp nhận cho người báo tin', 41),
 ('admin_record', 'Vi phạm hành chính: từ khi phát hiện vi phạm', NULL, NULL, NULL, 'violation_found',
  'violation_recorded,outcome_recorded:sanctioned', '', '',
  3, 'working_days', NULL, 5, 'working_days', '[]', NULL,
  'Nghị định 118/2021/NĐ-CP sửa đổi bởi Nghị định 68/2025/NĐ-CP (từ 20/3/2025): lập biên bản vi phạm hành chính trong 03 ngày làm việc kể từ khi phát hiện vi phạm; 05 ngày làm việc nếu vụ việc phức tạp hoặc phát hiện bằng phương tiện kỹ thuật.',
  'Lập biên bản VPHC', 50),
 ('admin_decision', 'Vi phạm hành chính: từ khi lập biên bản', NULL, NULL, NULL, 'violation_recorded',
  'sanctions_complete,outcome_recorded:sanctioned', '', '',
  7, 'days', NULL, 1, 'months',
  '[{"on":"decision_extended","amount":30,"unit":"days","from_due":true}]', NULL,
  'Luật Xử lý vi phạm hành chính 2012 (sửa đổi 2020, 2025) Điều 66: ra quyết định xử phạt trong 07 ngày kể từ ngày lập biên bản; 01 tháng nếu cần giải trình hoặc xác minh (vụ việc phức tạp), gia hạn thêm không quá 30 ngày.',
  'Ra quyết định xử phạt', 51);

-- A register upgraded with cases in it could not record notices before this version: their
-- clocks run for the reports received from the upgrade on, not as hundreds of false late
-- notices on old ones. A new register has no such past.
UPDATE deadline_rules_005 SET effective_from = CAST(strftime('%s', 'now') AS INTEGER)
 WHERE code IN ('notice_vks', 'notice_reporter') AND EXISTS (SELECT 1 FROM cases);

DROP TABLE deadline_rules;
ALTER TABLE deadline_rules_005 RENAME TO deadline_rules;

-- A commune investigator (Law 99/2025) may sign the decisions of a case kept at the commune.
ALTER TABLE users ADD COLUMN investigator INTEGER NOT NULL DEFAULT 0;
