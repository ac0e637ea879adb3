//! The estate as a graph of its data paths, coloured by the findings on them: private DNS
//! zones → private endpoints → workspaces on the inbound side, workspaces → their FHIR,
//! DICOM and MedTech services → each outbound feature's target on the outbound side.
//! Written as Graphviz DOT or a Mermaid flowchart.

use std::collections::HashMap;
use std::fmt::Write as _;

use crate::{Report, Severity};
use ahds_model::{Analysis, Estate, Known, Resource, TargetType};

use super::text::cleaned;

/// Where a node stands, left to right: the graph is layered by nature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Column {
    DnsZone,
    PrivateEndpoint,
    Workspace,
    Service,
    Target,
}

pub(crate) struct Node {
    key: String,
    pub(crate) label: String,
    pub(crate) column: Column,
    /// The worst finding on the resource itself.
    pub(crate) worst: Option<Severity>,
}

pub(crate) struct Edge {
    pub(crate) from: usize,
    pub(crate) to: usize,
    pub(crate) label: String,
    /// The worst finding on the path.
    pub(crate) worst: Option<Severity>,
    /// An undetermined check on the path.
    pub(crate) undetermined: bool,
}

#[derive(Default)]
pub(crate) struct Graph {
    pub(crate) nodes: Vec<Node>,
    pub(crate) edges: Vec<Edge>,
    index: HashMap<String, usize>,
}

impl Graph {
    fn node(&mut self, key: &str, label: String, column: Column) -> usize {
        let key = key.to_ascii_lowercase();
        if let Some(&i) = self.index.get(&key) {
            return i;
        }
        self.index.insert(key.clone(), self.nodes.len());
        self.nodes.push(Node {
            key,
            label,
            column,
            worst: None,
        });
        self.nodes.len() - 1
    }

    /// The first `n` edges and the nodes they join; the number of edges left out.
    pub(crate) fn keep_edges(self, n: usize) -> (Graph, usize) {
        let left_out = self.edges.len().saturating_sub(n);
        if left_out == 0 {
            return (self, 0);
        }
        (self.with_edges(n), left_out)
    }

    /// The paths with a finding or an undetermined check, worst first, and the nodes
    /// they join.
    pub(crate) fn failing(mut self) -> Graph {
        self.edges.retain(|e| e.worst.is_some() || e.undetermined);
        self.edges.sort_by_key(|e| std::cmp::Reverse(e.worst));
        let n = self.edges.len();
        self.with_edges(n)
    }

    /// The first `n` edges and only the nodes they join, in the order edges meet them.
    fn with_edges(self, n: usize) -> Graph {
        let mut out = Graph::default();
        let mut map: HashMap<usize, usize> = HashMap::new();
        for e in self.edges.iter().take(n) {
            let mut copy = |i: usize, out: &mut Graph| {
                *map.entry(i).or_insert_with(|| {
                    let node = &self.nodes[i];
                    let j = out.node(&node.key, node.label.clone(), node.column);
                    out.nodes[j].worst = node.worst;
                    j
                })
            };
            let (from, to) = (copy(e.from, &mut out), copy(e.to, &mut out));
            out.edges.push(Edge {
                from,
                to,
                label: e.label.clone(),
                worst: e.worst,
                undetermined: e.undetermined,
            });
        }
        out
    }
}

