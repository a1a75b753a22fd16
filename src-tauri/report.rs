//! The monthly report in the form sent upward, built once from the core's statistics and
//! written as XLSX (rust_xlsxwriter) or PDF (printpdf, DejaVu Serif embedded).
use crate::state::{CmdError, CmdResult};
use chrono::Utc;
use serde::Serialize;
use tinbao_core::stats::{Count, StationFigures, Stats};
use tinbao_core::text::group_thousands;
use tinbao_core::time::vn_offset;
use tinbao_core::{Actor, Scope, Store};
use ts_rs::TS;

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, rename = "ReportRow")]
pub struct Row {
    pub label: String,
    /// As printed: "8.000.000", "12,5", "—".
    pub value: String,
    /// The figure itself, written as a number in Excel so that the province can add up.
    #[ts(type = "number | null")]
    pub number: Option<i64>,
    /// Sub-rows are indented under their heading row.
    pub indent: bool,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, rename = "ReportSection")]
pub struct Section {
    pub title: String,
    pub rows: Vec<Row>,
}

/// The province's figures by station: one row per station, one column per figure, and the
/// total row.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct StationTable {
    pub title: String,
    pub columns: Vec<String>,
    pub rows: Vec<StationRow>,
    pub total: StationRow,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct StationRow {
    pub station: String,
    #[ts(type = "number[]")]
    pub values: Vec<i64>,
}

/// The report as sent upward, and as the Reports screen shows it: the same sections in the
/// same order.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ReportDoc {
    pub unit: String,
    pub title: String,
    /// "Tháng 10/2025 (từ 15/09/2025 đến 14/10/2025)".
    pub period: String,
    pub made_by: String,
    /// "Phường Bắc Kạn, ngày 06 tháng 12 năm 2026", above the chief's signature.
    pub place_date: String,
    pub sections: Vec<Section>,
    pub stations: Option<StationTable>,
    pub file_stem: String,
}

/// One figure of a station's row.
type Figure = fn(&StationFigures) -> i64;

/// The columns of the by-station table, in the order of the sections.
const STATION_COLUMNS: &[(&str, Figure)] = &[
    ("Tiếp nhận", |f| f.received.into()),
    ("Qua mạng xã hội", |f| f.social_media.into()),
    ("Chuyển CQĐT", |f| f.transferred.into()),
    ("Chuyển đúng hạn", |f| f.transferred_on_time.into()),
    ("Chuyển quá hạn", |f| f.transferred_late.into()),
    ("QĐ giải quyết nguồn tin", |f| f.decisions.into()),
    ("QĐ xử phạt VPHC", |f| f.sanction_decisions.into()),
    ("Tiền phạt (đồng)", |f| f.fines_vnd),
    ("Hòa giải", |f| f.mediated.into()),
    ("Không có căn cứ", |f| f.unfounded.into()),
    ("Tồn cuối kỳ", |f| f.open.into()),
    ("Quá hạn cuối kỳ", |f| f.overdue.into()),
    ("Câu hỏi tiếp nhận", |f| f.inquiries.into()),
    ("Đã trả lời", |f| f.answered.into()),
    ("Trả lời trong ngày", |f| f.answered_same_day.into()),
    ("Bài viết", |f| f.posts.into()),
    ("Lượt xem", |f| f.post_views),
];

fn rows(counts: &[Count], label: impl Fn(&str) -> String) -> Vec<Row> {
    counts
        .iter()
        .map(|c| Row {
            label: label(&c.key),
            value: group_thousands(c.count.into()),
            number: Some(c.count.into()),
            indent: true,
        })
        .collect()
}

fn head(label: &str, n: i64) -> Row {
    Row {
        label: label.to_owned(),
        value: group_thousands(n),
        number: Some(n),
        indent: false,
    }
}

fn sub(label: &str, n: i64) -> Row {
    Row {
        indent: true,
        ..head(label, n)
    }
}

fn heading(label: &str) -> Row {
    Row {
        label: label.to_owned(),
        value: String::new(),
        number: None,
        indent: false,
    }
}

