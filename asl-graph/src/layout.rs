//! Where each node, edge and cluster of a [`Graph`] is drawn: sizes from the text each node
//! shows, positions from [dagre](https://docs.rs/dagre) (a layered, Sugiyama-style layout
//! with compound nodes, ported from dagre.js), then edge ends moved onto the shapes' outlines.
//!
//! Everything is in pixels, from the top-left corner of the drawing, rounded to tenths so
//! that the same graph always gives the same numbers.

use std::collections::HashMap;

use dagre::graph::{Graph as DagreGraph, GraphOptions};
use dagre::{EdgeLabel, LayoutOptions, NodeLabel, RankDir};
use serde::{Deserialize, Serialize};

use crate::model::{EdgeKind, Graph, Node, NodeKind};
use crate::text::{width, wrap};

/// Font size of a state's name.
pub const NAME_SIZE: f64 = 13.0;
/// Font size of a node's caption and of edge and cluster labels.
pub const SMALL_SIZE: f64 = 11.0;
/// Line height of a state's name.
pub const NAME_LINE: f64 = 16.0;
/// Line height of captions and labels.
pub const SMALL_LINE: f64 = 14.0;
/// Height of the band at the top of a cluster that holds its title.
pub const CLUSTER_TITLE: f64 = 22.0;

/// Widest a state's name is drawn before it wraps (at spaces).
const NAME_WRAP: f64 = 200.0;
/// Widest an edge label is drawn before it wraps.
const LABEL_WRAP: f64 = 320.0;
/// Space around the text inside a node.
const PAD_X: f64 = 14.0;
const PAD_Y: f64 = 9.0;
/// Space around the whole drawing.
const MARGIN: f64 = 16.0;

/// A laid-out graph.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Layout {
    /// Width of the drawing.
    pub width: f64,
    /// Height of the drawing.
    pub height: f64,
    /// One box per node of the graph, in the graph's order.
    pub nodes: Vec<NodeBox>,
    /// One path per edge of the graph, in the graph's order.
    pub edges: Vec<EdgePath>,
    /// One box per cluster of the graph, in the graph's order.
    pub clusters: Vec<ClusterBox>,
}

/// Where a node is drawn, and the text it shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NodeBox {
    /// The node's id.
    pub id: String,
    /// Left edge of the node's bounding box.
    pub x: f64,
    /// Top edge of the node's bounding box.
    pub y: f64,
    /// Width of the bounding box.
    pub width: f64,
    /// Height of the bounding box.
    pub height: f64,
    /// The label as drawn: one entry per line.
    pub lines: Vec<String>,
    /// The caption line under the label (empty for the markers).
    pub caption: String,
}

impl NodeBox {
    /// The centre of the box.
    pub fn center(&self) -> Point {
        Point { x: self.x + self.width / 2.0, y: self.y + self.height / 2.0 }
    }
}

/// A point.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Point {
    /// From the left.
    pub x: f64,
    /// From the top.
    pub y: f64,
}

/// Where an edge is drawn.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EdgePath {
    /// The edge's source node id.
    pub from: String,
    /// The edge's target node id.
    pub to: String,
    /// The points the edge passes through, from its source's outline to its target's.
    pub points: Vec<Point>,
    /// Where its label is drawn, when it has one.
    pub label: Option<LabelBox>,
}

/// Where an edge's label is drawn.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LabelBox {
    /// Left edge.
    pub x: f64,
    /// Top edge.
    pub y: f64,
    /// Width.
    pub width: f64,
    /// Height.
    pub height: f64,
    /// The label as drawn: one entry per line.
    pub lines: Vec<String>,
}

/// Where a cluster is drawn.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClusterBox {
    /// The cluster's id.
    pub id: String,
    /// Left edge.
    pub x: f64,
    /// Top edge (its title is drawn in the band of [`CLUSTER_TITLE`] under it).
    pub y: f64,
    /// Width.
    pub width: f64,
    /// Height.
    pub height: f64,
}

/// The outline a node kind is drawn with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// A rectangle with rounded corners (Task).
    Rounded,
    /// A rectangle (Pass).
    Rect,
    /// A diamond (Choice).
    Diamond,
    /// A hexagon pointed left and right (Wait).
    Hexagon,
    /// A rectangle with semicircular ends (Succeed).
    Stadium,
    /// An octagon, a stop sign (Fail).
    Octagon,
    /// A rectangle with a bar inside each side (Parallel).
    Subroutine,
    /// A parallelogram (Map; doubled for a distributed Map).
    Parallelogram,
    /// A circle (start, join).
    Circle,
    /// Two concentric circles (end).
    DoubleCircle,
}

