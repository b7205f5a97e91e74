//! A Distributed Map's child inputs when it reads its items from an `ItemReader` (a few at
//! a time, never the whole dataset: see [`items`](crate::execution::items)) or batches
//! them with an `ItemBatcher`.
//!
//! Each item goes through the Map's `ItemSelector` (with `$$.Map.Item`) first; with a
//! batcher, the selected items are then gathered into child inputs of AWS's shape,
//! `{"BatchInput": …, "Items": […]}` (`BatchInput` only when the batcher has one;
//! Developer Guide, "ItemBatcher (Map)").

use std::collections::VecDeque;

use serde_json::{Map, Value};

use crate::context::ExecutionInfo;
use crate::error::Error;
use crate::execution::effects::{ItemsRequest, Request};
use crate::execution::fields;
use crate::execution::flow::DataFlow;
use crate::execution::state::{Batching, Feed, FramePath, MapWork, ReaderWork};
use crate::execution::turn::Turn;
use crate::jsonata;
use crate::machine::{DistributedDef, MapDef, ReaderDef, StateDef, StateKind};
use crate::path::Scope;

/// The most items one read asks the source for: enough to start many children at once,
/// few enough that a Map over millions of rows holds only a window of them.
const READ_AT_MOST: usize = 1000;

/// How many child executions a Distributed Map runs at once when its `MaxConcurrency` is
/// 0 or absent (Developer Guide, "Step Functions service quotas": 10,000).
pub(in crate::execution) const MAX_CHILDREN: usize = 10_000;

/// The feed of a Distributed Map whose `ItemReader` or `ItemBatcher` needs one, built over
/// the Map's effective `input` when its attempt starts; `None` for any other Map.
///
/// # Errors
///
/// What evaluating the reader's parameters and configuration, or the batcher's limits and
/// `BatchInput`, fails with.
pub(in crate::execution) fn start<'f>(
    flow: &mut impl DataFlow<'f>,
    def: &MapDef,
    input: &Value,
    scope: &Scope<'_>,
    js: &jsonata::Scope<'_>,
    turn: &mut Turn<'_>,
) -> Result<Option<Box<Feed>>, Error> {
    let Some(distributed) = def.distributed.filter(|d| d.reader.is_some() || d.batcher.is_some()) else {
        return Ok(None);
    };
    let reader = match distributed.reader {
        Some(reader) => Some(reader_work(flow, reader, input, scope, js, turn)?),
        None => None,
    };
    let batcher = match distributed.batcher {
        Some(batcher) => {
            let limit = |amount: Option<crate::machine::Amount>, field| {
                amount.map(|a| fields::amount(a, scope, js, field)).transpose()
            };
            let max_items = limit(batcher.max_items, "MaxItemsPerBatch")?;
            let max_bytes = limit(batcher.max_bytes, "MaxInputBytesPerBatch")?;
            let batch_input = match batcher.batch_input {
                Some(template) => Some(flow.payload(template, input, "BatchInput")?),
                None => None,
            };
            let mut batching = Batching { max_items, max_bytes, batch_input, items: Vec::new(), bytes: 0 };
            batching.bytes = envelope_bytes(&batching);
            Some(batching)
        }
        None => None,
    };
    Ok(Some(Box::new(Feed { input: input.clone(), reader, batcher, next_item: 0 })))
}

/// The reader's parameters and configuration, evaluated, and a new source id.
fn reader_work<'f>(
    flow: &mut impl DataFlow<'f>,
    reader: &ReaderDef,
    input: &Value,
    scope: &Scope<'_>,
    js: &jsonata::Scope<'_>,
    turn: &mut Turn<'_>,
) -> Result<ReaderWork, Error> {
    let parameters = match reader.parameters {
        Some(template) => flow.payload(template, input, "ItemReader")?,
        None => Value::Object(Map::new()),
    };
    let mut config = match reader.config {
        Some(template) => flow.payload(template, input, "ReaderConfig")?,
        None => Value::Object(Map::new()),
    };
    if let (Some(amount), Value::Object(config)) = (reader.max_items, &mut config) {
        let max_items = fields::amount(amount, scope, js, "MaxItems")?;
        config.insert("MaxItems".to_owned(), Value::from(max_items));
    }
    Ok(ReaderWork {
        source: turn.wait_id(),
        parameters,
        config,
        taken: 0,
        pulling: None,
        arrived: None,
        exhausted: false,
        stopped: false,
    })
}