/// The report of `s` for `actor`, for the period named `period` (see `stats::period_label`).
pub fn build(
    store: &Store,
    actor: &Actor,
    s: &Stats,
    period: &str,
    file_stem: &str,
) -> CmdResult<ReportDoc> {
    let l = store.key_labels(s)?;
    // The unit: the station's commune, or the province a supervisor's laptop covers.
    let commune = match &actor.station {
        Some(code) => store.admin_commune(code)?.map(|c| c.name),
        None => {
            let code = match (&actor.province, store.scope()) {
                (Some(p), _) | (None, Scope::Province(p)) => Some(p.clone()),
                _ => None,
            };
            match code {
                Some(code) => store
                    .admin_provinces()?
                    .into_iter()
                    .find(|p| p.code == code)
                    .map(|p| p.name),
                None => None,
            }
        }
    };
    let unit = match (&actor.station, &commune) {
        (_, Some(name)) => format!("CÔNG AN {}", name.to_uppercase()),
        (Some(code), None) => format!("CÔNG AN XÃ/PHƯỜNG {code}"),
        (None, None) => "CÔNG AN TỈNH".to_owned(),
    };
    let today = Utc::now().with_timezone(&vn_offset());
    let place_date = format!(
        "{}, ngày {} tháng {} năm {}",
        commune.as_deref().unwrap_or("…"),
        today.format("%d"),
        today.format("%m"),
        today.format("%Y")
    );
    let n = |x: u32| i64::from(x);
    let sd = &s.sanction_decisions;
    let inquiries: i64 = s.inquiries_by_topic.iter().map(|c| n(c.count)).sum();
    let sections = vec![
        Section {
            title: "I. TIẾP NHẬN NGUỒN TIN".into(),
            rows: [
                vec![head("Tổng số nguồn tin tiếp nhận", n(s.received))],
                vec![head(
                    "Tiếp nhận qua mạng xã hội (Zalo, Facebook)",
                    n(s.social_media),
                )],
                rows(&s.social_media_by_channel, |k| l.channel(k)),
                vec![heading("Theo loại nguồn tin")],
                rows(&s.by_kind, |k| l.kind(k)),
                vec![heading("Theo kênh tiếp nhận")],
                rows(&s.by_channel, |k| l.channel(k)),
                vec![heading("Theo lĩnh vực")],
                rows(&s.by_category, |k| l.category(k)),
                vec![heading("Theo nhóm pháp lý")],
                rows(&s.by_legal_group, |k| l.legal_group(k)),
            ]
            .concat(),
        },
        Section {
            title: "II. KẾT QUẢ GIẢI QUYẾT (theo ngày có kết quả)".into(),
            rows: [
                vec![head("Đã chuyển Cơ quan điều tra", n(s.transferred))],
                vec![
                    sub("Đúng thời hạn", n(s.transferred_on_time)),
                    sub("Quá thời hạn", n(s.transferred_late)),
                ],
                vec![head(
                    "Quyết định giải quyết nguồn tin",
                    s.decisions.iter().map(|c| n(c.count)).sum(),
                )],
                rows(&s.decisions, |k| l.decision(k)),
                vec![
                    head("Quyết định xử phạt vi phạm hành chính", n(sd.decisions)),
                    sub("Trong đó cảnh cáo", n(sd.warnings)),
                    head("Tổng số tiền phạt (đồng)", sd.fines_vnd),
                    heading("Theo chức danh người ra quyết định"),
                ],
                sd.by_title
                    .iter()
                    .map(|t| Row {
                        label: format!(
                            "{}: {} quyết định",
                            l.title(&t.title),
                            group_thousands(n(t.decisions))
                        ),
                        value: group_thousands(t.fines_vnd),
                        number: Some(t.fines_vnd),
                        indent: true,
                    })
                    .collect(),
                vec![
                    head("Hòa giải thành", n(s.mediated)),
                    head("Không có căn cứ, kết thúc", n(s.unfounded)),
                    head("Còn đang giải quyết cuối kỳ", n(s.open)),
                    head("Quá hạn cuối kỳ", n(s.overdue)),
                    Row {
                        label: "Thời gian đến khi có kết quả (trung vị, giờ)".into(),
                        value: s
                            .median_hours_to_outcome
                            .map(|h| format!("{h:.1}").replace('.', ","))
                            .unwrap_or_else(|| "—".into()),
                        number: None,
                        indent: false,
                    },
                ],
            ]
            .concat(),
        },
        Section {
            title: "III. HỖ TRỢ NHÂN DÂN, TUYÊN TRUYỀN TRÊN MẠNG XÃ HỘI".into(),
            rows: [
                vec![head("Câu hỏi về thủ tục hành chính tiếp nhận", inquiries)],
                rows(&s.inquiries_by_topic, |k| l.topic(k)),
                vec![head("Câu hỏi đã trả lời", n(s.answered))],
                rows(&s.answered_by_topic, |k| l.topic(k)),
                vec![
                    sub("Trả lời trong ngày", n(s.answered_same_day)),
                    head("Bài viết tuyên truyền đã đăng", n(s.posts)),
                    head("Lượt xem bài viết", s.post_views),
                    head("Trang, nhóm đang quản lý", s.channels.len() as i64),
                ],
                s.channels
                    .iter()
                    .map(|c| Row {
                        label: format!("{} ({}): {} bài", c.name, c.platform, c.posts),
                        value: c
                            .followers
                            .map(|f| format!("{} người theo dõi", group_thousands(f)))
                            .unwrap_or_default(),
                        number: None,
                        indent: true,
                    })
                    .collect(),
            ]
            .concat(),
        },
    ];
    let row = |name: String, f: &StationFigures| StationRow {
        station: name,
        values: STATION_COLUMNS.iter().map(|(_, v)| v(f)).collect(),
    };
    let stations = s.total.as_ref().map(|total| StationTable {
        title: "IV. SỐ LIỆU THEO ĐƠN VỊ".into(),
        columns: STATION_COLUMNS
            .iter()
            .map(|(c, _)| (*c).to_owned())
            .collect(),
        rows: s
            .stations
            .iter()
            .map(|f| row(l.station(&f.station), f))
            .collect(),
        total: row("Tổng cộng".into(), total),
    });
    Ok(ReportDoc {
        unit,
        title: "BÁO CÁO KẾT QUẢ TIẾP NHẬN, GIẢI QUYẾT TIN BÁO, TỐ GIÁC TỘI PHẠM VÀ CÔNG TÁC TUYÊN TRUYỀN".into(),
        period: period.to_owned(),
        made_by: actor.full_name.clone(),
        place_date,
        sections,
        stations,
        file_stem: file_stem.to_owned(),
    })
}