impl Shape {
    /// The outline of `kind`.
    pub fn of(kind: NodeKind) -> Shape {
        match kind {
            NodeKind::Task => Shape::Rounded,
            NodeKind::Pass => Shape::Rect,
            NodeKind::Choice => Shape::Diamond,
            NodeKind::Wait => Shape::Hexagon,
            NodeKind::Succeed => Shape::Stadium,
            NodeKind::Fail => Shape::Octagon,
            NodeKind::Parallel => Shape::Subroutine,
            NodeKind::Map | NodeKind::DistributedMap => Shape::Parallelogram,
            NodeKind::Start | NodeKind::Join => Shape::Circle,
            NodeKind::End => Shape::DoubleCircle,
        }
    }

    /// How far a hexagon's points or a parallelogram's slant reach in from the bounding box.
    pub fn inset(self, width: f64, height: f64) -> f64 {
        match self {
            Shape::Hexagon => (height * 0.35).min(width / 4.0),
            Shape::Parallelogram => (height * 0.3).min(width / 4.0),
            Shape::Octagon => (height * 0.25).min(width / 4.0),
            _ => 0.0,
        }
    }

    /// The outline as a polygon, for the shapes that are one (clockwise from the top left).
    pub fn polygon(self, x: f64, y: f64, w: f64, h: f64) -> Option<Vec<Point>> {
        let p = |x, y| Point { x, y };
        let i = self.inset(w, h);
        Some(match self {
            Shape::Diamond => vec![p(x + w / 2.0, y), p(x + w, y + h / 2.0), p(x + w / 2.0, y + h), p(x, y + h / 2.0)],
            Shape::Hexagon => vec![
                p(x + i, y),
                p(x + w - i, y),
                p(x + w, y + h / 2.0),
                p(x + w - i, y + h),
                p(x + i, y + h),
                p(x, y + h / 2.0),
            ],
            Shape::Octagon => vec![
                p(x + i, y),
                p(x + w - i, y),
                p(x + w, y + i),
                p(x + w, y + h - i),
                p(x + w - i, y + h),
                p(x + i, y + h),
                p(x, y + h - i),
                p(x, y + i),
            ],
            Shape::Parallelogram => vec![p(x + i, y), p(x + w, y), p(x + w - i, y + h), p(x, y + h)],
            _ => return None,
        })
    }
}

/// The text a node shows and the size of its bounding box.
fn measure(node: &Node) -> (Vec<String>, String, f64, f64) {
    let shape = Shape::of(node.kind);
    let caption = node.caption();
    match node.kind {
        NodeKind::Join => return (Vec::new(), caption, 14.0, 14.0),
        NodeKind::Start | NodeKind::End => {
            let d = (width(&node.label, SMALL_SIZE, false) + 14.0).max(40.0);
            let d = if node.kind == NodeKind::End { d + 8.0 } else { d };
            return (vec![node.label.clone()], caption, d, d);
        }
        _ => {}
    }
    let lines = wrap(&node.label, NAME_WRAP, NAME_SIZE, true);
    let text_w = lines
        .iter()
        .map(|l| width(l, NAME_SIZE, true))
        .chain(std::iter::once(width(&caption, SMALL_SIZE, false)))
        .fold(0.0, f64::max);
    let text_h = lines.len() as f64 * NAME_LINE + if caption.is_empty() { 0.0 } else { SMALL_LINE };
    let (mut w, mut h) = (text_w + 2.0 * PAD_X, text_h + 2.0 * PAD_Y);
    match shape {
        Shape::Diamond => {
            // The text's box fits in a diamond three times its height and half again its width.
            w = 1.5 * text_w + 2.0 * PAD_X;
            h = 3.0 * text_h;
        }
        Shape::Hexagon | Shape::Parallelogram | Shape::Octagon => w += 2.0 * shape.inset(w, h),
        Shape::Stadium => w += h / 2.0,
        Shape::Subroutine => w += 12.0,
        _ => {}
    }
    (lines, caption, w.max(96.0), h)
}

