//! A laid-out [`Graph`] as a standalone SVG document: styles embedded, no script, no
//! external reference.
//!
//! Every node is a `<g class="node KIND" data-id="…" data-state="…">` with a `<title>`
//! (its name and type, shown as a tooltip), every edge a `<g class="edge KIND"
//! data-from="…" data-to="…">`, every cluster a `<g class="cluster KIND" data-id="…">`, so
//! a page can restyle them by state (the viewer of an execution colours them). Shapes and
//! captions say each state's type and dashes say a Catch, so nothing depends on colour.

use std::fmt::Write;

use crate::layout::{
    ClusterBox, EdgePath, Layout, NAME_LINE, NAME_SIZE, NodeBox, Point, SMALL_LINE, SMALL_SIZE, Shape,
};
use crate::model::{Cluster, ClusterKind, Edge, EdgeKind, Graph, Node, NodeKind};
use crate::text::{shorten, width, xml};

const STYLE: &str = r#"
.asl-graph { font-family: Helvetica, Arial, "Liberation Sans", sans-serif; }
.asl-graph .background { fill: #ffffff; }
.asl-graph .shape { stroke-width: 1.5; }
.asl-graph .name { font-size: 13px; font-weight: 600; fill: #0f141a; }
.asl-graph .caption { font-size: 11px; fill: #414d5c; }
.asl-graph .node.start .shape, .asl-graph .node.end .shape { fill: #232f3e; stroke: #232f3e; }
.asl-graph .node.start text, .asl-graph .node.end text { font-size: 11px; font-weight: 600; fill: #ffffff; }
.asl-graph .node.end .inner { fill: none; stroke: #ffffff; stroke-width: 1.5; }
.asl-graph .node.task .shape { fill: #e6f0fb; stroke: #0972d3; }
.asl-graph .node.pass .shape { fill: #f4f4f4; stroke: #687078; }
.asl-graph .node.choice .shape { fill: #fff6db; stroke: #b7791f; }
.asl-graph .node.wait .shape { fill: #f1ecfb; stroke: #7d4cdb; }
.asl-graph .node.succeed .shape { fill: #e8f6ea; stroke: #1d8102; }
.asl-graph .node.fail .shape { fill: #fdeceb; stroke: #d13212; stroke-width: 2.5; }
.asl-graph .node.parallel .shape, .asl-graph .node.map .shape, .asl-graph .node.distributed-map .shape { fill: #e9f4f4; stroke: #067f88; }
.asl-graph .node.join .shape { fill: #545b64; stroke: #545b64; }
.asl-graph .edge path { fill: none; stroke: #545b64; stroke-width: 1.5; }
.asl-graph .edge.start path, .asl-graph .edge.end path { stroke: #879596; }
.asl-graph .edge.catch path { stroke: #d45b07; stroke-dasharray: 6 4; }
.asl-graph .edge-label rect { fill: #ffffff; fill-opacity: 0.92; }
.asl-graph .edge-label text { font-size: 11px; fill: #414d5c; }
.asl-graph .edge-label.catch text { fill: #b04a06; font-style: italic; }
.asl-graph .cluster > rect { fill: #fbfbfb; stroke: #8d99a8; stroke-width: 1; }
.asl-graph .cluster.parallel > rect, .asl-graph .cluster.map > rect { fill: #f3f8f8; stroke: #067f88; stroke-dasharray: 5 3; }
.asl-graph .cluster .title rect { fill: #ffffff; stroke: #8d99a8; stroke-width: 1; }
.asl-graph .cluster .title text { font-size: 11px; fill: #414d5c; }
.asl-graph .arrow { fill: #545b64; }
.asl-graph .arrow.muted { fill: #879596; }
.asl-graph .arrow.catch { fill: #d45b07; }
"#;

/// The SVG document of `graph` laid out as `layout` (from [`crate::layout::layout`] of the
/// same graph). `title` names the drawing for assistive technology.
pub fn render(graph: &Graph, layout: &Layout, title: &str) -> String {
    let mut out = String::new();
    let (w, h) = (layout.width, layout.height);
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="asl-graph" width="{w}" height="{h}" viewBox="0 0 {w} {h}" role="img" aria-labelledby="asl-graph-title">"#
    );
    let _ = writeln!(out, r#"<title id="asl-graph-title">{}</title>"#, xml(title));
    if let Some(comment) = &graph.comment {
        let _ = writeln!(out, "<desc>{}</desc>", xml(comment));
    }
    let _ = writeln!(out, "<style>{STYLE}</style>");
    out.push_str("<defs>\n");
    for (id, class) in [("asl-arrow", "arrow"), ("asl-arrow-muted", "arrow muted"), ("asl-arrow-catch", "arrow catch")]
    {
        let _ = writeln!(
            out,
            r#"<marker id="{id}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" markerUnits="strokeWidth" orient="auto"><path class="{class}" d="M0,0 L10,5 L0,10 z"/></marker>"#
        );
    }
    out.push_str("</defs>\n");
    let _ = writeln!(out, r#"<rect class="background" width="{w}" height="{h}"/>"#);

    out.push_str("<g class=\"clusters\">\n");
    for (cluster, area) in graph.clusters.iter().zip(&layout.clusters) {
        draw_cluster(cluster, area, &mut out);
    }
    out.push_str("</g>\n<g class=\"edges\">\n");
    for (edge, path) in graph.edges.iter().zip(&layout.edges) {
        draw_edge(edge, path, &mut out);
    }
    // Labels above every edge, so no line is drawn across one.
    out.push_str("</g>\n<g class=\"edge-labels\">\n");
    for (edge, path) in graph.edges.iter().zip(&layout.edges) {
        draw_edge_label(edge, path, &mut out);
    }
    out.push_str("</g>\n<g class=\"nodes\">\n");
    for (node, area) in graph.nodes.iter().zip(&layout.nodes) {
        draw_node(node, area, &mut out);
    }
    out.push_str("</g>\n</svg>\n");
    out
}

fn draw_cluster(cluster: &Cluster, area: &ClusterBox, out: &mut String) {
    let class = match cluster.kind {
        ClusterKind::Parallel => "parallel",
        ClusterKind::Map => "map",
        ClusterKind::Branch => "branch",
        ClusterKind::Processor => "processor",
    };
    let _ = writeln!(
        out,
        r#"<g class="cluster {class}" data-id="{}" data-state="{}">"#,
        xml(&cluster.id),
        xml(&cluster.state)
    );
    let _ = writeln!(
        out,
        r#"<rect x="{}" y="{}" width="{}" height="{}" rx="6"/>"#,
        area.x, area.y, area.width, area.height
    );
    // A Parallel or Map cluster's head node already names it; branches and processors get
    // a title on their top border.
    if matches!(cluster.kind, ClusterKind::Branch | ClusterKind::Processor) {
        let _ = writeln!(out, "<title>{}</title>", xml(&cluster.label));
        // dagre sizes a cluster by what it holds, not by its title: cut the title to fit.
        let room = area.width - 26.0;
        let mut title = cluster.label.clone();
        let mut keep = title.chars().count();
        while keep > 1 && width(&title, SMALL_SIZE, false) > room {
            keep -= 1;
            title = shorten(&cluster.label, keep);
        }
        let tw = width(&title, SMALL_SIZE, false) + 10.0;
        let (tx, ty) = (num(area.x + 8.0), num(area.y - 8.0));
        let _ = writeln!(
            out,
            r#"<g class="title"><rect x="{tx}" y="{ty}" width="{}" height="16" rx="3"/><text x="{}" y="{}">{}</text></g>"#,
            num(tw),
            num(area.x + 13.0),
            num(area.y + 4.0),
            xml(&title)
        );
    }
    out.push_str("</g>\n");
}

/// The class of an edge's kind, and the arrowhead it ends with.
fn edge_class(kind: EdgeKind) -> (&'static str, &'static str) {
    match kind {
        EdgeKind::Start => ("start", "asl-arrow-muted"),
        EdgeKind::End => ("end", "asl-arrow-muted"),
        EdgeKind::Next => ("next", "asl-arrow"),
        EdgeKind::Choice => ("choice", "asl-arrow"),
        EdgeKind::Default => ("default", "asl-arrow"),
        EdgeKind::Catch => ("catch", "asl-arrow-catch"),
    }
}

fn draw_edge(edge: &Edge, path: &EdgePath, out: &mut String) {
    if path.points.len() < 2 {
        return;
    }
    let (class, marker) = edge_class(edge.kind);
    let _ = writeln!(
        out,
        r#"<g class="edge {class}" data-from="{}" data-to="{}"><path d="{}" marker-end="url(#{marker})"/></g>"#,
        xml(&edge.from),
        xml(&edge.to),
        curve(&path.points)
    );
}

fn draw_edge_label(edge: &Edge, path: &EdgePath, out: &mut String) {
    let Some(label) = &path.label else { return };
    let (class, _) = edge_class(edge.kind);
    let _ = writeln!(
        out,
        r#"<g class="edge-label {class}" data-from="{}" data-to="{}"><rect x="{}" y="{}" width="{}" height="{}" rx="3"/>"#,
        xml(&edge.from),
        xml(&edge.to),
        label.x,
        label.y,
        label.width,
        label.height
    );
    let cx = num(label.x + label.width / 2.0);
    for (i, line) in label.lines.iter().enumerate() {
        let baseline = label.y + 2.0 + i as f64 * SMALL_LINE + SMALL_LINE / 2.0 + SMALL_SIZE * 0.35;
        let _ = writeln!(out, r#"<text x="{cx}" y="{}" text-anchor="middle">{}</text>"#, num(baseline), xml(line));
    }
    out.push_str("</g>\n");
}

fn draw_node(node: &Node, area: &NodeBox, out: &mut String) {
    let class = node.kind.class();
    let _ = write!(out, r#"<g class="node {class}" data-id="{}""#, xml(&node.id));
    if let Some(state) = &node.state {
        let _ = write!(out, r#" data-state="{}""#, xml(state));
    }
    out.push_str(">\n");
    let tooltip = match node.kind {
        NodeKind::Join => match &node.state {
            Some(state) => format!("end of {state}"),
            None => String::new(),
        },
        _ if node.caption().is_empty() => node.label.clone(),
        _ => format!("{} ({})", node.label, node.caption()),
    };
    let _ = writeln!(out, "<title>{}</title>", xml(&tooltip));
    shape(node.kind, area, out);
    let c = area.center();
    match node.kind {
        NodeKind::Join => {}
        NodeKind::Start | NodeKind::End => {
            let _ = writeln!(
                out,
                r#"<text x="{}" y="{}" text-anchor="middle">{}</text>"#,
                num(c.x),
                num(c.y + SMALL_SIZE * 0.35),
                xml(&node.label)
            );
        }
        _ => {
            let text_h = area.lines.len() as f64 * NAME_LINE + if area.caption.is_empty() { 0.0 } else { SMALL_LINE };
            let top = c.y - text_h / 2.0;
            for (i, line) in area.lines.iter().enumerate() {
                let baseline = top + i as f64 * NAME_LINE + NAME_LINE / 2.0 + NAME_SIZE * 0.35;
                let _ = writeln!(
                    out,
                    r#"<text class="name" x="{}" y="{}" text-anchor="middle">{}</text>"#,
                    num(c.x),
                    num(baseline),
                    xml(line)
                );
            }
            if !area.caption.is_empty() {
                let baseline = top + area.lines.len() as f64 * NAME_LINE + SMALL_LINE / 2.0 + SMALL_SIZE * 0.35;
                let _ = writeln!(
                    out,
                    r#"<text class="caption" x="{}" y="{}" text-anchor="middle">{}</text>"#,
                    num(c.x),
                    num(baseline),
                    xml(&area.caption)
                );
            }
        }
    }
    out.push_str("</g>\n");
}

fn shape(kind: NodeKind, area: &NodeBox, out: &mut String) {
    let (x, y, w, h) = (area.x, area.y, area.width, area.height);
    let c = area.center();
    let shape = Shape::of(kind);
    match shape {
        Shape::Rounded | Shape::Rect | Shape::Stadium | Shape::Subroutine => {
            let rx = match shape {
                Shape::Rounded => 8.0,
                Shape::Stadium => h / 2.0,
                _ => 0.0,
            };
            let _ = writeln!(out, r#"<rect class="shape" x="{x}" y="{y}" width="{w}" height="{h}" rx="{}"/>"#, num(rx));
            if shape == Shape::Subroutine {
                let _ = writeln!(
                    out,
                    r#"<path class="shape" d="M{},{y} V{} M{},{y} V{}"/>"#,
                    num(x + 6.0),
                    num(y + h),
                    num(x + w - 6.0),
                    num(y + h)
                );
            }
        }
        Shape::Circle => {
            let _ = writeln!(
                out,
                r#"<circle class="shape" cx="{}" cy="{}" r="{}"/>"#,
                num(c.x),
                num(c.y),
                num(w.min(h) / 2.0)
            );
        }
        Shape::DoubleCircle => {
            let r = w.min(h) / 2.0;
            let _ = writeln!(out, r#"<circle class="shape" cx="{}" cy="{}" r="{}"/>"#, num(c.x), num(c.y), num(r));
            let _ = writeln!(
                out,
                r#"<circle class="inner" cx="{}" cy="{}" r="{}"/>"#,
                num(c.x),
                num(c.y),
                num((r - 4.0).max(1.0))
            );
        }
        Shape::Diamond | Shape::Hexagon | Shape::Octagon | Shape::Parallelogram => {
            if kind == NodeKind::DistributedMap {
                // A second outline behind the first: many child executions.
                let behind = shape.polygon(x + 4.0, y + 4.0, w, h).unwrap_or_default();
                let _ = writeln!(out, r#"<polygon class="shape" points="{}"/>"#, points(&behind));
            }
            let outline = shape.polygon(x, y, w, h).unwrap_or_default();
            let _ = writeln!(out, r#"<polygon class="shape" points="{}"/>"#, points(&outline));
        }
    }
}

fn points(polygon: &[Point]) -> String {
    polygon.iter().map(|p| format!("{},{}", num(p.x), num(p.y))).collect::<Vec<_>>().join(" ")
}

/// A smooth path through `points` (a uniform cubic B-spline, as d3's `curveBasis` draws
/// dagre's edges): it starts and ends exactly at the first and last points.
fn curve(points: &[Point]) -> String {
    let p = |q: Point| format!("{},{}", num(q.x), num(q.y));
    let n = points.len();
    let mut d = format!("M{}", p(points[0]));
    if n == 2 {
        let _ = write!(d, " L{}", p(points[1]));
        return d;
    }
    let mix = |a: Point, b: Point, wa: f64, wb: f64| Point {
        x: (wa * a.x + wb * b.x) / (wa + wb),
        y: (wa * a.y + wb * b.y) / (wa + wb),
    };
    let _ = write!(d, " L{}", p(mix(points[0], points[1], 5.0, 1.0)));
    let segment = |p0: Point, p1: Point, p2: Point, d: &mut String| {
        let c1 = mix(p0, p1, 2.0, 1.0);
        let c2 = mix(p0, p1, 1.0, 2.0);
        let end = Point { x: (p0.x + 4.0 * p1.x + p2.x) / 6.0, y: (p0.y + 4.0 * p1.y + p2.y) / 6.0 };
        let _ = write!(d, " C{} {} {}", p(c1), p(c2), p(end));
    };
    for i in 2..n {
        segment(points[i - 2], points[i - 1], points[i], &mut d);
    }
    segment(points[n - 2], points[n - 1], points[n - 1], &mut d);
    let _ = write!(d, " L{}", p(points[n - 1]));
    d
}

/// A coordinate as written: tenths, no `-0`.
fn num(v: f64) -> f64 {
    let r = (v * 10.0).round() / 10.0;
    if r == 0.0 || !r.is_finite() { 0.0 } else { r }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn curves_start_and_end_on_the_points() {
        let pts = [Point { x: 0.0, y: 0.0 }, Point { x: 0.0, y: 60.0 }, Point { x: 30.0, y: 90.0 }];
        let d = curve(&pts);
        assert!(d.starts_with("M0,0 L0,10 C"), "{d}");
        assert!(d.ends_with(" L30,90"), "{d}");
        assert_eq!(curve(&pts[..2]), "M0,0 L0,60");
    }
}