pub fn to_xlsx(doc: &ReportDoc) -> CmdResult<Vec<u8>> {
    use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook};
    let err =
        |e: rust_xlsxwriter::XlsxError| CmdError::other(format!("Không tạo được tệp Excel: {e}"));
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("Báo cáo").map_err(err)?;
    let font = "Times New Roman";
    let bold = Format::new()
        .set_bold()
        .set_font_name(font)
        .set_font_size(12);
    let bold_center = bold.clone().set_align(FormatAlign::Center);
    let title = Format::new()
        .set_bold()
        .set_font_name(font)
        .set_font_size(13)
        .set_align(FormatAlign::Center)
        .set_text_wrap();
    let center = Format::new()
        .set_italic()
        .set_font_name(font)
        .set_align(FormatAlign::Center);
    let cell = Format::new()
        .set_font_name(font)
        .set_border(FormatBorder::Thin)
        .set_text_wrap();
    let cell_head = cell.clone().set_bold();
    let col_head = cell_head.clone().set_align(FormatAlign::Center);
    let sub = cell.clone().set_indent(2);
    let num = Format::new()
        .set_font_name(font)
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Right)
        .set_num_format("#,##0");
    let num_head = num.clone().set_bold();
    let text_num = Format::new()
        .set_font_name(font)
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Right);
    // Wide enough for the by-station table to its right edge; the report itself uses A:B.
    let last_col = doc
        .stations
        .as_ref()
        .map_or(1, |t| t.columns.len() as u16)
        .max(1);
    ws.set_column_width(0, 60).map_err(err)?;
    ws.set_column_width(1, 18).map_err(err)?;
    ws.write_with_format(0, 0, doc.unit.as_str(), &bold)
        .map_err(err)?;
    ws.merge_range(2, 0, 2, last_col, &doc.title, &title)
        .map_err(err)?;
    ws.set_row_height(2, 36).map_err(err)?;
    ws.merge_range(3, 0, 3, last_col, &doc.period, &center)
        .map_err(err)?;
    let mut r = 5u32;
    ws.write_with_format(r, 0, "Nội dung", &col_head)
        .map_err(err)?;
    ws.write_with_format(r, 1, "Số liệu", &col_head)
        .map_err(err)?;
    r += 1;
    for s in &doc.sections {
        ws.merge_range(r, 0, r, 1, &s.title, &cell_head)
            .map_err(err)?;
        r += 1;
        for row in &s.rows {
            ws.write_with_format(
                r,
                0,
                row.label.as_str(),
                if row.indent { &sub } else { &cell },
            )
            .map_err(err)?;
            // Figures stay numbers in Excel so the province can add stations up.
            match row.number {
                Some(v) => ws
                    .write_number_with_format(
                        r,
                        1,
                        v as f64,
                        if row.indent { &num } else { &num_head },
                    )
                    .map_err(err)?,
                None => ws
                    .write_with_format(r, 1, row.value.as_str(), &text_num)
                    .map_err(err)?,
            };
            r += 1;
        }
    }
    if let Some(t) = &doc.stations {
        r += 1;
        ws.merge_range(r, 0, r, last_col, &t.title, &cell_head)
            .map_err(err)?;
        r += 1;
        ws.write_with_format(r, 0, "Đơn vị", &col_head)
            .map_err(err)?;
        for (i, c) in t.columns.iter().enumerate() {
            ws.write_with_format(r, 1 + i as u16, c.as_str(), &col_head)
                .map_err(err)?;
        }
        ws.set_row_height(r, 48).map_err(err)?;
        for c in 2..=last_col {
            ws.set_column_width(c, 12).map_err(err)?;
        }
        r += 1;
        for (row, fmt, nfmt) in t
            .rows
            .iter()
            .map(|x| (x, &cell, &num))
            .chain(std::iter::once((&t.total, &cell_head, &num_head)))
        {
            ws.write_with_format(r, 0, row.station.as_str(), fmt)
                .map_err(err)?;
            for (i, v) in row.values.iter().enumerate() {
                ws.write_number_with_format(r, 1 + i as u16, *v as f64, nfmt)
                    .map_err(err)?;
            }
            r += 1;
        }
    }
    r += 1;
    // The signature block: the maker on the left, the chief on the right.
    ws.write_with_format(r, 1, doc.place_date.as_str(), &center)
        .map_err(err)?;
    r += 1;
    ws.write_with_format(r, 0, "NGƯỜI LẬP BÁO CÁO", &bold_center)
        .map_err(err)?;
    ws.write_with_format(r, 1, "THỦ TRƯỞNG ĐƠN VỊ", &bold_center)
        .map_err(err)?;
    r += 1;
    ws.write_with_format(r, 0, "(Ký, ghi rõ họ tên)", &center)
        .map_err(err)?;
    ws.write_with_format(r, 1, "(Ký tên, đóng dấu)", &center)
        .map_err(err)?;
    ws.write_with_format(r + 4, 0, doc.made_by.as_str(), &bold_center)
        .map_err(err)?;
    wb.save_to_buffer().map_err(err)
}

