//! A Distributed Map's result when its results are not exported: one JSON array of the
//! children's entries, in the order given.

use serde_json::Value;

use crate::map_results::child::ChildResult;
use crate::map_results::config::WriterConfig;
use crate::map_results::entry::entries;

/// The Map state's result (before `ResultSelector`/`ResultPath`, or `Output`) when the
/// results stay in the state: without a `ResultWriter` (`config` `None`), or with a
/// `WriterConfig` alone.
///
/// Each child adds its entries under the config's transformation (`COMPACT` by default,
/// see [`WriterConfig::transformation_inline`]): its output, the elements of an array
/// output under `FLATTEN`, or its whole record under `NONE`. A child that did not succeed
/// adds its record whatever the transformation. `OutputType` does not apply: the result is
/// a JSON array either way.
pub fn inline_output(results: impl IntoIterator<Item = ChildResult>, config: Option<&WriterConfig>) -> Value {
    let transformation = WriterConfig::transformation_inline(config);
    let results = results.into_iter();
    let mut out = Vec::with_capacity(results.size_hint().0);
    for result in results {
        out.extend(entries(result, transformation));
    }
    Value::Array(out)
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::inline_output;
    use crate::map_results::config::{OutputType, Transformation, WriterConfig};
    use crate::map_results::entry::record;
    use crate::map_results::fixtures::{failed, first, last};

    fn orders(ids: &[(&str, &str)]) -> Value {
        Value::Array(ids.iter().map(|(c, o)| json!({"customer_id": c, "order_id": o})).collect())
    }

    /// The guide's `COMPACT` example: each child's array, as it is.
    #[test]
    fn compact_keeps_each_childs_array() {
        let expected = json!([
            orders(&[("145538", "100000"), ("898037", "100001")]),
            orders(&[("169881", "100005"), ("797471", "100006")])
        ]);
        assert_eq!(inline_output([first(), last()], None), expected);
        let compact = WriterConfig::new(Transformation::Compact, OutputType::Json);
        assert_eq!(inline_output([first(), last()], Some(&compact)), expected);
    }

    /// The guide's `FLATTEN` example: the batches' arrays as one.
    #[test]
    fn flatten_joins_the_batches() {
        let config = WriterConfig::new(Transformation::Flatten, OutputType::Json);
        let expected =
            orders(&[("145538", "100000"), ("898037", "100001"), ("169881", "100005"), ("797471", "100006")]);
        assert_eq!(inline_output([first(), last()], Some(&config)), expected);
        // OutputType does not change an inline result.
        let jsonl = WriterConfig::new(Transformation::Flatten, OutputType::Jsonl);
        assert_eq!(inline_output([first(), last()], Some(&jsonl)), expected);
    }

    /// The guide's `NONE` example: the records.
    #[test]
    fn none_gives_the_records() {
        let config = WriterConfig::new(Transformation::None, OutputType::Json);
        assert_eq!(inline_output([first(), last()], Some(&config)), json!([record(&first()), record(&last())]));
    }

    #[test]
    fn a_tolerated_failure_is_its_record_in_place() {
        let flatten = WriterConfig::new(Transformation::Flatten, OutputType::Json);
        let got = inline_output([first(), failed()], Some(&flatten));
        let mut expected = orders(&[("145538", "100000"), ("898037", "100001")]);
        if let Value::Array(items) = &mut expected {
            items.push(record(&failed()));
        }
        assert_eq!(got, expected);
        assert_eq!(inline_output([failed(), first()], None), json!([record(&failed()), first().output]));
    }

    #[test]
    fn no_children_give_an_empty_array() {
        assert_eq!(inline_output(Vec::new(), None), json!([]));
    }
}