impl Feed {
    /// Turns `items` into child inputs at the back of `waiting`: each through `selector`
    /// (the Map's `ItemSelector`), then into batches. With `last`, the items are over: a
    /// batch that is not full goes too.
    ///
    /// # Errors
    ///
    /// What the `ItemSelector` fails with.
    pub(in crate::execution) fn take<'f>(
        &mut self,
        flow: &mut impl DataFlow<'f>,
        info: &ExecutionInfo,
        def: &MapDef,
        items: impl IntoIterator<Item = Value>,
        waiting: &mut VecDeque<Value>,
        last: bool,
    ) -> Result<(), Error> {
        for item in items {
            let index = self.next_item;
            self.next_item += 1;
            let selected = match def.item_selector {
                Some(selector) => flow.item_input(info, selector, &self.input, (index, &item))?,
                None => item,
            };
            match &mut self.batcher {
                Some(batching) => batching.add(selected, waiting),
                None => waiting.push_back(selected),
            }
        }
        if let (true, Some(batching)) = (last, &mut self.batcher) {
            batching.flush(waiting);
        }
        Ok(())
    }

    /// Whether items may still come from the reader (or have come and wait to be taken).
    pub(in crate::execution) fn reading(&self) -> bool {
        self.reader.as_ref().is_some_and(|r| !r.exhausted || r.arrived.is_some())
    }
}

impl Batching {
    /// Adds `item` to the batch being filled; a batch that is full goes to `waiting`.
    fn add(&mut self, item: Value, waiting: &mut VecDeque<Value>) {
        let item_bytes = self.max_bytes.map_or(0, |_| json_len(&item) + 1);
        // An item that would take the batch past its size starts the next one (alone in
        // a batch, an item goes whatever its size: the child's input limit judges it).
        if !self.items.is_empty() && self.max_bytes.is_some_and(|max| self.bytes + item_bytes > max) {
            self.flush(waiting);
        }
        self.items.push(item);
        self.bytes += item_bytes;
        if self.max_items.is_some_and(|max| self.items.len() as u64 >= max) {
            self.flush(waiting);
        }
    }

    /// Sends the batch being filled, if it has items, to `waiting`.
    fn flush(&mut self, waiting: &mut VecDeque<Value>) {
        if self.items.is_empty() {
            return;
        }
        let mut batch = Map::new();
        if let Some(batch_input) = &self.batch_input {
            batch.insert("BatchInput".to_owned(), batch_input.clone());
        }
        batch.insert("Items".to_owned(), Value::Array(std::mem::take(&mut self.items)));
        waiting.push_back(Value::Object(batch));
        self.bytes = envelope_bytes(self);
    }
}

/// The size of an empty batch as JSON text: `{"BatchInput":…,"Items":[]}`.
fn envelope_bytes(batching: &Batching) -> u64 {
    let items = r#"{"Items":[]}"#.len() as u64;
    match (&batching.batch_input, batching.max_bytes) {
        (Some(batch_input), Some(_)) => items + r#""BatchInput":,"#.len() as u64 + json_len(batch_input),
        _ => items,
    }
}