const SERIF: &[u8] = include_bytes!("fonts/DejaVuSerif.ttf");
const SERIF_BOLD: &[u8] = include_bytes!("fonts/DejaVuSerif-Bold.ttf");

pub fn to_pdf(doc: &ReportDoc) -> CmdResult<Vec<u8>> {
    use printpdf::{Line, Mm, PdfDocument, Point};
    let err = |e: printpdf::Error| CmdError::other(format!("Không tạo được tệp PDF: {e}"));
    let (pdf, page, layer) = PdfDocument::new(&doc.title, Mm(210.0), Mm(297.0), "Trang 1");
    let regular = pdf
        .add_external_font_with_subsetting(SERIF, true)
        .map_err(err)?;
    let bold = pdf
        .add_external_font_with_subsetting(SERIF_BOLD, true)
        .map_err(err)?;
    let mut layer = pdf.get_page(page).get_layer(layer);
    let (left, right, bottom) = (20.0f32, 190.0f32, 20.0f32);
    let mut y = 277.0f32;
    // Width of a character in DejaVu Serif, roughly: enough to wrap and right-align.
    let char_w = |size: f32| size * 0.19;

    let wrap = |text: &str, max_chars: usize| -> Vec<String> {
        let mut lines = Vec::new();
        let mut cur = String::new();
        for w in text.split_whitespace() {
            if !cur.is_empty() && cur.chars().count() + 1 + w.chars().count() > max_chars {
                lines.push(std::mem::take(&mut cur));
            }
            if !cur.is_empty() {
                cur.push(' ');
            }
            cur.push_str(w);
        }
        if !cur.is_empty() {
            lines.push(cur);
        }
        lines
    };

    layer.use_text(&doc.unit, 11.0, Mm(left), Mm(y), &bold);
    layer.use_text(
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        10.0,
        Mm(112.0),
        Mm(y),
        &bold,
    );
    y -= 5.0;
    layer.use_text("Độc lập - Tự do - Hạnh phúc", 10.0, Mm(126.0), Mm(y), &bold);
    y -= 14.0;
    for l in wrap(&doc.title, 56) {
        let w = l.chars().count() as f32 * char_w(12.0);
        layer.use_text(&l, 12.0, Mm((210.0 - w) / 2.0), Mm(y), &bold);
        y -= 6.0;
    }
    let w = doc.period.chars().count() as f32 * char_w(11.0);
    layer.use_text(&doc.period, 11.0, Mm((210.0 - w) / 2.0), Mm(y), &regular);
    y -= 12.0;

    let rule = |layer: &printpdf::PdfLayerReference, x0: f32, x1: f32, y: f32| {
        layer.add_line(Line {
            points: vec![
                (Point::new(Mm(x0), Mm(y)), false),
                (Point::new(Mm(x1), Mm(y)), false),
            ],
            is_closed: false,
        });
    };
    let mut page_no = 1;
    for s in &doc.sections {
        let needed = 8.0 + 6.0 * s.rows.len().min(4) as f32;
        if y - needed < bottom {
            page_no += 1;
            let (p, l) = pdf.add_page(Mm(210.0), Mm(297.0), format!("Trang {page_no}"));
            layer = pdf.get_page(p).get_layer(l);
            y = 277.0;
        }
        layer.use_text(&s.title, 11.0, Mm(left), Mm(y), &bold);
        y -= 2.5;
        rule(&layer, left, right, y);
        y -= 5.0;
        for row in &s.rows {
            let indent = if row.indent { 6.0 } else { 0.0 };
            let font = if row.indent { &regular } else { &bold };
            let lines = wrap(&row.label, if row.indent { 72 } else { 75 });
            if y - 5.5 * (lines.len() as f32) < bottom {
                page_no += 1;
                let (p, l) = pdf.add_page(Mm(210.0), Mm(297.0), format!("Trang {page_no}"));
                layer = pdf.get_page(p).get_layer(l);
                y = 277.0;
            }
            let vw = row.value.chars().count() as f32 * char_w(10.5);
            layer.use_text(&row.value, 10.5, Mm(right - vw), Mm(y), font);
            for l in &lines {
                layer.use_text(l, 10.5, Mm(left + indent), Mm(y), font);
                y -= 5.5;
            }
        }
        y -= 4.0;
    }
    // The by-station table on landscape pages: a column per figure does not fit portrait.
    if let Some(t) = &doc.stations {
        let (pw, ph) = (297.0f32, 210.0f32);
        let (tl, tr) = (12.0f32, 285.0f32);
        let name_w = 46.0f32;
        let col_w = (tr - tl - name_w) / t.columns.len().max(1) as f32;
        let new_page = |page_no: &mut i32| {
            *page_no += 1;
            let (p, l) = pdf.add_page(Mm(pw), Mm(ph), format!("Trang {page_no}"));
            pdf.get_page(p).get_layer(l)
        };
        layer = new_page(&mut page_no);
        y = ph - 15.0;
        layer.use_text(&t.title, 11.0, Mm(tl), Mm(y), &bold);
        y -= 7.0;
        let size = 7.0f32;
        let col_lines: Vec<Vec<String>> = t
            .columns
            .iter()
            .map(|c| wrap(c, (col_w / char_w(size)) as usize))
            .collect();
        let head_lines = col_lines.iter().map(Vec::len).max().unwrap_or(1);
        layer.use_text("Đơn vị", size, Mm(tl), Mm(y), &bold);
        for (i, lines) in col_lines.iter().enumerate() {
            for (k, l) in lines.iter().enumerate() {
                let w = l.chars().count() as f32 * char_w(size);
                let x = tl + name_w + col_w * (i as f32 + 1.0) - w - 1.0;
                layer.use_text(l, size, Mm(x), Mm(y - 3.2 * k as f32), &bold);
            }
        }
        y -= 3.2 * head_lines as f32;
        rule(&layer, tl, tr, y);
        y -= 4.5;
        for (row, font) in t
            .rows
            .iter()
            .map(|x| (x, &regular))
            .chain(std::iter::once((&t.total, &bold)))
        {
            if y < bottom {
                layer = new_page(&mut page_no);
                y = ph - 15.0;
            }
            if std::ptr::eq(row, &t.total) {
                rule(&layer, tl, tr, y + 3.5);
            }
            let name = wrap(&row.station, (name_w / char_w(size)) as usize)
                .into_iter()
                .next()
                .unwrap_or_default();
            layer.use_text(&name, size, Mm(tl), Mm(y), font);
            for (i, v) in row.values.iter().enumerate() {
                let text = group_thousands(*v);
                let w = text.chars().count() as f32 * char_w(size);
                let x = tl + name_w + col_w * (i as f32 + 1.0) - w - 1.0;
                layer.use_text(&text, size, Mm(x), Mm(y), font);
            }
            y -= 4.5;
        }
        y -= 4.0;
        // The signature block below the table, on the landscape page.
        if y - 36.0 < bottom {
            layer = new_page(&mut page_no);
            y = ph - 15.0;
        }
        signatures(&layer, doc, &regular, &bold, y, 40.0, 200.0);
        return pdf.save_to_bytes().map_err(err);
    }
    if y - 36.0 < bottom {
        page_no += 1;
        let (p, l) = pdf.add_page(Mm(210.0), Mm(297.0), format!("Trang {page_no}"));
        layer = pdf.get_page(p).get_layer(l);
        y = 277.0;
    }
    signatures(&layer, doc, &regular, &bold, y, 25.0, 120.0);
    pdf.save_to_bytes().map_err(err)
}