/// The graph of an estate with the findings of its report.
pub(crate) fn build(estate: &Estate, report: &Report) -> Graph {
    let report = cleaned(report);
    let analysis = ahds_model::analyze(estate);
    let mut g = Graph::default();
    // Display id (lower case) → the node standing for it, to colour nodes by their findings.
    let mut by_display: HashMap<String, usize> = HashMap::new();
    let mut add = |g: &mut Graph, meta: ahds_model::Meta<'_>, noun: &str, column: Column| {
        let name = meta.name.value().map_or("(name not known)", String::as_str);
        let i = g.node(meta.key_str(), format!("{noun} {name}"), column);
        by_display.insert(meta.display_id_str().to_ascii_lowercase(), i);
        i
    };
    for w in &estate.workspaces {
        add(&mut g, w.meta(), "workspace", Column::Workspace);
    }
    for s in &estate.fhir_services {
        add(&mut g, s.meta(), "FHIR service", Column::Service);
    }
    for s in &estate.dicom_services {
        add(&mut g, s.meta(), "DICOM service", Column::Service);
    }
    for s in &estate.medtech_services {
        add(&mut g, s.meta(), "MedTech service", Column::Service);
    }
    // Only targets some service reaches: a tenant's other accounts are not drawn.
    let reached: std::collections::HashSet<&str> = analysis
        .links
        .iter()
        .filter_map(|l| l.target_id.as_deref())
        .collect();
    for (noun, metas) in [
        (
            "storage account",
            estate
                .storage_accounts
                .iter()
                .map(Resource::meta)
                .collect::<Vec<_>>(),
        ),
        (
            "container registry",
            estate
                .container_registries
                .iter()
                .map(Resource::meta)
                .collect(),
        ),
        (
            "Event Hubs namespace",
            estate
                .eventhub_namespaces
                .iter()
                .map(Resource::meta)
                .collect(),
        ),
        (
            "key vault",
            estate.key_vaults.iter().map(Resource::meta).collect(),
        ),
    ] {
        for m in metas {
            if reached.contains(m.key_str()) {
                add(&mut g, m, noun, Column::Target);
            }
        }
    }
    for pe in &estate.private_endpoints {
        add(
            &mut g,
            pe.meta(),
            "private endpoint",
            Column::PrivateEndpoint,
        );
    }
    inbound(&mut g, &analysis);
    outbound(&mut g, &analysis, &report);
    for v in &report.violations {
        if let Some(&i) = by_display.get(&v.resource_id.to_ascii_lowercase()) {
            g.nodes[i].worst = g.nodes[i].worst.max(Some(v.severity));
        }
    }
    g
}

/// Workspaces to their services; private endpoints to the workspaces they connect to, and
/// the private DNS zones each endpoint links.
fn inbound(g: &mut Graph, analysis: &Analysis) {
    let mut workspaces: Vec<(&String, &ahds_model::WorkspaceFacts)> =
        analysis.workspaces.iter().collect();
    workspaces.sort_by(|a, b| a.0.cmp(b.0));
    for (key, facts) in workspaces {
        let Some(&w) = g.index.get(key.as_str()) else {
            continue;
        };
        for s in facts
            .fhir_services
            .iter()
            .chain(&facts.dicom_services)
            .chain(&facts.medtech_services)
        {
            if let Some(&s) = g.index.get(s.as_str()) {
                g.edges.push(Edge {
                    from: w,
                    to: s,
                    label: String::new(),
                    worst: None,
                    undetermined: false,
                });
            }
        }
        for c in &facts.connections {
            let Some(pe_key) = &c.private_endpoint else {
                continue;
            };
            let pe = match g.index.get(pe_key.as_str()) {
                Some(&i) => i,
                None => g.node(
                    pe_key,
                    format!(
                        "private endpoint {}",
                        pe_key.rsplit('/').next().unwrap_or(pe_key)
                    ),
                    Column::PrivateEndpoint,
                ),
            };
            let status = match &c.status {
                Known::Value(s) => format!("{s:?}"),
                _ => "status not known".into(),
            };
            g.edges.push(Edge {
                from: pe,
                to: w,
                label: format!("Private Link · {status}"),
                worst: None,
                undetermined: false,
            });
            if let Some(Known::Value(zones)) = &c.dns_zones {
                for zone in zones {
                    let name = zone.value().map_or("(zone not known)", String::as_str);
                    let z = g.node(
                        &format!("dns:{name}"),
                        format!("private DNS zone {name}"),
                        Column::DnsZone,
                    );
                    g.edges.push(Edge {
                        from: z,
                        to: pe,
                        label: String::new(),
                        worst: None,
                        undetermined: false,
                    });
                }
            }
        }
    }
}

