//! Charts drawn on the server as SVG with plotters, shown as `<img>` (a `data:` URL, so
//! the page's Content-Security-Policy needs no inline style) beside a table of the same
//! figures for screen readers and for anyone who wants the numbers.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use plotters::coord::ranged1d::SegmentValue;
use plotters::prelude::*;

use crate::domain::display;

/// Bar colours, in order of the stacks; each has at least 3:1 contrast on white.
const PALETTE: [RGBColor; 6] = [
    RGBColor(1, 114, 173),
    RGBColor(217, 95, 2),
    RGBColor(27, 133, 84),
    RGBColor(117, 82, 168),
    RGBColor(191, 46, 89),
    RGBColor(110, 110, 110),
];

const WIDTH: u32 = 560;
const HEIGHT: u32 = 280;

/// One stack of the chart: a label (a brand) and its value in each column.
pub struct Stack {
    pub label: String,
    pub values: Vec<i64>,
}

/// The colour of stack `index`, as CSS, for a legend drawn in HTML.
pub fn colour(index: usize) -> String {
    let RGBColor(r, g, b) = PALETTE[index % PALETTE.len()];
    format!("#{r:02x}{g:02x}{b:02x}")
}

/// Stacked bars of money in `currency`: one bar per column (`columns` are the labels
/// under the bars), stacks bottom to top in the order given. Negative values draw as
/// nothing (the table shows them). Answers a `data:image/svg+xml` URL; a chart that
/// could not be drawn is logged and answers `None` (the table still shows the figures).
pub fn stacked_bars(columns: &[String], stacks: &[Stack], currency: &str) -> Option<String> {
    let mut svg = String::new();
    match draw(&mut svg, columns, stacks, currency) {
        Ok(()) => Some(format!("data:image/svg+xml;base64,{}", STANDARD.encode(svg))),
        Err(err) => {
            tracing::warn!(error = %err, "a chart could not be drawn");
            None
        }
    }
}

fn draw(
    svg: &mut String,
    columns: &[String],
    stacks: &[Stack],
    currency: &str,
) -> Result<(), Box<dyn std::error::Error>> {
    let heights: Vec<i64> = (0..columns.len())
        .map(|i| {
            stacks
                .iter()
                .map(|s| s.values.get(i).copied().unwrap_or(0).max(0))
                .fold(0i64, i64::saturating_add)
        })
        .collect();
    let top = heights.iter().copied().max().unwrap_or(0).max(1);
    // Headroom so the tallest bar does not touch the frame.
    let top = top.saturating_add(top / 10).max(1);
    let root = SVGBackend::with_string(svg, (WIDTH, HEIGHT)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .margin(12)
        .x_label_area_size(28)
        .y_label_area_size(96)
        .build_cartesian_2d((0..columns.len()).into_segmented(), 0i64..top)?;
    let label_of = |value: &SegmentValue<usize>| match value {
        SegmentValue::CenterOf(i) => columns.get(*i).cloned().unwrap_or_default(),
        _ => String::new(),
    };
    let money_of = |value: &i64| display::money_in(*value, currency);
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(TRANSPARENT)
        .x_labels(columns.len())
        .x_label_formatter(&label_of)
        .y_labels(5)
        .y_label_formatter(&money_of)
        .label_style(("sans-serif", 15))
        .draw()?;
    // The space each side of a bar: 6 px between a few wide bars, 1 px when a month of
    // days shares the width (6 would leave each bar a hairline).
    let gap: u32 = if columns.len() > 12 { 1 } else { 6 };
    let mut base = vec![0i64; columns.len()];
    for (index, stack) in stacks.iter().enumerate() {
        let colour = PALETTE[index % PALETTE.len()];
        let bars: Vec<Rectangle<(SegmentValue<usize>, i64)>> = (0..columns.len())
            .filter_map(|i| {
                let value = stack.values.get(i).copied().unwrap_or(0).max(0);
                if value == 0 {
                    return None;
                }
                let bottom = base[i];
                let top = bottom.saturating_add(value);
                base[i] = top;
                let mut bar = Rectangle::new(
                    [(SegmentValue::Exact(i), bottom), (SegmentValue::Exact(i + 1), top)],
                    colour.filled(),
                );
                bar.set_margin(0, 0, gap, gap);
                Some(bar)
            })
            .collect();
        chart.draw_series(bars)?;
    }
    root.present()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chart_is_an_svg_with_its_labels() {
        let columns = vec!["Nov 2026".to_owned(), "Dec 2026".to_owned()];
        let stacks = vec![
            Stack {
                label: "Acme".into(),
                values: vec![1500, 0],
            },
            Stack {
                label: "Beta".into(),
                values: vec![250, -40],
            },
        ];
        let url = stacked_bars(&columns, &stacks, "USD").unwrap_or_else(|| panic!("no chart"));
        let encoded = url
            .strip_prefix("data:image/svg+xml;base64,")
            .unwrap_or_else(|| panic!("{url}"));
        let svg = String::from_utf8(STANDARD.decode(encoded).unwrap_or_else(|e| panic!("{e}")))
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(svg.starts_with("<svg"), "{svg}");
        assert!(svg.contains("Nov 2026") && svg.contains("Dec 2026"), "{svg}");
        assert!(svg.contains("$0.00"), "money on the axis: {svg}");
        // Two bars have a value (Acme and Beta in November); the negative one is not drawn.
        let lower = svg.to_lowercase();
        assert_eq!(lower.matches(&colour(0)).count(), 1, "{svg}");
        assert_eq!(lower.matches(&colour(1)).count(), 1, "{svg}");
    }

    #[test]
    fn the_legend_swatches_have_the_bars_colours() {
        let css = include_str!("../../assets/app.css");
        for i in 0..PALETTE.len() {
            let rule = format!(".swatch-{i} {{ background: {}; }}", colour(i));
            assert!(css.contains(&rule), "assets/app.css lacks `{rule}`");
        }
        assert_eq!(colour(PALETTE.len()), colour(0));
    }
}
