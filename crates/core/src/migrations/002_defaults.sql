-- Shipped defaults: the category list and the deadline rules with their legal basis.
-- Both are configuration; the province edits them without a new release.
INSERT INTO categories(code, label_vi, label_en, sort) VALUES
 ('theft', 'Trộm cắp tài sản', 'Theft', 1),
 ('online_fraud', 'Lừa đảo qua mạng', 'Online fraud', 2),
 ('fraud', 'Lừa đảo chiếm đoạt tài sản', 'Fraud', 3),
 ('gambling', 'Đánh bạc, tổ chức đánh bạc', 'Gambling', 4),
 ('drugs', 'Ma túy', 'Drugs', 5),
 ('affray', 'Gây rối, đánh nhau, tụ tập mang hung khí', 'Affray, armed gangs', 6),
 ('weapons', 'Vũ khí, công cụ hỗ trợ', 'Weapons', 7),
 ('traffic_order', 'Trật tự giao thông (đua xe, bốc đầu, lạng lách)', 'Traffic order (racing, wheelies)', 8),
 ('uxo', 'Bom mìn, vật liệu nổ', 'Unexploded ordnance', 9),
 ('fake_news', 'Thông tin sai sự thật trên mạng', 'Fake news', 10),
 ('dispute', 'Tranh chấp, mâu thuẫn', 'Dispute', 11),
 ('domestic_violence', 'Bạo lực gia đình', 'Domestic violence', 12),
 ('other', 'Khác', 'Other', 13);

INSERT INTO deadline_rules(code, applies_to, amount, unit, remote_amount, basis, label_vi) VALUES
 ('crime_transfer', 'crime_report', 24, 'hours', 48,
  'Thông tư liên tịch 01/2017/TTLT-BCA-BQP-BTC-BNN&PTNT-VKSNDTC (từ 01/3/2018): Công an xã, phường chuyển tố giác, tin báo về tội phạm cho Cơ quan điều tra có thẩm quyền trong 24 giờ kể từ khi tiếp nhận; xã vùng sâu, vùng xa, hải đảo: 48 giờ. BLTTHS 2015 Điều 145, 146.',
  'Chuyển Cơ quan điều tra'),
 ('admin_record', 'phan_anh', 3, 'working_days', NULL,
  'Nghị định 118/2021/NĐ-CP sửa đổi bởi Nghị định 68/2025/NĐ-CP (từ 20/3/2025): lập biên bản vi phạm hành chính trong 03 ngày làm việc kể từ khi phát hiện (05 ngày nếu phức tạp).',
  'Lập biên bản VPHC'),
 ('admin_decision', 'violation_record', 7, 'days', NULL,
  'Luật Xử lý vi phạm hành chính 2012 (sửa đổi 2020) Điều 66: ra quyết định xử phạt trong 07 ngày kể từ ngày lập biên bản; 01 tháng nếu cần giải trình hoặc xác minh.',
  'Ra quyết định xử phạt'),
 ('investigation_resolution', 'transferred', 20, 'days', NULL,
  'BLTTHS 2015 Điều 147: Cơ quan điều tra giải quyết tố giác, tin báo trong 20 ngày kể từ ngày tiếp nhận; gia hạn đến 02 tháng.',
  'Cơ quan điều tra giải quyết');