/// The size of an edge label's box and its lines.
fn measure_label(label: &str) -> (Vec<String>, f64, f64) {
    let lines = wrap(label, LABEL_WRAP, SMALL_SIZE, false);
    let w = lines.iter().map(|l| width(l, SMALL_SIZE, false)).fold(0.0, f64::max) + 8.0;
    let h = lines.len() as f64 * SMALL_LINE + 4.0;
    (lines, w, h)
}

/// Lays `graph` out from top to bottom.
pub fn layout(graph: &Graph) -> Layout {
    let mut g: DagreGraph<NodeLabel, EdgeLabel> =
        DagreGraph::with_options(GraphOptions { directed: true, multigraph: true, compound: true });
    let node_index: HashMap<&str, usize> = graph.nodes.iter().enumerate().map(|(i, n)| (n.id.as_str(), i)).collect();
    let cluster_index: HashMap<&str, usize> =
        graph.clusters.iter().enumerate().map(|(i, c)| (c.id.as_str(), i)).collect();
    // dagre's ids are the positions in the model, so no name can clash with its own.
    let node_key = |i: usize| format!("n{i}");
    let cluster_key = |i: usize| format!("c{i}");

    for (i, cluster) in graph.clusters.iter().enumerate() {
        // A cluster's title band: an invisible first node ranked above its contents would
        // move edges; instead the cluster gets top padding through its border nodes, which
        // dagre sizes from `padding_y`.
        let label = NodeLabel { padding_y: Some(CLUSTER_TITLE), ..NodeLabel::default() };
        g.set_node(cluster_key(i), Some(label));
        if let Some(parent) = cluster.parent.as_deref().and_then(|p| cluster_index.get(p)) {
            g.set_parent(&cluster_key(i), Some(&cluster_key(*parent)));
        }
    }
    let mut texts = Vec::with_capacity(graph.nodes.len());
    for (i, node) in graph.nodes.iter().enumerate() {
        let (lines, caption, w, h) = measure(node);
        texts.push((lines, caption));
        g.set_node(node_key(i), Some(NodeLabel { width: w, height: h, ..NodeLabel::default() }));
        if let Some(cluster) = node.cluster.as_deref().and_then(|c| cluster_index.get(c)) {
            g.set_parent(&node_key(i), Some(&cluster_key(*cluster)));
        }
    }
    let mut label_lines = Vec::with_capacity(graph.edges.len());
    for (i, edge) in graph.edges.iter().enumerate() {
        let (Some(&from), Some(&to)) = (node_index.get(edge.from.as_str()), node_index.get(edge.to.as_str())) else {
            label_lines.push(Vec::new());
            continue;
        };
        let mut label = EdgeLabel {
            labelpos: dagre::layout::types::LabelPos::Center,
            // Keep the main path straight: transitions weigh more than catches.
            weight: if edge.kind == EdgeKind::Catch { 1 } else { 2 },
            ..EdgeLabel::default()
        };
        match &edge.label {
            Some(text) => {
                let (lines, w, h) = measure_label(text);
                label.width = w;
                label.height = h;
                label_lines.push(lines);
            }
            None => label_lines.push(Vec::new()),
        }
        g.set_edge(node_key(from), node_key(to), Some(label), Some(&format!("e{i}")));
    }

    dagre::layout(
        &mut g,
        Some(LayoutOptions {
            rankdir: RankDir::TB,
            nodesep: 28.0,
            edgesep: 14.0,
            ranksep: 36.0,
            marginx: MARGIN,
            marginy: MARGIN,
            // Of layerings that cross as little, keep the first found (dagre.js 0.8.5's
            // choice, which Mermaid uses): it keeps siblings in source order more often.
            tie_keep_first: true,
            ..LayoutOptions::default()
        }),
    );

    let mut out = Layout::default();
    for (i, (node, (lines, caption))) in graph.nodes.iter().zip(texts).enumerate() {
        let label = g.node(&node_key(i));
        let (w, h) = label.map_or((0.0, 0.0), |l| (l.width, l.height));
        let (cx, cy) = label.map_or((0.0, 0.0), |l| (l.x.unwrap_or(0.0), l.y.unwrap_or(0.0)));
        out.nodes.push(NodeBox {
            id: node.id.clone(),
            x: round(cx - w / 2.0),
            y: round(cy - h / 2.0),
            width: round(w),
            height: round(h),
            lines,
            caption,
        });
    }
    for (i, cluster) in graph.clusters.iter().enumerate() {
        let label = g.node(&cluster_key(i));
        let (w, h) = label.map_or((0.0, 0.0), |l| (l.width, l.height));
        let (cx, cy) = label.map_or((0.0, 0.0), |l| (l.x.unwrap_or(0.0), l.y.unwrap_or(0.0)));
        out.clusters.push(ClusterBox {
            id: cluster.id.clone(),
            x: round(cx - w / 2.0),
            y: round(cy - h / 2.0),
            width: round(w),
            height: round(h),
        });
    }
    // The edges as dagre routed them, then straightened where nothing is in the way.
    let mut routes: Vec<(Vec<Point>, Option<LabelBox>)> = Vec::with_capacity(graph.edges.len());
    for (i, (edge, lines)) in graph.edges.iter().zip(label_lines).enumerate() {
        let found = node_index
            .get(edge.from.as_str())
            .zip(node_index.get(edge.to.as_str()))
            .and_then(|(from, to)| g.edge(&node_key(*from), &node_key(*to), Some(&format!("e{i}"))));
        let points: Vec<Point> =
            found.map(|l| l.points.iter().map(|p| Point { x: p.x, y: p.y }).collect()).unwrap_or_default();
        let label = found.filter(|_| !lines.is_empty()).map(|l| {
            let (cx, cy) = (l.x.unwrap_or(0.0), l.y.unwrap_or(0.0));
            LabelBox {
                x: round(cx - l.width / 2.0),
                y: round(cy - l.height / 2.0),
                width: round(l.width),
                height: round(l.height),
                lines: lines.clone(),
            }
        });
        routes.push((points, label));
    }
    let parents: HashMap<&str, &str> =
        graph.clusters.iter().filter_map(|c| Some((c.id.as_str(), c.parent.as_deref()?))).collect();
    let ancestors = |node: usize| {
        let mut chain = Vec::new();
        let mut at = graph.nodes[node].cluster.as_deref();
        while let Some(cluster) = at {
            if chain.contains(&cluster) {
                break;
            }
            chain.push(cluster);
            at = parents.get(cluster).copied();
        }
        chain
    };
    for (i, edge) in graph.edges.iter().enumerate() {
        let (Some(&from), Some(&to)) = (node_index.get(edge.from.as_str()), node_index.get(edge.to.as_str())) else {
            continue;
        };
        if from != to && routes[i].0.len() > 2 {
            let mut around = ancestors(from);
            around.extend(ancestors(to));
            let mut obstacles: Vec<Rect> = Vec::new();
            for (k, area) in out.nodes.iter().enumerate() {
                if k != from && k != to {
                    obstacles.push(Rect::of(area.x, area.y, area.width, area.height));
                }
            }
            for (cluster, area) in graph.clusters.iter().zip(&out.clusters) {
                if !around.contains(&cluster.id.as_str()) {
                    obstacles.push(Rect::of(area.x, area.y, area.width, area.height));
                }
            }
            for (k, (_, label)) in routes.iter().enumerate() {
                if let (true, Some(l)) = (k != i, label) {
                    obstacles.push(Rect::of(l.x, l.y, l.width, l.height));
                }
            }
            let pinned = routes[i].1.as_ref().map(|l| Point { x: l.x + l.width / 2.0, y: l.y + l.height / 2.0 });
            let points = &mut routes[i].0;
            let last = points.len() - 1;
            points[0] = out.nodes[from].center();
            points[last] = out.nodes[to].center();
            straighten(points, pinned, &obstacles);
        }
        let points = &mut routes[i].0;
        clip_ends(points, &out.nodes[from], graph.nodes[from].kind, &out.nodes[to], graph.nodes[to].kind);
    }
    for (edge, (points, label)) in graph.edges.iter().zip(routes) {
        out.edges.push(EdgePath {
            from: edge.from.clone(),
            to: edge.to.clone(),
            points: points.into_iter().map(|p| Point { x: round(p.x), y: round(p.y) }).collect(),
            label,
        });
    }
    let right = out
        .nodes
        .iter()
        .map(|n| n.x + n.width)
        .chain(out.clusters.iter().map(|c| c.x + c.width))
        .chain(out.edges.iter().flat_map(|e| e.points.iter().map(|p| p.x)))
        .chain(out.edges.iter().filter_map(|e| e.label.as_ref()).map(|l| l.x + l.width))
        .fold(0.0, f64::max);
    let bottom = out
        .nodes
        .iter()
        .map(|n| n.y + n.height)
        .chain(out.clusters.iter().map(|c| c.y + c.height))
        .chain(out.edges.iter().flat_map(|e| e.points.iter().map(|p| p.y)))
        .chain(out.edges.iter().filter_map(|e| e.label.as_ref()).map(|l| l.y + l.height))
        .fold(0.0, f64::max);
    out.width = round(right + MARGIN);
    out.height = round(bottom + MARGIN);
    out
}

