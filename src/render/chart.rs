//! Static SVG bar charts: geometry computed here, drawn by the theme's chart template.
//!
//! Charts are decoration over data the page also gives as a table: the SVG carries
//! `role="img"`, a `<title>` and a `<desc>` that states every value, and all text is `<text>`,
//! so nothing depends on JavaScript or on images of text.

use serde::Serialize;

/// A bar chart with one group of bars per year.
#[derive(Debug, Clone, Serialize)]
pub struct ChartView {
    /// Element id prefix.
    pub id: String,
    /// Title (also the `<title>`).
    pub title: String,
    /// Text description of every value (the `<desc>`).
    pub desc: String,
    /// viewBox width.
    pub width: u32,
    /// viewBox height.
    pub height: u32,
    /// Legend entries.
    pub legend: Vec<LegendView>,
    /// Bars.
    pub bars: Vec<BarView>,
    /// Year labels under the groups.
    pub x_labels: Vec<TextView>,
    /// Y axis ticks (gridlines and labels).
    pub ticks: Vec<TickView>,
    /// Left and right of the plot area and the baseline y.
    pub plot: PlotView,
    /// Vertical marker where the format edition changes.
    pub marker: Option<MarkerView>,
}

/// A legend entry.
#[derive(Debug, Clone, Serialize)]
pub struct LegendView {
    /// Swatch x.
    pub x: f64,
    /// Swatch y.
    pub y: f64,
    /// Text.
    pub text: String,
    /// Series class (`s0`, `s1`).
    pub class: String,
}

/// One bar.
#[derive(Debug, Clone, Serialize)]
pub struct BarView {
    /// Left.
    pub x: f64,
    /// Top.
    pub y: f64,
    /// Width.
    pub w: f64,
    /// Height.
    pub h: f64,
    /// Series class.
    pub class: String,
    /// Value label.
    pub value: String,
    /// Value label position (centre x, baseline y).
    pub label_x: f64,
    /// Value label baseline.
    pub label_y: f64,
}

/// A positioned text.
#[derive(Debug, Clone, Serialize)]
pub struct TextView {
    /// Centre x.
    pub x: f64,
    /// Baseline y.
    pub y: f64,
    /// Text.
    pub text: String,
}

/// A y-axis tick.
#[derive(Debug, Clone, Serialize)]
pub struct TickView {
    /// y of the gridline.
    pub y: f64,
    /// Label.
    pub text: String,
}

/// The plot area.
#[derive(Debug, Clone, Serialize)]
pub struct PlotView {
    /// Left edge.
    pub left: f64,
    /// Right edge.
    pub right: f64,
    /// Top edge.
    pub top: f64,
    /// Baseline (y of zero).
    pub bottom: f64,
}

/// The edition-change marker.
#[derive(Debug, Clone, Serialize)]
pub struct MarkerView {
    /// x of the line.
    pub x: f64,
    /// Label.
    pub text: String,
}

/// One series: name and one value per year (`None`: not comparable / absent).
#[derive(Debug, Clone)]
pub struct Series {
    /// Name shown in the legend.
    pub name: String,
    /// Values, one per year.
    pub values: Vec<Option<f64>>,
    /// Value texts, one per year.
    pub texts: Vec<String>,
}

