//! What a Distributed Map adds to a Map state: tolerated failures, and the `ItemReader`,
//! `ItemBatcher` and `ResultWriter` that read its items from S3, batch them and write its
//! results back.

use asl_machine::machine::{Amount, BatcherDef, DistributedDef, ReaderDef, WriterDef};
use asl_machine::template::Template;

use super::Lowerer;
use super::leak::{leak, leak_str};
use crate::ast::{self, NumberOrExpr, Spanned};
use crate::node::{Member, Node, NodeValue, pointer_push};

impl Lowerer {
    /// What a Distributed Map adds. An inline Map's `ToleratedFailure…` fields (which AWS
    /// accepts) mean nothing, so only a Distributed Map has them.
    pub(super) fn distributed(&mut self, s: &ast::State, jsonata: bool) -> &'static DistributedDef {
        leak(DistributedDef {
            label: s.label.as_ref().map(|l| leak_str(&l.value)),
            tolerated_failure_count: self
                .amount(s.tolerated_failure_count.as_ref(), s.tolerated_failure_count_path.as_ref()),
            tolerated_failure_percentage: self
                .fraction(s.tolerated_failure_percentage.as_ref(), s.tolerated_failure_percentage_path.as_ref()),
            reader: s.item_reader.as_ref().map(|node| self.reader(node, jsonata)),
            batcher: s.item_batcher.as_ref().map(|node| self.batcher(node, jsonata)),
            writer: s.result_writer.as_ref().map(|node| self.writer(node, jsonata)),
            express: s
                .item_processor
                .as_ref()
                .and_then(|processor| processor.value.processor_config.as_ref())
                .and_then(|config| config.value.execution_type.as_ref())
                .is_some_and(|execution_type| execution_type.value == "EXPRESS"),
        })
    }

    fn reader(&mut self, node: &Spanned<Node>, jsonata: bool) -> &'static ReaderDef {
        let config = node.value.get("ReaderConfig");
        let config_pointer = pointer_push(&node.pointer, "ReaderConfig");
        let max_items = config.and_then(|c| self.node_amount(&c.value, &config_pointer, "MaxItems"));
        // The format is read by the binding at run time; `MaxItems(Path)` is resolved here
        // first, like every other amount.
        let format = config.map(|c| {
            let kept: Vec<Member> = c
                .value
                .as_object()
                .unwrap_or_default()
                .iter()
                .filter(|m| !m.key.starts_with("MaxItems"))
                .cloned()
                .collect();
            Node { value: NodeValue::Object(kept), span: c.value.span }
        });
        leak(ReaderDef {
            resource: leak_str(node.value.get("Resource").and_then(|m| m.value.as_str()).unwrap_or_default()),
            parameters: self.payload(node, jsonata),
            config: format.map(|f| leak(self.template_node(&f, &config_pointer, jsonata))),
            max_items,
        })
    }

    fn batcher(&mut self, node: &Spanned<Node>, jsonata: bool) -> &'static BatcherDef {
        let batch_input = node.value.get("BatchInput").map(|m| {
            let pointer = pointer_push(&node.pointer, "BatchInput");
            leak(self.template_node(&m.value, &pointer, jsonata))
        });
        leak(BatcherDef {
            max_items: self.node_amount(&node.value, &node.pointer, "MaxItemsPerBatch"),
            max_bytes: self.node_amount(&node.value, &node.pointer, "MaxInputBytesPerBatch"),
            batch_input,
        })
    }

    fn writer(&mut self, node: &Spanned<Node>, jsonata: bool) -> &'static WriterDef {
        let config = node.value.get("WriterConfig").map(|m| {
            let pointer = pointer_push(&node.pointer, "WriterConfig");
            leak(self.template_node(&m.value, &pointer, jsonata))
        });
        leak(WriterDef {
            resource: node.value.get("Resource").and_then(|m| m.value.as_str()).map(leak_str),
            parameters: self.payload(node, jsonata),
            config,
        })
    }

    /// The `Parameters` (JSONPath) or `Arguments` (JSONata) of an `ItemReader` or
    /// `ResultWriter`.
    fn payload(&mut self, node: &Spanned<Node>, jsonata: bool) -> Option<&'static Template> {
        let field = if jsonata { "Arguments" } else { "Parameters" };
        let member = node.value.get(field)?;
        let pointer = pointer_push(&node.pointer, field);
        Some(leak(self.template_node(&member.value, &pointer, jsonata)))
    }

    /// The amount `field` of an object, given as `field`, `{field}Path` or a JSONata
    /// expression.
    fn node_amount(&mut self, object: &Node, pointer: &str, field: &str) -> Option<Amount> {
        let path_field = format!("{field}Path");
        let path = object.get(&path_field).and_then(|m| {
            let text = m.value.as_str()?.to_owned();
            Some(spanned(text, m, pointer_push(pointer, &path_field)))
        });
        let literal = object.get(field).and_then(|m| {
            let value = match &m.value.value {
                NodeValue::Number(n) => NumberOrExpr::Number(n.clone()),
                NodeValue::String(s) => NumberOrExpr::Expr(s.clone()),
                _ => return None,
            };
            Some(spanned(value, m, pointer_push(pointer, field)))
        });
        self.amount(literal.as_ref(), path.as_ref())
    }
}

/// `value`, standing where `member`'s value stands.
fn spanned<T>(value: T, member: &Member, pointer: String) -> Spanned<T> {
    Spanned { value, span: member.value.span, pointer, key_span: member.key_span }
}