/// The maker (left, at `x_left`) and the chief (right, at `x_right`, under the place and
/// date), as an official report ends.
fn signatures(
    layer: &printpdf::PdfLayerReference,
    doc: &ReportDoc,
    regular: &printpdf::IndirectFontRef,
    bold: &printpdf::IndirectFontRef,
    y: f32,
    x_left: f32,
    x_right: f32,
) {
    use printpdf::Mm;
    layer.use_text(&doc.place_date, 10.5, Mm(x_right - 6.0), Mm(y), regular);
    layer.use_text("NGƯỜI LẬP BÁO CÁO", 11.0, Mm(x_left), Mm(y - 6.0), bold);
    layer.use_text(
        "THỦ TRƯỞNG ĐƠN VỊ",
        11.0,
        Mm(x_right + 4.0),
        Mm(y - 6.0),
        bold,
    );
    layer.use_text(
        "(Ký, ghi rõ họ tên)",
        9.5,
        Mm(x_left + 4.0),
        Mm(y - 11.0),
        regular,
    );
    layer.use_text(
        "(Ký tên, đóng dấu)",
        9.5,
        Mm(x_right + 6.0),
        Mm(y - 11.0),
        regular,
    );
    layer.use_text(&doc.made_by, 11.0, Mm(x_left), Mm(y - 32.0), bold);
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn doc(stations: bool) -> ReportDoc {
        ReportDoc {
            unit: "CÔNG AN PHƯỜNG BẮC KẠN".into(),
            title: "BÁO CÁO KẾT QUẢ TIẾP NHẬN, GIẢI QUYẾT TIN BÁO, TỐ GIÁC TỘI PHẠM".into(),
            period: "Quý IV/2025 (từ 15/09/2025 đến 14/12/2025)".into(),
            made_by: "Nguyễn Văn Trưởng".into(),
            place_date: "Phường Bắc Kạn, ngày 15 tháng 12 năm 2025".into(),
            sections: vec![Section {
                title: "II. KẾT QUẢ GIẢI QUYẾT".into(),
                rows: vec![
                    head("Tổng số tiền phạt (đồng)", 8_000_000),
                    sub("Đúng thời hạn", 3),
                    Row {
                        label: "Thời gian đến khi có kết quả (trung vị, giờ)".into(),
                        value: "12,5".into(),
                        number: None,
                        indent: false,
                    },
                ],
            }],
            stations: stations.then(|| StationTable {
                title: "IV. SỐ LIỆU THEO ĐƠN VỊ".into(),
                columns: vec!["Tiếp nhận".into(), "Tiền phạt (đồng)".into()],
                rows: vec![
                    StationRow {
                        station: "Phường Bắc Kạn".into(),
                        values: vec![4, 1_500_000],
                    },
                    StationRow {
                        station: "Phường Đức Xuân".into(),
                        values: vec![2, 0],
                    },
                ],
                total: StationRow {
                    station: "Tổng cộng".into(),
                    values: vec![6, 1_500_000],
                },
            }),
            file_stem: "bao-cao".into(),
        }
    }

    /// The XLSX's shared strings and first sheet, unzipped.
    fn xlsx_parts(bytes: &[u8]) -> (String, String) {
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut read = |name: &str| {
            let mut s = String::new();
            z.by_name(name).unwrap().read_to_string(&mut s).unwrap();
            s
        };
        (
            read("xl/sharedStrings.xml"),
            read("xl/worksheets/sheet1.xml"),
        )
    }

    #[test]
    fn money_is_grouped_with_dots() {
        assert_eq!(group_thousands(8_000_000), "8.000.000");
        assert_eq!(group_thousands(950), "950");
        assert_eq!(group_thousands(-12_500), "-12.500");
    }

    #[test]
    fn xlsx_and_pdf_are_real_files() {
        for st in [false, true] {
            let x = to_xlsx(&doc(st)).unwrap();
            assert_eq!(&x[..2], b"PK", "an XLSX is a zip");
            let p = to_pdf(&doc(st)).unwrap();
            assert_eq!(&p[..5], b"%PDF-");
            assert!(
                p.len() < 400_000,
                "the font is subset, not embedded whole ({} bytes)",
                p.len()
            );
        }
    }

    #[test]
    fn the_xlsx_has_the_period_the_figures_as_numbers_the_station_table_and_the_signatures() {
        let (strings, sheet) = xlsx_parts(&to_xlsx(&doc(true)).unwrap());
        for s in [
            "CÔNG AN PHƯỜNG BẮC KẠN",
            "Quý IV/2025 (từ 15/09/2025 đến 14/12/2025)",
            "NGƯỜI LẬP BÁO CÁO",
            "THỦ TRƯỞNG ĐƠN VỊ",
            "Phường Bắc Kạn, ngày 15 tháng 12 năm 2025",
            "Nguyễn Văn Trưởng",
            "Tổng cộng",
            "Phường Đức Xuân",
            "12,5",
        ] {
            assert!(strings.contains(s), "{s} is in the sheet");
        }
        // Figures are numeric cells (<v>8000000</v> without t="s"), not text.
        for n in ["8000000", "1500000", "6", "4", "2"] {
            assert!(
                sheet.contains(&format!("<v>{n}</v>")),
                "{n} is a number cell"
            );
        }
        assert!(
            !strings.contains("8.000.000"),
            "money is not written as text"
        );
        // The total row comes after the stations' rows.
        let pos = |s: &str| strings.find(s).unwrap();
        assert!(pos("Phường Đức Xuân") < pos("Tổng cộng"));
    }

    #[test]
    fn a_station_report_has_no_station_table() {
        let (strings, _) = xlsx_parts(&to_xlsx(&doc(false)).unwrap());
        assert!(!strings.contains("Tổng cộng"));
        assert!(strings.contains("THỦ TRƯỞNG ĐƠN VỊ"));
    }

    /// The document built from a real register: a station's heading names its commune and has
    /// no station table; a province's names the province and has one, with its total row.
    #[test]
    fn the_heading_names_the_unit_and_a_province_gets_the_station_table() {
        use tinbao_core::stats::{PeriodKind, period, period_label};
        use tinbao_core::{NewUser, Role};
        let dir = tempfile::tempdir().unwrap();
        let user = |role| NewUser {
            username: "nguoilap".into(),
            full_name: "Nguyễn Văn Lập".into(),
            rank: None,
            role,
            password: "matkhau-123".into(),
        };
        let (from, to) = period(PeriodKind::Quarter, 2025, 4, 15);
        let label = period_label(PeriodKind::Quarter, 2025, 4, from, to);

        let mut st = Store::create(
            dir.path().join("s.db"),
            "khóa",
            Scope::Station("01843".into()),
        )
        .unwrap();
        st.create_user(None, user(Role::Chief)).unwrap();
        let chief = st.login("nguoilap", "matkhau-123").unwrap();
        let s = st.stats(&chief, from, to).unwrap();
        let d = build(&st, &chief, &s, &label, "bao-cao-quy-2025-4").unwrap();
        assert_eq!(d.unit, "CÔNG AN PHƯỜNG BẮC KẠN");
        assert_eq!(d.period, "Quý IV/2025 (từ 15/09/2025 đến 14/12/2025)");
        assert!(d.place_date.starts_with("Phường Bắc Kạn, ngày "));
        assert_eq!(d.made_by, "Nguyễn Văn Lập");
        let titles: Vec<&str> = d.sections.iter().map(|x| &x.title[..4]).collect();
        assert_eq!(titles, ["I. T", "II. ", "III."]);
        assert!(d.stations.is_none());

        let mut pr = Store::create(
            dir.path().join("p.db"),
            "khóa",
            Scope::Province("19".into()),
        )
        .unwrap();
        pr.create_user(None, user(Role::Supervisor)).unwrap();
        let sup = pr.login("nguoilap", "matkhau-123").unwrap();
        let s = pr.stats(&sup, from, to).unwrap();
        let d = build(&pr, &sup, &s, &label, "x").unwrap();
        assert_eq!(d.unit, "CÔNG AN TỈNH THÁI NGUYÊN");
        let t = d.stations.expect("the province's table");
        assert_eq!(t.columns.len(), STATION_COLUMNS.len());
        assert_eq!(t.total.station, "Tổng cộng");
        assert_eq!(t.total.values.len(), t.columns.len());
        let (strings, _) = xlsx_parts(&to_xlsx(&d_with(t)).unwrap());
        assert!(strings.contains("Tiếp nhận") && strings.contains("Lượt xem"));
    }

    fn d_with(t: StationTable) -> ReportDoc {
        ReportDoc {
            stations: Some(t),
            ..doc(false)
        }
    }
}
