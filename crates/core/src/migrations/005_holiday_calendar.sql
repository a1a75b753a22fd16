-- The holiday calendar for 2025–2027, with the decision each day comes from. Working-day clocks
-- (notices of receipt, the violation record) skip these days and count a compensatory working
-- Saturday ('workday'). The province corrects it without a release; 2027 is the Labour Code's
-- minimum until the Ministry of Home Affairs announces that year's schedule.
ALTER TABLE holidays ADD COLUMN kind TEXT NOT NULL DEFAULT 'day_off' CHECK (kind IN ('day_off', 'workday'));
ALTER TABLE holidays ADD COLUMN basis TEXT NOT NULL DEFAULT '';

INSERT OR REPLACE INTO holidays(on_date, name, kind, basis) VALUES
 -- 2025
 ('2025-01-01', 'Tết Dương lịch', 'day_off', 'Bộ luật Lao động 2019, Điều 112'),
 ('2025-01-27', 'Tết Nguyên đán Ất Tỵ', 'day_off', 'Thông báo 6150/TB-LĐTBXH ngày 12/11/2024: công chức, viên chức nghỉ 25/01–02/02/2025'),
 ('2025-01-28', 'Tết Nguyên đán Ất Tỵ', 'day_off', 'Thông báo 6150/TB-LĐTBXH ngày 12/11/2024'),
 ('2025-01-29', 'Tết Nguyên đán Ất Tỵ (mùng 1)', 'day_off', 'Thông báo 6150/TB-LĐTBXH ngày 12/11/2024'),
 ('2025-01-30', 'Tết Nguyên đán Ất Tỵ', 'day_off', 'Thông báo 6150/TB-LĐTBXH ngày 12/11/2024'),
 ('2025-01-31', 'Tết Nguyên đán Ất Tỵ', 'day_off', 'Thông báo 6150/TB-LĐTBXH ngày 12/11/2024'),
 ('2025-04-07', 'Giỗ Tổ Hùng Vương (10/3 âm lịch)', 'day_off', 'Bộ luật Lao động 2019, Điều 112'),
 ('2025-04-26', 'Làm bù cho ngày 02/5/2025', 'workday', 'Thủ tướng đồng ý hoán đổi ngày làm việc 02/5/2025 sang thứ Bảy 26/4/2025 (cần xác nhận số văn bản)'),
 ('2025-04-30', 'Ngày Chiến thắng', 'day_off', 'Bộ luật Lao động 2019, Điều 112'),
 ('2025-05-01', 'Ngày Quốc tế lao động', 'day_off', 'Bộ luật Lao động 2019, Điều 112'),
 ('2025-05-02', 'Nghỉ hoán đổi (làm bù thứ Bảy 26/4/2025)', 'day_off', 'Thủ tướng đồng ý hoán đổi ngày làm việc 02/5/2025 sang thứ Bảy 26/4/2025 (cần xác nhận số văn bản)'),
 ('2025-09-01', 'Quốc khánh (ngày liền kề)', 'day_off', 'Bộ luật Lao động 2019, Điều 112; Thông báo 6150/TB-LĐTBXH'),
 ('2025-09-02', 'Quốc khánh', 'day_off', 'Bộ luật Lao động 2019, Điều 112'),
 -- 2026
 ('2026-01-01', 'Tết Dương lịch', 'day_off', 'Bộ luật Lao động 2019, Điều 112'),
 ('2026-01-02', 'Nghỉ hoán đổi (làm bù thứ Bảy 10/01/2026)', 'day_off', 'Văn bản 12729/VPCP-KGVX ngày 25/12/2025: hoán đổi ngày làm việc thứ Sáu 02/01/2026 sang thứ Bảy 10/01/2026'),
 ('2026-01-10', 'Làm bù cho ngày 02/01/2026', 'workday', 'Văn bản 12729/VPCP-KGVX ngày 25/12/2025'),
 ('2026-02-16', 'Tết Nguyên đán Bính Ngọ', 'day_off', 'Phương án nghỉ Tết Bính Ngọ của Bộ Nội vụ được Thủ tướng đồng ý: nghỉ 14/02–22/02/2026 (cần xác nhận số văn bản)'),
 ('2026-02-17', 'Tết Nguyên đán Bính Ngọ (mùng 1)', 'day_off', 'Phương án nghỉ Tết Bính Ngọ: nghỉ 14/02–22/02/2026 (cần xác nhận số văn bản)'),
 ('2026-02-18', 'Tết Nguyên đán Bính Ngọ', 'day_off', 'Phương án nghỉ Tết Bính Ngọ: nghỉ 14/02–22/02/2026 (cần xác nhận số văn bản)'),
 ('2026-02-19', 'Tết Nguyên đán Bính Ngọ', 'day_off', 'Phương án nghỉ Tết Bính Ngọ: nghỉ 14/02–22/02/2026 (cần xác nhận số văn bản)'),
 ('2026-02-20', 'Tết Nguyên đán Bính Ngọ', 'day_off', 'Phương án nghỉ Tết Bính Ngọ: nghỉ 14/02–22/02/2026 (cần xác nhận số văn bản)'),
 ('2026-04-27', 'Nghỉ bù Giỗ Tổ Hùng Vương (26/4/2026 là Chủ nhật)', 'day_off', 'Bộ luật Lao động 2019, Điều 112 khoản 3 (nghỉ bù khi ngày lễ trùng ngày nghỉ hằng tuần)'),
 ('2026-04-30', 'Ngày Chiến thắng', 'day_off', 'Bộ luật Lao động 2019, Điều 112'),
 ('2026-05-01', 'Ngày Quốc tế lao động', 'day_off', 'Bộ luật Lao động 2019, Điều 112'),
 ('2026-09-01', 'Quốc khánh (ngày liền kề)', 'day_off', 'Bộ luật Lao động 2019, Điều 112 (ngày liền kề do Bộ Nội vụ chọn, cần xác nhận)'),
 ('2026-09-02', 'Quốc khánh', 'day_off', 'Bộ luật Lao động 2019, Điều 112'),
 -- 2027: the Labour Code's days and compensatory days; the Ministry's schedule may add swaps.
 ('2027-01-01', 'Tết Dương lịch', 'day_off', 'Bộ luật Lao động 2019, Điều 112'),
 ('2027-02-05', 'Tết Nguyên đán Đinh Mùi', 'day_off', 'Bộ luật Lao động 2019, Điều 112 (dự kiến; cập nhật theo thông báo của Bộ Nội vụ)'),
 ('2027-02-08', 'Tết Nguyên đán Đinh Mùi', 'day_off', 'Bộ luật Lao động 2019, Điều 112 (dự kiến; cập nhật theo thông báo của Bộ Nội vụ)'),
 ('2027-02-09', 'Tết Nguyên đán Đinh Mùi', 'day_off', 'Bộ luật Lao động 2019, Điều 112 (dự kiến; cập nhật theo thông báo của Bộ Nội vụ)'),
 ('2027-02-10', 'Nghỉ bù Tết Nguyên đán (mùng 1 là thứ Bảy)', 'day_off', 'Bộ luật Lao động 2019, Điều 112 khoản 3 (dự kiến)'),
 ('2027-02-11', 'Nghỉ bù Tết Nguyên đán (mùng 2 là Chủ nhật)', 'day_off', 'Bộ luật Lao động 2019, Điều 112 khoản 3 (dự kiến)'),
 ('2027-04-16', 'Giỗ Tổ Hùng Vương (10/3 âm lịch)', 'day_off', 'Bộ luật Lao động 2019, Điều 112'),
 ('2027-04-30', 'Ngày Chiến thắng', 'day_off', 'Bộ luật Lao động 2019, Điều 112'),
 ('2027-05-03', 'Nghỉ bù Ngày Quốc tế lao động (01/5/2027 là thứ Bảy)', 'day_off', 'Bộ luật Lao động 2019, Điều 112 khoản 3'),
 ('2027-09-02', 'Quốc khánh', 'day_off', 'Bộ luật Lao động 2019, Điều 112'),
 ('2027-09-03', 'Quốc khánh (ngày liền kề)', 'day_off', 'Bộ luật Lao động 2019, Điều 112 (ngày liền kề dự kiến; cập nhật theo thông báo của Bộ Nội vụ)');