/// Each outbound link: its service to its target, labelled with the feature and the role
/// the service's identity needs there, coloured by the worst finding on it.
fn outbound(g: &mut Graph, analysis: &Analysis, report: &Report) {
    // A finding is on a link when it names the link's feature and target; one about a
    // target that was not found names the service instead. Indexed once, so drawing a
    // tenant is not links × findings.
    type Key = (String, String);
    let key = |feature: &str, id: &str| (feature.to_string(), id.to_ascii_lowercase());
    let mut worst_at: HashMap<Key, Severity> = HashMap::new();
    let mut undetermined_at: std::collections::HashSet<Key> = std::collections::HashSet::new();
    // Each finding under its feature and both the target and the resource it names.
    let keys = |feature: &Option<String>, target: &Option<String>, resource: &str| -> Vec<Key> {
        let Some(feature) = feature.as_deref() else {
            return Vec::new();
        };
        [target.as_deref(), Some(resource)]
            .into_iter()
            .flatten()
            .map(|id| key(feature, id))
            .collect()
    };
    for v in &report.violations {
        for k in keys(&v.feature, &v.target_id, &v.resource_id) {
            let w = worst_at.entry(k).or_insert(v.severity);
            *w = (*w).max(v.severity);
        }
    }
    for u in &report.undetermined {
        undetermined_at.extend(keys(&u.feature, &u.target_id, &u.resource_id));
    }
    for link in &analysis.links {
        let Some(&service) = g.index.get(link.service_id.as_str()) else {
            continue;
        };
        let target = match link.target_id.as_deref().and_then(|t| g.index.get(t)) {
            Some(&t) => t,
            None => {
                let name = link
                    .reference
                    .value
                    .value()
                    .map_or("(not known)", String::as_str);
                g.node(
                    &format!("unresolved:{}:{name}", target_noun(link.target_type)),
                    format!(
                        "{} {name} (not in the input)",
                        target_noun(link.target_type)
                    ),
                    Column::Target,
                )
            }
        };
        // Resolved links by their target; unresolved ones by their service.
        let on = key(
            link.feature.as_str(),
            link.target_resource_id
                .as_deref()
                .unwrap_or(&link.service_resource_id),
        );
        let worst = worst_at.get(&on).copied();
        let undetermined = undetermined_at.contains(&on);
        let role = &link.facts.role;
        let mut label = link.feature.as_str().to_string();
        if role.checked {
            let held = match role.held {
                Known::Value(true) => "held",
                Known::Value(false) => "missing",
                Known::Unknown => "not known",
            };
            let _ = write!(label, " · {}: {held}", role.required_role);
        }
        g.edges.push(Edge {
            from: service,
            to: target,
            label,
            worst,
            undetermined,
        });
    }
}

fn target_noun(t: TargetType) -> &'static str {
    match t {
        TargetType::StorageAccount => "storage account",
        TargetType::ContainerRegistry => "container registry",
        TargetType::EventHubNamespace => "Event Hubs namespace",
        TargetType::KeyVault => "key vault",
        // A kind of target newer than this drawing.
        _ => "target",
    }
}

/// The colour of a severity, shared by every drawing.
pub(crate) fn colour(worst: Option<Severity>) -> &'static str {
    match worst {
        Some(Severity::Critical | Severity::High) => "#d73a49",
        Some(Severity::Medium) => "#e36209",
        Some(Severity::Low) => "#b08800",
        Some(Severity::Info) => "#0366d6",
        None => "#6a737d",
    }
}

