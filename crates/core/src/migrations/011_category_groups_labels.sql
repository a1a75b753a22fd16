-- The legal group each category counts in on the upward report (issue 15). The province may
-- move a category with its reference data (`category` versions carry `legal_group`); these are
-- the defaults for the shipped list. A category added later without a group counts in `other`.
ALTER TABLE categories ADD COLUMN legal_group TEXT NOT NULL DEFAULT 'other';
UPDATE categories SET legal_group = CASE code
  WHEN 'theft' THEN 'social_order'
  WHEN 'affray' THEN 'social_order'
  WHEN 'weapons' THEN 'social_order'
  WHEN 'gambling' THEN 'social_order'
  WHEN 'fraud' THEN 'economic'
  WHEN 'online_fraud' THEN 'high_tech'
  WHEN 'fake_news' THEN 'high_tech'
  WHEN 'drugs' THEN 'drugs'
  WHEN 'traffic_order' THEN 'traffic'
  WHEN 'uxo' THEN 'explosives_incidents'
  WHEN 'dispute' THEN 'disputes_family'
  WHEN 'domestic_violence' THEN 'disputes_family'
  ELSE 'other' END;

-- The classification clock named itself "(chưa phân loại)", which read wrong on every case once
-- classified; the name is the step's. A province's own label is left as it is.
UPDATE deadline_rules SET label_vi = 'Phân loại vụ việc'
 WHERE code = 'classify' AND label_vi = 'Phân loại vụ việc (chưa phân loại)';