/// Room kept between a straightened edge and what it passes.
const CLEARANCE: f64 = 6.0;

/// An axis-aligned rectangle an edge must not cross.
#[derive(Clone, Copy, Debug)]
struct Rect {
    left: f64,
    top: f64,
    right: f64,
    bottom: f64,
}

impl Rect {
    fn of(x: f64, y: f64, w: f64, h: f64) -> Rect {
        Rect { left: x - CLEARANCE, top: y - CLEARANCE, right: x + w + CLEARANCE, bottom: y + h + CLEARANCE }
    }

    /// Whether the segment `a`–`b` passes through the rectangle (Liang–Barsky clipping).
    fn crossed_by(&self, a: Point, b: Point) -> bool {
        let (dx, dy) = (b.x - a.x, b.y - a.y);
        let (mut t0, mut t1) = (0.0_f64, 1.0_f64);
        for (p, q) in [(-dx, a.x - self.left), (dx, self.right - a.x), (-dy, a.y - self.top), (dy, self.bottom - a.y)] {
            if p.abs() < 1e-12 {
                if q < 0.0 {
                    return false;
                }
            } else {
                let t = q / p;
                if p < 0.0 {
                    t0 = t0.max(t);
                } else {
                    t1 = t1.min(t);
                }
                if t0 > t1 {
                    return false;
                }
            }
        }
        t1 - t0 > 1e-9
    }
}