/// The graph as a Mermaid flowchart, left to right.
pub(crate) fn mermaid(g: &Graph) -> String {
    let mut out = String::from("flowchart LR\n");
    for (i, n) in g.nodes.iter().enumerate() {
        let _ = writeln!(out, "  n{i}[\"{}\"]", mermaid_text(&n.label));
    }
    let mut styles = String::new();
    for (i, e) in g.edges.iter().enumerate() {
        let arrow = if e.worst.is_none() && e.undetermined {
            "-.->"
        } else {
            "-->"
        };
        let label = edge_label(e);
        if label.is_empty() {
            let _ = writeln!(out, "  n{} {arrow} n{}", e.from, e.to);
        } else {
            let _ = writeln!(
                out,
                "  n{} {arrow}|\"{}\"| n{}",
                e.from,
                mermaid_text(&label),
                e.to
            );
        }
        if e.worst.is_some() || e.undetermined {
            let _ = writeln!(
                styles,
                "  linkStyle {i} stroke:{},stroke-width:2px",
                colour(e.worst)
            );
        }
    }
    for (i, n) in g.nodes.iter().enumerate() {
        if n.worst.is_some() {
            let _ = writeln!(
                styles,
                "  style n{i} stroke:{},stroke-width:2px",
                colour(n.worst)
            );
        }
    }
    out.push_str(&styles);
    out
}

/// The graph as Graphviz DOT, one rank per column.
pub(crate) fn dot(g: &Graph) -> String {
    let mut out = String::from(
        "digraph ahds {\n  rankdir=LR;\n  node [shape=box, style=rounded, fontname=\"sans-serif\"];\n  edge [fontname=\"sans-serif\", fontsize=10];\n",
    );
    let columns = [
        Column::DnsZone,
        Column::PrivateEndpoint,
        Column::Workspace,
        Column::Service,
        Column::Target,
    ];
    for column in columns {
        let members: Vec<usize> = (0..g.nodes.len())
            .filter(|&i| g.nodes[i].column == column)
            .collect();
        if members.is_empty() {
            continue;
        }
        out.push_str("  { rank=same;");
        for i in &members {
            let _ = write!(out, " n{i};");
        }
        out.push_str(" }\n");
    }
    for (i, n) in g.nodes.iter().enumerate() {
        let _ = write!(out, "  n{i} [label=\"{}\"", dot_text(&n.label));
        if n.worst.is_some() {
            let _ = write!(out, ", color=\"{}\", penwidth=2", colour(n.worst));
        }
        out.push_str("];\n");
    }
    for e in &g.edges {
        let _ = write!(out, "  n{} -> n{}", e.from, e.to);
        let mut attrs = Vec::new();
        let label = edge_label(e);
        if !label.is_empty() {
            attrs.push(format!("label=\"{}\"", dot_text(&label)));
        }
        if e.worst.is_some() || e.undetermined {
            attrs.push(format!("color=\"{}\", penwidth=2", colour(e.worst)));
        }
        if e.worst.is_none() && e.undetermined {
            attrs.push("style=dashed".into());
        }
        if !attrs.is_empty() {
            let _ = write!(out, " [{}]", attrs.join(", "));
        }
        out.push_str(";\n");
    }
    out.push_str("}\n");
    out
}

fn edge_label(e: &Edge) -> String {
    match (e.worst, e.undetermined) {
        (Some(s), _) if e.label.is_empty() => s.as_str().to_uppercase(),
        (Some(s), _) => format!("{} · {}", e.label, s.as_str().to_uppercase()),
        (None, true) => format!("{} · undetermined", e.label),
        (None, false) => e.label.clone(),
    }
}

/// Text inside a quoted Mermaid label, which takes entity codes.
pub(crate) fn mermaid_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '#' => out.push_str("#35;"),
            '`' => out.push_str("#96;"),
            c => out.push(c),
        }
    }
    out
}

/// Text inside a quoted DOT string.
fn dot_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_cannot_close_their_quotes() {
        assert_eq!(dot_text(r#"a"b\c"#), r#"a\"b\\c"#);
        assert_eq!(mermaid_text("a\"b<c>#`"), "a#quot;b#lt;c#gt;#35;#96;");
    }
}