/// The length of `value` as compact JSON text.
fn json_len(value: &Value) -> u64 {
    struct Count(u64);
    impl std::io::Write for Count {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0 += bytes.len() as u64;
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    // Writing to a counter cannot fail.
    let _ = serde_json::to_writer(&mut count, value);
    count.0
}

/// Asks for the next items of `map`'s reader, if it has one that is not being read, may
/// have more, and the Map has room for more children. `path` is the Map state's frame.
pub(in crate::execution) fn read_more(
    turn: &mut Turn<'_>,
    map: &mut MapWork,
    state: &'static StateDef,
    path: FramePath,
) {
    let room = map.limit.saturating_sub(map.running + map.waiting.len());
    let Some(feed) = map.feed.as_deref_mut() else { return };
    let per_child = feed
        .batcher
        .as_ref()
        .map_or(1, |b| b.max_items.map_or(READ_AT_MOST, |n| usize::try_from(n).unwrap_or(READ_AT_MOST)));
    let Some(reader) = feed.reader.as_mut() else { return };
    if room == 0 || reader.exhausted || reader.pulling.is_some() || reader.arrived.is_some() {
        return;
    }
    let resource = match &state.kind {
        StateKind::Map(MapDef { distributed: Some(DistributedDef { reader: Some(def), .. }), .. }) => def.resource,
        _ => "",
    };
    let id = turn.wait_id();
    reader.pulling = Some(id);
    let read = ItemsRequest {
        id,
        path,
        source: reader.source,
        state: state.name,
        resource,
        parameters: reader.parameters.clone(),
        config: reader.config.clone(),
        skip: reader.taken,
        max: room.saturating_mul(per_child).clamp(1, READ_AT_MOST),
    };
    turn.fx.requests.push(Request::Items(Box::new(read)));
}

/// Asks again for the read a restored `map` was waiting for (its source is opened again,
/// after the items it had handed out).
pub(in crate::execution) fn reissue(
    turn: &mut Turn<'_>,
    map: &mut MapWork,
    state: &'static StateDef,
    path: &FramePath,
) {
    let Some(reader) = map.feed.as_deref_mut().and_then(|feed| feed.reader.as_mut()) else { return };
    if reader.pulling.take().is_some() {
        read_more(turn, map, state, path.clone());
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn batching(max_items: Option<u64>, max_bytes: Option<u64>, batch_input: Option<Value>) -> Batching {
        let mut batching = Batching { max_items, max_bytes, batch_input, items: Vec::new(), bytes: 0 };
        batching.bytes = envelope_bytes(&batching);
        batching
    }

    fn batch(batching: &mut Batching, items: &[Value]) -> Vec<Value> {
        let mut waiting = VecDeque::new();
        for item in items {
            batching.add(item.clone(), &mut waiting);
        }
        batching.flush(&mut waiting);
        waiting.into()
    }

    #[test]
    fn batches_by_count_with_the_rest_last() {
        let items: Vec<Value> = (1..=7).map(Value::from).collect();
        let batches = batch(&mut batching(Some(3), None, None), &items);
        assert_eq!(batches, [json!({"Items": [1, 2, 3]}), json!({"Items": [4, 5, 6]}), json!({"Items": [7]})]);
    }

    #[test]
    fn batch_input_comes_first_in_every_batch() {
        let items = [json!("a"), json!("b"), json!("c")];
        let batches = batch(&mut batching(Some(2), None, Some(json!({"run": 1}))), &items);
        assert_eq!(
            batches,
            [json!({"BatchInput": {"run": 1}, "Items": ["a", "b"]}), json!({"BatchInput": {"run": 1}, "Items": ["c"]})]
        );
        assert_eq!(
            serde_json::to_string(&batches[0]).ok().as_deref(),
            Some(r#"{"BatchInput":{"run":1},"Items":["a","b"]}"#)
        );
    }

    #[test]
    fn batches_by_size_never_exceed_it_as_json_text() {
        let items: Vec<Value> = (0..50).map(|i| json!({"id": i, "name": "x".repeat(i % 7)})).collect();
        let max = 120;
        let batches = batch(&mut batching(None, Some(max), Some(json!({"k": "v"}))), &items);
        let mut seen = 0;
        for batch in &batches {
            let text = serde_json::to_string(batch).unwrap_or_default();
            assert!(text.len() as u64 <= max, "{} bytes: {text}", text.len());
            seen += batch["Items"].as_array().map_or(0, Vec::len);
        }
        assert_eq!(seen, 50, "every item once");
        assert!(batches.len() > 5);
    }

    #[test]
    fn both_limits_apply() {
        let items: Vec<Value> = (0..10).map(|_| json!("0123456789")).collect();
        // Each item is 13 bytes with its comma; `{"Items":[]}` is 12.
        let batches = batch(&mut batching(Some(4), Some(12 + 3 * 13), None), &items);
        let sizes: Vec<usize> = batches.iter().map(|b| b["Items"].as_array().map_or(0, Vec::len)).collect();
        assert_eq!(sizes, [3, 3, 3, 1]);
    }

    #[test]
    fn an_item_larger_than_a_batch_goes_alone() {
        let items = [json!("small"), json!("x".repeat(500)), json!("small")];
        let batches = batch(&mut batching(None, Some(100), None), &items);
        assert_eq!(batches.len(), 3);
    }
}