/// Drops the bends of `points` (whose ends are its nodes' centres) that a straight line can
/// skip without crossing an obstacle; `pinned` (where the edge's label is) stays. dagre
/// routes an edge that leaves a cluster around the cluster's side, for the rank of its
/// bottom border; this takes such detours out.
fn straighten(points: &mut Vec<Point>, pinned: Option<Point>, obstacles: &[Rect]) {
    let is_pinned = |p: Point| pinned.is_some_and(|q| (p.x - q.x).abs() < 0.06 && (p.y - q.y).abs() < 0.06);
    let mut i = 1;
    while i + 1 < points.len() {
        let (before, after) = (points[i - 1], points[i + 1]);
        if !is_pinned(points[i]) && !obstacles.iter().any(|r| r.crossed_by(before, after)) {
            points.remove(i);
        } else {
            i += 1;
        }
    }
}

/// Rounds to tenths (and turns `-0` into `0`).
fn round(v: f64) -> f64 {
    if !v.is_finite() {
        return 0.0;
    }
    let r = (v * 10.0).round() / 10.0;
    if r == 0.0 { 0.0 } else { r }
}

/// Moves an edge's first and last points from its nodes' bounding boxes (where dagre puts
/// them) onto their outlines, so arrows touch diamonds, circles and slanted sides.
fn clip_ends(points: &mut [Point], from: &NodeBox, from_kind: NodeKind, to: &NodeBox, to_kind: NodeKind) {
    let n = points.len();
    if n < 2 {
        return;
    }
    let toward = points[1];
    points[0] = outline_point(from, Shape::of(from_kind), toward);
    let toward = points[n - 2];
    points[n - 1] = outline_point(to, Shape::of(to_kind), toward);
}

/// Where the segment from `node`'s centre towards `toward` leaves its outline.
fn outline_point(node: &NodeBox, shape: Shape, toward: Point) -> Point {
    let c = node.center();
    let (dx, dy) = (toward.x - c.x, toward.y - c.y);
    let len = (dx * dx + dy * dy).sqrt();
    if len < 1e-9 {
        return c;
    }
    match shape {
        Shape::Circle | Shape::DoubleCircle => {
            let r = node.width.min(node.height) / 2.0;
            Point { x: c.x + dx / len * r, y: c.y + dy / len * r }
        }
        _ => {
            let polygon = shape.polygon(node.x, node.y, node.width, node.height).unwrap_or_else(|| {
                let (x, y, w, h) = (node.x, node.y, node.width, node.height);
                vec![Point { x, y }, Point { x: x + w, y }, Point { x: x + w, y: y + h }, Point { x, y: y + h }]
            });
            // The nearest crossing of the ray from the centre with the polygon's sides.
            let mut best: Option<f64> = None;
            for k in 0..polygon.len() {
                let (a, b) = (polygon[k], polygon[(k + 1) % polygon.len()]);
                if let Some(t) = ray_hits(c, Point { x: dx, y: dy }, a, b) {
                    best = Some(best.map_or(t, |bt: f64| bt.min(t)));
                }
            }
            match best {
                Some(t) if t <= 1.0 => Point { x: c.x + dx * t, y: c.y + dy * t },
                // `toward` is inside the node (edges between overlapping boxes): leave it.
                _ => toward,
            }
        }
    }
}

