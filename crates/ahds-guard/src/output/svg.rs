//! The graph of data paths as an SVG drawing: one column per layer, each column ordered by
//! the nodes it is joined to, edges as curves coloured by their worst finding, details in
//! each element's `<title>` (shown on hover). Every label is escaped; the layout is
//! computed here, with no layout engine at run time.

use std::fmt::Write as _;

use super::graph::{self, Column, Graph};
use super::html::esc;

/// Layout of the drawing, in pixels.
const NODE_W: usize = 220;
const NODE_H: usize = 30;
const GAP_X: usize = 80;
const GAP_Y: usize = 14;
const MARGIN: usize = 16;

/// The drawing, as a standalone `<svg>` element.
pub(crate) fn render(g: &Graph) -> String {
    let mut out = String::new();
    let positions = layout(g);
    let columns = positions.iter().map(|p| p.0).max().unwrap_or(0) + 1;
    let rows = positions.iter().map(|p| p.1).max().unwrap_or(0) + 1;
    let width = 2 * MARGIN + columns * NODE_W + (columns - 1) * GAP_X;
    let height = 2 * MARGIN + rows * (NODE_H + GAP_Y);
    let at = |i: usize| {
        let (c, r) = positions[i];
        (MARGIN + c * (NODE_W + GAP_X), MARGIN + r * (NODE_H + GAP_Y))
    };
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"system-ui, sans-serif\" font-size=\"12\">"
    );
    for e in &g.edges {
        let (x1, y1) = at(e.from);
        let (x2, y2) = at(e.to);
        let (x1, y1) = (x1 + NODE_W, y1 + NODE_H / 2);
        let y2 = y2 + NODE_H / 2;
        let mid = (x1 + x2) / 2;
        let failing = e.worst.is_some() || e.undetermined;
        let dash = if e.worst.is_none() && e.undetermined {
            " stroke-dasharray=\"6 4\""
        } else {
            ""
        };
        let title = match (e.worst, e.undetermined) {
            (Some(s), _) => format!("{} · {}", e.label, s.as_str().to_uppercase()),
            (None, true) => format!("{} · undetermined", e.label),
            (None, false) => e.label.clone(),
        };
        let title = if title.is_empty() {
            String::new()
        } else {
            format!("<title>{}</title>", esc(&title))
        };
        let _ = writeln!(
            out,
            "<path d=\"M{x1},{y1} C{mid},{y1} {mid},{y2} {x2},{y2}\" fill=\"none\" stroke=\"{}\" stroke-width=\"{}\"{dash}>{title}</path>",
            graph::colour(e.worst),
            if failing { 2 } else { 1 },
        );
    }
    for (i, n) in g.nodes.iter().enumerate() {
        let (x, y) = at(i);
        let stroke = graph::colour(n.worst);
        let _ = writeln!(
            out,
            "<g><title>{}</title><rect x=\"{x}\" y=\"{y}\" width=\"{NODE_W}\" height=\"{NODE_H}\" rx=\"6\" fill=\"#fff\" stroke=\"{stroke}\" stroke-width=\"{}\"/><text x=\"{}\" y=\"{}\">{}</text></g>",
            esc(&n.label),
            if n.worst.is_some() { 2 } else { 1 },
            x + 8,
            y + NODE_H / 2 + 4,
            esc(&shorten(&n.label, 31))
        );
    }
    out.push_str("</svg>\n");
    out
}

/// Each node's column and row: columns by layer (empty layers left out); rows in the
/// graph's order, then each column after the first ordered by the mean row of the nodes
/// that point to it, which keeps most edges from crossing.
fn layout(g: &Graph) -> Vec<(usize, usize)> {
    let layers = [
        Column::DnsZone,
        Column::PrivateEndpoint,
        Column::Workspace,
        Column::Service,
        Column::Target,
    ];
    let used: Vec<Column> = layers
        .into_iter()
        .filter(|l| g.nodes.iter().any(|n| n.column == *l))
        .collect();
    let mut pos = vec![(0usize, 0usize); g.nodes.len()];
    // Workspaces first: the inbound side is ordered by what it points to, the outbound
    // side by what points to it.
    let order = [
        Column::Workspace,
        Column::Service,
        Column::Target,
        Column::PrivateEndpoint,
        Column::DnsZone,
    ];
    for layer in order {
        let Some(c) = used.iter().position(|l| *l == layer) else {
            continue;
        };
        let mut members: Vec<usize> = (0..g.nodes.len())
            .filter(|&i| g.nodes[i].column == layer)
            .collect();
        let placed = |i: usize| g.nodes[i].column != layer;
        let key = |i: usize| -> f64 {
            let neighbours: Vec<usize> = g
                .edges
                .iter()
                .filter_map(|e| match () {
                    _ if e.to == i && placed(e.from) => Some(e.from),
                    _ if e.from == i && placed(e.to) && layer < Column::Workspace => Some(e.to),
                    _ => None,
                })
                .collect();
            if neighbours.is_empty() {
                return f64::MAX;
            }
            neighbours.iter().map(|&n| pos[n].1 as f64).sum::<f64>() / neighbours.len() as f64
        };
        if layer != Column::Workspace {
            let keys: Vec<f64> = members.iter().map(|&i| key(i)).collect();
            let mut order: Vec<usize> = (0..members.len()).collect();
            order.sort_by(|&a, &b| keys[a].total_cmp(&keys[b]));
            members = order.into_iter().map(|k| members[k]).collect();
        }
        for (r, i) in members.into_iter().enumerate() {
            pos[i] = (c, r);
        }
    }
    pos
}

/// At most `max` characters, with an ellipsis when cut (the full text is the title).
fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max - 1).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_labels_are_cut_with_an_ellipsis() {
        assert_eq!(shorten("abcdef", 4), "abc…");
        assert_eq!(shorten("abc", 4), "abc");
    }
}
