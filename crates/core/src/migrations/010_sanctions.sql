-- Sanctions per violator (issue 14). Numbered 006 by the contract with the clocks branch; it
-- depends on nothing of 005.

-- A minor's age is taken at the date of the violation, so the date of birth is kept when known
-- (YYYY-MM-DD); a guardian names the minor person of the case they answer for.
ALTER TABLE persons ADD COLUMN birth_date TEXT;
ALTER TABLE persons ADD COLUMN guardian_of TEXT;

-- The fining power of each title, per sector, as dated data: the cap in force on a decision's
-- date is the row with the latest effective_from not after it. cap_vnd is percent of the
-- sector's maximum (Law on Handling Administrative Violations, Art. 24), kept as an amount so a
-- later text that caps it at a fixed figure fits too.
CREATE TABLE fine_caps (
  title TEXT NOT NULL, title_vi TEXT NOT NULL,
  sector TEXT NOT NULL, sector_vi TEXT NOT NULL,
  sector_max_vnd INTEGER NOT NULL, percent INTEGER NOT NULL, cap_vnd INTEGER NOT NULL,
  effective_from TEXT NOT NULL, basis TEXT NOT NULL,
  PRIMARY KEY (title, sector, effective_from)
) WITHOUT ROWID;

WITH sectors(sector, sector_vi, max_vnd, max_basis) AS (VALUES
  ('security_order', 'An ninh, trật tự, an toàn xã hội', 40000000, 'điểm b khoản 1 Điều 24 Luật XLVPHC: tối đa 40.000.000 đồng'),
  ('social_evils', 'Phòng, chống tệ nạn xã hội', 40000000, 'điểm b khoản 1 Điều 24 Luật XLVPHC: tối đa 40.000.000 đồng'),
  ('road_traffic', 'Giao thông đường bộ', 40000000, 'điểm b khoản 1 Điều 24 Luật XLVPHC: tối đa 40.000.000 đồng (cần xác nhận sau Luật Trật tự, an toàn giao thông đường bộ 2024)'),
  ('information_technology', 'Công nghệ thông tin, thông tin trên mạng', 100000000, 'khoản 1 Điều 24 Luật XLVPHC: tối đa 100.000.000 đồng (cần xác nhận)'),
  ('domestic_violence', 'Phòng, chống bạo lực gia đình', 30000000, 'điểm a khoản 1 Điều 24 Luật XLVPHC: tối đa 30.000.000 đồng'),
  ('fire_safety', 'Phòng cháy, chữa cháy', 50000000, 'điểm c khoản 1 Điều 24 Luật XLVPHC: tối đa 50.000.000 đồng')
),
titles(title, title_vi, percent, fixed_max, effective_from, basis) AS (VALUES
  -- Before 1 July 2025 (Law 67/2020/QH14, in force 1 January 2022): the officer on duty up to
  -- 500.000 đồng, the commune police chief 10% of the sector maximum and at most 5.000.000 đồng.
  ('officer_on_duty', 'Chiến sĩ Công an nhân dân đang thi hành công vụ', 1, 500000, '2022-01-01',
   'khoản 1 Điều 39 Luật XLVPHC sửa đổi 2020: phạt tiền đến 1% mức tối đa của lĩnh vực, không quá 500.000 đồng (cần xác nhận)'),
  ('commune_police_chief', 'Trưởng Công an cấp xã', 10, 5000000, '2022-01-01',
   'khoản 2 Điều 39 Luật XLVPHC sửa đổi 2020: phạt tiền đến 10% mức tối đa của lĩnh vực, không quá 5.000.000 đồng (cần xác nhận)'),
  -- From 1 July 2025: Decree 189/2025/NĐ-CP, Art. 8.
  ('officer_on_duty', 'Chiến sĩ Công an nhân dân đang thi hành công vụ', 10, NULL, '2025-07-01',
   'Điều 8 Nghị định 189/2025/NĐ-CP: phạt tiền đến 10% mức tối đa của lĩnh vực'),
  ('commune_police_chief', 'Trưởng Công an cấp xã', 50, NULL, '2025-07-01',
   'Điều 8 Nghị định 189/2025/NĐ-CP: phạt tiền đến 50% mức tối đa của lĩnh vực')
)
INSERT INTO fine_caps(title, title_vi, sector, sector_vi, sector_max_vnd, percent, cap_vnd, effective_from, basis)
SELECT t.title, t.title_vi, s.sector, s.sector_vi, s.max_vnd, t.percent,
       min(s.max_vnd * t.percent / 100, coalesce(t.fixed_max, s.max_vnd)),
       t.effective_from, t.basis || '; ' || s.max_basis
  FROM titles t, sectors s;