/// Build a grouped bar chart. `marker_before` is the index of the first year of a new edition.
pub fn bar_chart(
    id: &str,
    title: &str,
    unit: &str,
    years: &[u16],
    series: &[Series],
    marker_before: Option<(usize, String)>,
) -> ChartView {
    let width = 720.0;
    let height = 340.0;
    let left = 56.0;
    let right = width - 16.0;
    let top = 56.0;
    let bottom = height - 44.0;
    let max = series
        .iter()
        .flat_map(|s| s.values.iter().flatten())
        .fold(0.0f64, |a, &b| a.max(b));
    let scale_max = nice_ceiling(max.max(1.0));
    let y_of = |v: f64| bottom - (bottom - top) * (v / scale_max);
    let n = years.len().max(1) as f64;
    let group_w = (right - left) / n;
    let bar_w = (group_w * 0.7 / series.len().max(1) as f64).min(56.0);
    let mut bars = Vec::new();
    let mut x_labels = Vec::new();
    for (yi, year) in years.iter().enumerate() {
        let gx = left + group_w * yi as f64;
        let inner = bar_w * series.len() as f64;
        let start = gx + (group_w - inner) / 2.0;
        let mut comparable = true;
        for (si, s) in series.iter().enumerate() {
            match s.values.get(yi).copied().flatten() {
                Some(v) => {
                    let y = y_of(v);
                    let x = start + bar_w * si as f64;
                    bars.push(BarView {
                        x: round1(x + 2.0),
                        y: round1(y),
                        w: round1(bar_w - 4.0),
                        h: round1(bottom - y),
                        class: format!("s{si}"),
                        value: s.texts.get(yi).cloned().unwrap_or_default(),
                        label_x: round1(x + bar_w / 2.0),
                        label_y: round1(y - 6.0),
                    });
                }
                None => comparable = false,
            }
        }
        x_labels.push(TextView {
            x: round1(gx + group_w / 2.0),
            y: round1(bottom + 24.0),
            text: if comparable {
                format!("{year}年")
            } else {
                format!("{year}年（不可比）")
            },
        });
    }
    // 4 or 5 steps, whichever gives round numbers (0 5 10 15 20, or 0 1 2 3 4 5).
    let steps = if (scale_max / 4.0).fract() == 0.0 && scale_max >= 4.0 {
        4
    } else {
        5
    };
    let ticks = (0..=steps)
        .map(|k| {
            let v = scale_max * k as f64 / steps as f64;
            TickView {
                y: round1(y_of(v)),
                text: trim_float(v),
            }
        })
        .collect();
    let legend = series
        .iter()
        .enumerate()
        .map(|(si, s)| LegendView {
            x: round1(left + 170.0 * si as f64),
            y: 16.0,
            text: s.name.clone(),
            class: format!("s{si}"),
        })
        .collect();
    let marker = marker_before.map(|(i, text)| MarkerView {
        x: round1(left + group_w * i as f64),
        text,
    });
    let mut desc = format!("{title}（单位：{unit}）。");
    for (yi, year) in years.iter().enumerate() {
        let parts: Vec<String> = series
            .iter()
            .map(|s| match s.values.get(yi).copied().flatten() {
                Some(_) => format!("{}{}", s.name, s.texts.get(yi).cloned().unwrap_or_default()),
                None => format!("{}不可比", s.name),
            })
            .collect();
        desc.push_str(&format!("{year}年：{}。", parts.join("，")));
    }
    ChartView {
        id: id.to_string(),
        title: title.to_string(),
        desc,
        width: width as u32,
        height: height as u32,
        legend,
        bars,
        x_labels,
        ticks,
        plot: PlotView {
            left,
            right,
            top,
            bottom,
        },
        marker,
    }
}

/// The smallest 1, 2 or 5 × 10ⁿ not below `v`.
fn nice_ceiling(v: f64) -> f64 {
    let exp = v.log10().floor();
    let base = 10f64.powf(exp);
    for m in [1.0, 2.0, 5.0, 10.0] {
        if m * base >= v {
            return m * base;
        }
    }
    10.0 * base
}

fn round1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

fn trim_float(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{}", v as i64)
    } else {
        format!("{}", round1(v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scales_and_marks_incomparable_years() {
        assert_eq!(nice_ceiling(13.0), 20.0);
        assert_eq!(nice_ceiling(0.7), 1.0);
        assert_eq!(nice_ceiling(300.0), 500.0);
        let s = Series {
            name: "新收申请".into(),
            values: vec![Some(13.0), None],
            texts: vec!["13件".into(), String::new()],
        };
        let c = bar_chart(
            "c1",
            "依申请公开",
            "件",
            &[2020, 2021],
            &[s],
            Some((1, "2021年起适用新格式".into())),
        );
        assert_eq!(c.bars.len(), 1);
        assert_eq!(c.x_labels[1].text, "2021年（不可比）");
        assert!(
            c.desc
                .contains("2020年：新收申请13件。2021年：新收申请不可比。"),
            "{}",
            c.desc
        );
        assert_eq!(c.ticks.last().unwrap().text, "20");
    }
}