/// The parameter `t >= 0` at which the ray `origin + t·dir` crosses segment `a`–`b`.
fn ray_hits(origin: Point, dir: Point, a: Point, b: Point) -> Option<f64> {
    let (ex, ey) = (b.x - a.x, b.y - a.y);
    let denom = dir.x * ey - dir.y * ex;
    if denom.abs() < 1e-12 {
        return None;
    }
    let (ox, oy) = (a.x - origin.x, a.y - origin.y);
    let t = (ox * ey - oy * ex) / denom;
    let u = (ox * dir.y - oy * dir.x) / denom;
    (t >= 0.0 && (-1e-9..=1.0 + 1e-9).contains(&u)).then_some(t)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // failing loudly is a test's job
mod tests {
    use super::*;

    #[test]
    fn rays_meet_outlines() {
        let node = NodeBox {
            id: "d".into(),
            x: 0.0,
            y: 0.0,
            width: 100.0,
            height: 50.0,
            lines: vec![],
            caption: String::new(),
        };
        // Straight down from a diamond's centre: its bottom point.
        let p = outline_point(&node, Shape::Diamond, Point { x: 50.0, y: 200.0 });
        assert!((p.x - 50.0).abs() < 1e-9 && (p.y - 50.0).abs() < 1e-9, "{p:?}");
        // Diagonally: on the side, not the box's corner.
        let p = outline_point(&node, Shape::Diamond, Point { x: 150.0, y: 75.0 });
        assert!((p.x - 75.0).abs() < 1e-9 && (p.y - 37.5).abs() < 1e-9, "{p:?}");
        let p = outline_point(&node, Shape::Circle, Point { x: 50.0, y: -100.0 });
        assert!((p.y - 0.0).abs() < 1e-9, "{p:?}");
        let p = outline_point(&node, Shape::Rounded, Point { x: 300.0, y: 25.0 });
        assert!((p.x - 100.0).abs() < 1e-9, "{p:?}");
    }

    #[test]
    fn detours_are_straightened() {
        let p = |x, y| Point { x, y };
        // A detour to the right around nothing collapses to the straight line.
        let mut points = vec![p(0.0, 0.0), p(300.0, 50.0), p(0.0, 100.0)];
        straighten(&mut points, None, &[]);
        assert_eq!(points, [p(0.0, 0.0), p(0.0, 100.0)]);
        // Around an obstacle in the way, the bend stays; a label's point always does.
        let mut points = vec![p(0.0, 0.0), p(300.0, 50.0), p(0.0, 100.0)];
        straighten(&mut points, None, &[Rect::of(-20.0, 40.0, 40.0, 20.0)]);
        assert_eq!(points.len(), 3);
        let mut points = vec![p(0.0, 0.0), p(300.0, 50.0), p(0.0, 100.0)];
        straighten(&mut points, Some(p(300.0, 50.0)), &[]);
        assert_eq!(points.len(), 3);
    }

    #[test]
    fn segments_and_rectangles() {
        let r = Rect { left: 0.0, top: 0.0, right: 10.0, bottom: 10.0 };
        let p = |x, y| Point { x, y };
        assert!(r.crossed_by(p(-5.0, 5.0), p(15.0, 5.0)));
        assert!(r.crossed_by(p(5.0, 5.0), p(50.0, 50.0)));
        assert!(!r.crossed_by(p(-5.0, -5.0), p(-5.0, 15.0)));
        assert!(!r.crossed_by(p(11.0, -5.0), p(30.0, 5.0)));
    }

    #[test]
    fn rounding_is_stable() {
        assert_eq!(round(12.34999), 12.3);
        assert_eq!(round(-0.01), 0.0);
        assert_eq!(round(f64::NAN), 0.0);
        assert_eq!(format!("{}", round(0.1 + 0.2)), "0.3");
    }
}
