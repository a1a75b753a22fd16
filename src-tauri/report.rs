//! The monthly report in the form sent upward, built once from the core's statistics and
//! written as XLSX (rust_xlsxwriter) or PDF (printpdf, DejaVu Serif embedded).
use crate::state::{CmdError, CmdResult};
use chrono::{FixedOffset, TimeZone};
use tinbao_core::stats::{Count, Stats};
use tinbao_core::text::group_thousands;
use tinbao_core::{Actor, Store};

#[derive(Clone)]
pub struct Row {
    pub label: String,
    pub value: String,
    /// Sub-rows are indented under their heading row.
    pub indent: bool,
}

pub struct Section {
    pub title: String,
    pub rows: Vec<Row>,
}

pub struct ReportDoc {
    pub unit: String,
    pub title: String,
    pub period: String,
    pub made_by: String,
    pub sections: Vec<Section>,
    pub file_stem: String,
}

fn vn_date(unix: i64) -> String {
    let tz = FixedOffset::east_opt(7 * 3600).expect("+07:00");
    tz.timestamp_opt(unix, 0)
        .single()
        .map(|d| d.format("%d/%m/%Y").to_string())
        .unwrap_or_default()
}

fn rows(counts: &[Count], label: impl Fn(&str) -> String) -> Vec<Row> {
    counts
        .iter()
        .map(|c| Row {
            label: label(&c.key),
            value: group_thousands(c.count.into()),
            indent: true,
        })
        .collect()
}

fn head(label: &str, value: String) -> Row {
    Row {
        label: label.to_owned(),
        value,
        indent: false,
    }
}

pub fn build(store: &Store, actor: &Actor, s: &Stats) -> CmdResult<ReportDoc> {
    let l = store.key_labels(s)?;
    let unit = match &actor.station {
        Some(code) => store
            .admin_commune(code)?
            .map(|c| format!("CÔNG AN {}", c.name.to_uppercase()))
            .unwrap_or_else(|| format!("CÔNG AN XÃ/PHƯỜNG {code}")),
        None => "CÔNG AN TỈNH".to_owned(),
    };
    // `to` is exclusive: the report names the last day it covers.
    let period = format!("Từ ngày {} đến ngày {}", vn_date(s.from), vn_date(s.to - 1));
    let mut sections = vec![
        Section {
            title: "I. TIẾP NHẬN NGUỒN TIN".into(),
            rows: [
                vec![head(
                    "Tổng số nguồn tin tiếp nhận",
                    group_thousands(s.received.into()),
                )],
                vec![head("Theo loại nguồn tin", String::new())],
                rows(&s.by_kind, |k| l.kind(k)),
                vec![head("Theo kênh tiếp nhận", String::new())],
                rows(&s.by_channel, |k| l.channel(k)),
                vec![head("Theo lĩnh vực", String::new())],
                rows(&s.by_category, |k| l.category(k)),
            ]
            .concat(),
        },
        Section {
            title: "II. KẾT QUẢ GIẢI QUYẾT".into(),
            rows: [
                vec![head("Theo tình trạng", String::new())],
                rows(&s.by_status, |k| l.status(k)),
                vec![
                    head("Đang giải quyết", group_thousands(s.open.into())),
                    head(
                        "Quá hạn giải quyết (hiện tại)",
                        group_thousands(s.overdue.into()),
                    ),
                    head(
                        "Số vụ xử phạt vi phạm hành chính",
                        group_thousands(s.sanctions.into()),
                    ),
                    head("Tổng số tiền phạt (đồng)", group_thousands(s.fines_vnd)),
                    head(
                        "Thời gian giải quyết (trung vị, giờ)",
                        s.median_hours_to_outcome
                            .map(|h| format!("{h:.1}").replace('.', ","))
                            .unwrap_or_else(|| "—".into()),
                    ),
                ],
            ]
            .concat(),
        },
        Section {
            title: "III. TUYÊN TRUYỀN, HỖ TRỢ NHÂN DÂN TRÊN MẠNG XÃ HỘI".into(),
            rows: [
                vec![head(
                    "Câu hỏi về thủ tục hành chính đã tiếp nhận",
                    group_thousands(
                        s.inquiries_by_topic
                            .iter()
                            .map(|c| i64::from(c.count))
                            .sum(),
                    ),
                )],
                rows(&s.inquiries_by_topic, |k| l.topic(k)),
                vec![
                    head(
                        "Bài viết tuyên truyền đã đăng",
                        group_thousands(s.posts.into()),
                    ),
                    head("Lượt xem bài viết", group_thousands(s.post_views)),
                    head(
                        "Trang, nhóm đang quản lý",
                        group_thousands(s.channels.len() as i64),
                    ),
                ],
                s.channels
                    .iter()
                    .map(|c| Row {
                        label: format!("{} ({}): {} bài", c.name, c.platform, c.posts),
                        value: c
                            .followers
                            .map(|f| format!("{} người theo dõi", group_thousands(f)))
                            .unwrap_or_default(),
                        indent: true,
                    })
                    .collect(),
            ]
            .concat(),
        },
    ];
    if s.by_station.len() > 1 {
        sections.push(Section {
            title: "IV. THEO ĐƠN VỊ".into(),
            rows: rows(&s.by_station, |k| l.station(k)),
        });
    }
    let stem_date = FixedOffset::east_opt(7 * 3600)
        .expect("+07:00")
        .timestamp_opt(s.to - 1, 0)
        .single()
        .map(|d| d.format("%Y-%m").to_string())
        .unwrap_or_default();
    Ok(ReportDoc {
        unit,
        title: "BÁO CÁO KẾT QUẢ TIẾP NHẬN, GIẢI QUYẾT TIN BÁO, TỐ GIÁC TỘI PHẠM VÀ CÔNG TÁC TUYÊN TRUYỀN".into(),
        period,
        made_by: actor.full_name.clone(),
        sections,
        file_stem: format!("bao-cao-thang-{stem_date}"),
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
    let sub = cell.clone().set_indent(2);
    let num = Format::new()
        .set_font_name(font)
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Right);
    let num_head = num.clone().set_bold();
    ws.set_column_width(0, 70).map_err(err)?;
    ws.set_column_width(1, 22).map_err(err)?;
    ws.write_with_format(0, 0, doc.unit.as_str(), &bold)
        .map_err(err)?;
    ws.merge_range(2, 0, 2, 1, &doc.title, &title)
        .map_err(err)?;
    ws.set_row_height(2, 36).map_err(err)?;
    ws.merge_range(3, 0, 3, 1, &doc.period, &center)
        .map_err(err)?;
    let mut r = 5u32;
    ws.write_with_format(r, 0, "Nội dung", &cell_head)
        .map_err(err)?;
    ws.write_with_format(r, 1, "Số liệu", &num_head)
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
            // Counts stay numbers in Excel so the province can add stations up.
            let plain = row.value.replace('.', "");
            match plain.parse::<f64>() {
                Ok(v) if !row.value.is_empty() && !row.value.contains(',') => {
                    let f = if row.indent {
                        num.clone()
                    } else {
                        num_head.clone()
                    }
                    .set_num_format("#,##0");
                    ws.write_number_with_format(r, 1, v, &f).map_err(err)?
                }
                _ => ws
                    .write_with_format(r, 1, row.value.as_str(), &num)
                    .map_err(err)?,
            };
            r += 1;
        }
    }
    r += 1;
    ws.write_with_format(r, 1, "NGƯỜI LẬP BÁO CÁO", &bold)
        .map_err(err)?;
    ws.write(r + 4, 1, doc.made_by.as_str()).map_err(err)?;
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
    // Width of a character at 11 pt in DejaVu Serif, roughly: enough to wrap and right-align.
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
    for l in wrap(&doc.title, 62) {
        let w = l.chars().count() as f32 * char_w(12.0);
        layer.use_text(&l, 12.0, Mm((210.0 - w) / 2.0), Mm(y), &bold);
        y -= 6.0;
    }
    let w = doc.period.chars().count() as f32 * char_w(11.0);
    layer.use_text(&doc.period, 11.0, Mm((210.0 - w) / 2.0), Mm(y), &regular);
    y -= 12.0;

    let rule = |layer: &printpdf::PdfLayerReference, y: f32| {
        layer.add_line(Line {
            points: vec![
                (Point::new(Mm(left), Mm(y)), false),
                (Point::new(Mm(right), Mm(y)), false),
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
        rule(&layer, y);
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
    if y - 30.0 < bottom {
        let (p, l) = pdf.add_page(Mm(210.0), Mm(297.0), "Ký");
        layer = pdf.get_page(p).get_layer(l);
        y = 277.0;
    }
    layer.use_text("NGƯỜI LẬP BÁO CÁO", 11.0, Mm(135.0), Mm(y - 6.0), &bold);
    layer.use_text(&doc.made_by, 11.0, Mm(135.0), Mm(y - 28.0), &regular);
    pdf.save_to_bytes().map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc() -> ReportDoc {
        ReportDoc {
            unit: "CÔNG AN PHƯỜNG BẮC KẠN".into(),
            title: "BÁO CÁO KẾT QUẢ TIẾP NHẬN, GIẢI QUYẾT TIN BÁO, TỐ GIÁC TỘI PHẠM".into(),
            period: "Từ ngày 15/09/2022 đến ngày 14/10/2022".into(),
            made_by: "Nguyễn Văn Trưởng".into(),
            sections: vec![Section {
                title: "II. KẾT QUẢ GIẢI QUYẾT".into(),
                rows: vec![
                    Row {
                        label: "Tổng số tiền phạt (đồng)".into(),
                        value: group_thousands(8_000_000),
                        indent: false,
                    },
                    Row {
                        label: "Đã xử phạt hành chính".into(),
                        value: "1".into(),
                        indent: true,
                    },
                ],
            }],
            file_stem: "bao-cao".into(),
        }
    }

    #[test]
    fn money_is_grouped_with_dots() {
        assert_eq!(group_thousands(8_000_000), "8.000.000");
        assert_eq!(group_thousands(950), "950");
        assert_eq!(group_thousands(-12_500), "-12.500");
    }

    #[test]
    fn xlsx_and_pdf_are_real_files() {
        let x = to_xlsx(&doc()).unwrap();
        assert_eq!(&x[..2], b"PK", "an XLSX is a zip");
        let p = to_pdf(&doc()).unwrap();
        assert_eq!(&p[..5], b"%PDF-");
        assert!(
            p.len() < 400_000,
            "the font is subset, not embedded whole ({} bytes)",
            p.len()
        );
    }
}
