//! IR → tokens that construct the runtime's static description of a workflow
//! (`asl_runtime::machine::*`, `dataflow::Io`, `path::Path`, `template::Template`,
//! `intrinsics::Call`, `choice::Rule`, `retry::RetryPolicy`).
//!
//! Everything is emitted inline in one `static CONTAINERS` initializer: every runtime type
//! involved is const-constructible, and borrows of constant expressions inside a `static`
//! initializer live for `'static`, so nested data needs no names of its own (and adds none
//! to the user's module).
//!
//! What the runtime cannot run yet (a Distributed Map's
//! `ItemReader`, `ItemBatcher` and `ResultWriter`, …) is still emitted with neutral
//! placeholders, and recorded so
//! the generated module can say so in its `UNSUPPORTED` constant: the definition is valid,
//! so refusing to compile it would be wrong, but running it would silently misbehave.

mod choice;
mod data;

use std::collections::{HashMap, HashSet};

use proc_macro2::{Literal as Lit, TokenStream};
use quote::quote;

use crate::ast::QueryLanguage;
use crate::ir::{
    Catcher, ContainerId, Dynamic, FailText, Io, Machine, MapState, ProcessorMode, Recovery, ResourceKind, Retrier,
    State, StateKind, Template, Transition, WaitFor,
};
use crate::path::JsonPath;

/// Endings removed from a definition's file name to name the workflow, longest first
/// (the same list the `Builder` strips to name its output file).
const STRIPPED_SUFFIXES: &[&str] = &[".asl.json", ".asl.yaml", ".asl.yml", ".json", ".yaml", ".yml"];

/// The workflow's name: the definition's file name without its suffix
/// (`flows/order-flow.asl.json` → `order-flow`). Kept as written, not made an identifier:
/// it is what `$$.StateMachine.Name` shows.
pub(super) fn workflow_name(path: &std::path::Path) -> String {
    let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let lower = file_name.to_ascii_lowercase();
    STRIPPED_SUFFIXES
        .iter()
        .find(|suffix| lower.ends_with(*suffix) && lower.len() > suffix.len())
        .and_then(|suffix| file_name.get(..file_name.len() - suffix.len()))
        .unwrap_or(&file_name)
        .to_string()
}

/// Builds the tokens for one machine and collects what it could not express.
pub(super) struct Emitter<'a> {
    /// The runtime path (`::asl_runtime` or what the settings say).
    rt: &'a TokenStream,
    /// `(container, state)` of each Task state → its index in the handler trait.
    tasks: HashMap<(usize, usize), usize>,
    /// Name of the state being emitted, for messages.
    state: String,
    /// The containers that are Distributed Map processors.
    distributed: HashSet<usize>,
    /// Features the runtime cannot run yet, each with the first state using it (`None`:
    /// the top level).
    unsupported: Vec<(&'static str, Option<String>)>,
    /// IR shapes that validation rules out; non-empty means a bug in asl-codegen.
    bugs: Vec<String>,
    /// Whether the state being emitted has a `$$` path anywhere in its data.
    reads_context: bool,
}

impl<'a> Emitter<'a> {
    /// An emitter; `tasks` lists every Task state in handler-trait order.
    pub(super) fn new(rt: &'a TokenStream, tasks: &[(ContainerId, crate::ir::StateId)]) -> Self {
        let tasks = tasks.iter().enumerate().map(|(i, (c, s))| ((c.0, s.0), i)).collect();
        Emitter {
            rt,
            tasks,
            state: String::new(),
            distributed: HashSet::new(),
            unsupported: Vec::new(),
            bugs: Vec::new(),
            reads_context: false,
        }
    }

    /// Why the workflow cannot run yet, if it cannot.
    pub(super) fn unsupported(&self) -> Option<String> {
        let parts: Vec<String> = self
            .unsupported
            .iter()
            .map(|(feature, state)| match state {
                Some(state) => format!("{feature} in state `{state}`"),
                None => (*feature).to_string(),
            })
            .collect();
        (!parts.is_empty()).then(|| format!("asl-rs cannot run this workflow yet: it uses {}", parts.join(", ")))
    }

    /// Internal errors (IR shapes validation should have rejected).
    pub(super) fn bugs(&self) -> &[String] {
        &self.bugs
    }

    /// Records a feature the runtime cannot run, at the current state (first use only).
    fn unsupported_here(&mut self, feature: &'static str) {
        if !self.unsupported.iter().any(|(f, _)| *f == feature) {
            self.unsupported.push((feature, Some(self.state.clone())));
        }
    }

    /// Records an IR shape validation should have rejected.
    fn bug(&mut self, what: &str) {
        self.bugs.push(format!("state `{}`: {what}", self.state));
    }

    /// `[ContainerDef { … }, …]`, the initializer of `CONTAINERS`.
    pub(super) fn containers(&mut self, machine: &Machine) -> TokenStream {
        self.distributed = machine
            .containers
            .iter()
            .enumerate()
            .filter(|(_, c)| matches!(c.processor, Some(ProcessorMode::Distributed { .. })))
            .map(|(cid, _)| cid)
            .collect();
        let rt = self.rt;
        let containers: Vec<TokenStream> = machine
            .containers
            .iter()
            .enumerate()
            .map(|(cid, c)| {
                let states: Vec<TokenStream> =
                    c.states.iter().enumerate().map(|(sid, s)| self.state(cid, sid, s)).collect();
                let start = index(c.start.0);
                quote! { #rt::machine::ContainerDef { states: &[ #(#states),* ], start: #start } }
            })
            .collect();
        quote! { [ #(#containers),* ] }
    }

    /// `StateDef { name, next, kind }`.
    fn state(&mut self, cid: usize, sid: usize, s: &State) -> TokenStream {
        let rt = self.rt;
        self.state = s.name.clone();
        let name = &s.name;
        let next = match s.transition {
            Transition::Next(id) => {
                let id = index(id.0);
                quote!(#rt::machine::Next::State(#id))
            }
            Transition::End => quote!(#rt::machine::Next::End),
            Transition::None => quote!(#rt::machine::Next::None),
        };
        self.reads_context = false;
        let kind = self.kind(cid, sid, s);
        let assign = self.assign(s.assign.as_ref());
        let jsonata = option((s.query_language == QueryLanguage::Jsonata).then(|| self.jsonata(&s.io)));
        let reads_context = self.reads_context;
        quote! {
            #rt::machine::StateDef {
                name: #name, next: #next, reads_context: #reads_context, assign: #assign, jsonata: #jsonata, kind: #kind,
            }
        }
    }

    /// `&JsonataDef { arguments, output }` of a JSONata state (`&JSONATA` without either).
    fn jsonata(&mut self, io: &Io) -> TokenStream {
        let rt = self.rt;
        if io.arguments.is_none() && io.output.is_none() {
            return quote!(&#rt::machine::JSONATA);
        }
        let arguments = self.template_ref(io.arguments.as_ref());
        let output = self.template_ref(io.output.as_ref());
        quote!(&#rt::machine::JsonataDef { arguments: #arguments, output: #output })
    }

    /// `Option<&Template>`.
    fn template_ref(&mut self, template: Option<&Template>) -> TokenStream {
        option(template.map(|t| {
            let t = self.template(t);
            quote!(&#t)
        }))
    }

    /// `Option<&Template>` for an `Assign`.
    fn assign(&mut self, assign: Option<&Template>) -> TokenStream {
        option(assign.map(|t| {
            let t = self.template(t);
            quote!(&#t)
        }))
    }

    /// The `machine::StateKind` of a state, with its data.
    fn kind(&mut self, cid: usize, sid: usize, s: &State) -> TokenStream {
        let rt = self.rt;
        let m = quote!(#rt::machine);
        let input_path = self.path_field(&s.io.input_path);
        let output_path = self.path_field(&s.io.output_path);
        match &s.kind {
            StateKind::Pass { result } => {
                let io = self.io(&s.io);
                let result = option(result.as_ref().map(|v| {
                    let v = self.literal(v);
                    quote!(&#v)
                }));
                quote! { #m::StateKind::Pass { io: #io, result: #result } }
            }
            StateKind::Task(task) => {
                let io = self.io(&s.io);
                let number = match (self.tasks.get(&(cid, sid)), &task.resource.kind) {
                    (Some(&number), _) => index(number),
                    // Activity workers do an activity's work; it has no handler method.
                    (None, ResourceKind::Activity { .. }) => quote!(#m::NO_HANDLER),
                    (None, _) => {
                        self.bug("a Task state missing from the handler trait");
                        return quote!(#m::StateKind::Succeed { input_path: #input_path, output_path: #output_path });
                    }
                };
                let resource = &task.resource.arn;
                let timeout = option(task.timeout.as_ref().map(|t| self.amount(t)));
                let heartbeat = option(task.heartbeat.as_ref().map(|t| self.amount(t)));
                let recovery = self.recovery(&task.recovery);
                quote! {
                    #m::StateKind::Task(&#m::TaskDef {
                        io: #io, task: #number, resource: #resource,
                        timeout: #timeout, heartbeat: #heartbeat, recovery: #recovery,
                    })
                }
            }
            StateKind::Choice { rules, default } => {
                let rules: Vec<TokenStream> = rules
                    .iter()
                    .map(|branch| {
                        let rule = self.rule(&branch.condition);
                        let next = index(branch.next.0);
                        let assign = self.assign(branch.assign.as_ref());
                        let output = self.template_ref(branch.output.as_ref());
                        quote!(#m::ChoiceRule { rule: #rule, next: #next, assign: #assign, output: #output })
                    })
                    .collect();
                let default = option(default.map(|d| index(d.0)));
                quote! {
                    #m::StateKind::Choice {
                        input_path: #input_path, output_path: #output_path,
                        rules: &[ #(#rules),* ], default: #default,
                    }
                }
            }
            StateKind::Wait(wait) => {
                let until = self.wait(wait);
                quote! { #m::StateKind::Wait { input_path: #input_path, output_path: #output_path, until: #until } }
            }
            StateKind::Succeed => {
                quote! { #m::StateKind::Succeed { input_path: #input_path, output_path: #output_path } }
            }
            StateKind::Fail { error, cause } => {
                let error = option(error.as_ref().map(|t| self.fail_text(t)));
                let cause = option(cause.as_ref().map(|t| self.fail_text(t)));
                quote! { #m::StateKind::Fail { error: #error, cause: #cause } }
            }
            StateKind::Parallel { branches, recovery } => {
                let io = self.io(&s.io);
                let branches = branches.iter().map(|b| index(b.0));
                let recovery = self.recovery(recovery);
                quote! { #m::StateKind::Parallel { io: #io, branches: &[ #(#branches),* ], recovery: #recovery } }
            }
            StateKind::Map(map) => self.map(&s.io, map),
        }
    }

    /// `StateKind::Map(&MapDef { … })`.
    fn map(&mut self, io: &Io, map: &MapState) -> TokenStream {
        let rt = self.rt;
        let io = self.io(io);
        let items = self.template_ref(map.items.as_ref());
        let processor = index(map.processor.0);
        let items_path = option(map.items_path.as_ref().map(|p| {
            let p = self.path(p);
            quote!(&#p)
        }));
        let item_selector = option(map.item_selector.as_ref().map(|t| {
            let t = self.template(t);
            quote!(&#t)
        }));
        let max_concurrency = option(map.max_concurrency.as_ref().map(|a| self.amount(a)));
        let distributed = option(self.distributed.contains(&map.processor.0).then(|| self.distributed(map)));
        let recovery = self.recovery(&map.recovery);
        quote! {
            #rt::machine::StateKind::Map(&#rt::machine::MapDef {
                io: #io, processor: #processor, items_path: #items_path, items: #items, item_selector: #item_selector,
                max_concurrency: #max_concurrency, distributed: #distributed, recovery: #recovery,
            })
        }
    }

    /// `&DistributedDef { … }` for a Distributed Map. An inline Map's `ToleratedFailure…`
    /// fields (which AWS accepts) mean nothing, so they are not emitted.
    fn distributed(&mut self, map: &MapState) -> TokenStream {
        let rt = self.rt;
        // Reading items from S3, batching them and writing results to S3 need S3; the
        // runtime has no S3 client yet.
        let s3 = [
            (map.item_reader.is_some(), "a Distributed Map's `ItemReader`"),
            (map.item_batcher.is_some(), "a Distributed Map's `ItemBatcher`"),
            (map.result_writer.is_some(), "a Distributed Map's `ResultWriter`"),
        ];
        for (present, feature) in s3 {
            if present {
                self.unsupported_here(feature);
            }
        }
        let label = option(map.label.as_ref().map(|l| quote!(#l)));
        let count = option(map.tolerated_failure_count.as_ref().map(|a| self.amount(a)));
        let percentage = option(map.tolerated_failure_percentage.as_ref().map(|f| self.fraction(f)));
        quote! {
            &#rt::machine::DistributedDef {
                label: #label, tolerated_failure_count: #count, tolerated_failure_percentage: #percentage,
            }
        }
    }

    /// `&Io { …non-default fields…, ..Io::DEFAULT }`. JSONata's `Arguments`/`Output` are
    /// in the state's `JsonataDef` instead.
    fn io(&mut self, io: &Io) -> TokenStream {
        let rt = self.rt;
        let d = quote!(#rt::dataflow);
        // In the order `Io` declares them; absent fields come from `Io::DEFAULT`.
        let mut fields = Vec::new();
        if io.input_path.is_some() {
            let value = self.path_field(&io.input_path);
            fields.push(quote!(input_path: #value));
        }
        if let Some(t) = &io.parameters {
            let t = self.template(t);
            fields.push(quote!(parameters: ::core::option::Option::Some(&#t)));
        }
        if let Some(t) = &io.result_selector {
            let t = self.template(t);
            fields.push(quote!(result_selector: ::core::option::Option::Some(&#t)));
        }
        if io.result_path.is_some() {
            let value = self.path_field(&io.result_path);
            fields.push(quote!(result_path: #value));
        }
        if io.output_path.is_some() {
            let value = self.path_field(&io.output_path);
            fields.push(quote!(output_path: #value));
        }
        // `Io` has five fields; with all of them given, `..DEFAULT` would be a needless
        // update that clippy flags in the user's crate.
        match fields.len() {
            0 => quote!(&#d::Io::DEFAULT),
            5 => quote!(&#d::Io { #(#fields,)* }),
            _ => quote!(&#d::Io { #(#fields,)* ..#d::Io::DEFAULT }),
        }
    }

    /// IR `None` (absent) → `Default`, `Some(None)` (JSON null) → `Null`.
    fn path_field(&mut self, field: &Option<Option<JsonPath>>) -> TokenStream {
        let rt = self.rt;
        match field {
            None => quote!(#rt::dataflow::PathField::Default),
            Some(None) => quote!(#rt::dataflow::PathField::Null),
            Some(Some(p)) => {
                let p = self.path(p);
                quote!(#rt::dataflow::PathField::Path(&#p))
            }
        }
    }

    /// `&NO_RECOVERY`, or `&Recovery { retry, catch }`.
    fn recovery(&mut self, recovery: &Recovery) -> TokenStream {
        let rt = self.rt;
        if recovery.retriers.is_empty() && recovery.catchers.is_empty() {
            return quote!(&#rt::machine::NO_RECOVERY);
        }
        let retry: Vec<TokenStream> = recovery.retriers.iter().map(|r| self.retrier(r)).collect();
        let catch: Vec<TokenStream> = recovery.catchers.iter().map(|c| self.catcher(c)).collect();
        quote!(&#rt::machine::Recovery { retry: &[ #(#retry),* ], catch: &[ #(#catch),* ] })
    }

    /// `RetryPolicy::new(…)` and a `with_…` call per field that differs from ASL's default.
    fn retrier(&self, r: &Retrier) -> TokenStream {
        let rt = self.rt;
        let names = r.errors.names.iter();
        let mut policy = quote!(#rt::retry::RetryPolicy::new(&[ #(::std::borrow::Cow::Borrowed(#names)),* ]));
        // Validation caps every field far below u32::MAX; saturating keeps this panic-free.
        let u32_of = |n: u64| Lit::u32_unsuffixed(u32::try_from(n).unwrap_or(u32::MAX));
        if r.interval_seconds != 1 {
            let n = u32_of(r.interval_seconds);
            policy = quote!(#policy.with_interval_seconds(#n));
        }
        if r.max_attempts != 3 {
            let n = u32_of(r.max_attempts);
            policy = quote!(#policy.with_max_attempts(#n));
        }
        if r.backoff_rate != 2.0 {
            let f = float(r.backoff_rate);
            policy = quote!(#policy.with_backoff_rate(#f));
        }
        if let Some(max) = r.max_delay_seconds {
            let n = u32_of(max);
            policy = quote!(#policy.with_max_delay_seconds(#n));
        }
        if r.full_jitter {
            policy = quote!(#policy.with_jitter_strategy(#rt::retry::JitterStrategy::Full));
        }
        policy
    }

    /// `CatcherDef { error_equals, next, result_path }`.
    fn catcher(&mut self, c: &Catcher) -> TokenStream {
        let rt = self.rt;
        let names = c.errors.names.iter();
        let next = index(c.next.0);
        let result_path = self.path_field(&c.result_path);
        let assign = self.assign(c.assign.as_ref());
        let output = self.template_ref(c.output.as_ref());
        quote! {
            #rt::machine::CatcherDef {
                error_equals: &[ #(#names),* ], next: #next, result_path: #result_path, assign: #assign, output: #output,
            }
        }
    }

    /// `Amount::Literal` / `Amount::Path` for a `…Seconds`/`…SecondsPath` pair.
    fn amount(&mut self, amount: &Dynamic<u64>) -> TokenStream {
        let rt = self.rt;
        match amount {
            Dynamic::Literal(n) => {
                let n = Lit::u64_unsuffixed(*n);
                quote!(#rt::machine::Amount::Literal(#n))
            }
            Dynamic::Path(p) => {
                let p = self.path(p);
                quote!(#rt::machine::Amount::Path(&#p))
            }
            Dynamic::Jsonata(text) => {
                let e = self.expression(text);
                quote!(#rt::machine::Amount::Jsonata(#e))
            }
        }
    }

    /// `Fraction::Literal` / `Fraction::Path` for `ToleratedFailurePercentage(Path)`.
    fn fraction(&mut self, fraction: &Dynamic<f64>) -> TokenStream {
        let rt = self.rt;
        match fraction {
            Dynamic::Literal(f) => {
                let f = float(*f);
                quote!(#rt::machine::Fraction::Literal(#f))
            }
            Dynamic::Path(p) => {
                let p = self.path(p);
                quote!(#rt::machine::Fraction::Path(&#p))
            }
            Dynamic::Jsonata(text) => {
                let e = self.expression(text);
                quote!(#rt::machine::Fraction::Jsonata(#e))
            }
        }
    }

    /// The `WaitDef` for a Wait state's four forms.
    fn wait(&mut self, wait: &WaitFor) -> TokenStream {
        let rt = self.rt;
        let w = quote!(#rt::machine::WaitDef);
        match wait {
            WaitFor::Seconds(Dynamic::Literal(n)) => {
                let n = Lit::u64_unsuffixed(*n);
                quote!(#w::Seconds(#n))
            }
            WaitFor::Seconds(Dynamic::Path(p)) => {
                let p = self.path(p);
                quote!(#w::SecondsPath(&#p))
            }
            WaitFor::Timestamp(Dynamic::Literal(t)) => quote!(#w::Timestamp(#t)),
            WaitFor::Timestamp(Dynamic::Path(p)) => {
                let p = self.path(p);
                quote!(#w::TimestampPath(&#p))
            }
            WaitFor::Seconds(Dynamic::Jsonata(text)) => {
                let e = self.expression(text);
                quote!(#w::SecondsExpression(#e))
            }
            WaitFor::Timestamp(Dynamic::Jsonata(text)) => {
                let e = self.expression(text);
                quote!(#w::TimestampExpression(#e))
            }
        }
    }

    /// The `FailText` of a Fail state's `Error`/`Cause` (or their `…Path` forms).
    fn fail_text(&mut self, text: &FailText) -> TokenStream {
        let rt = self.rt;
        let f = quote!(#rt::machine::FailText);
        match text {
            FailText::Literal(s) => quote!(#f::Literal(#s)),
            FailText::Path(p) => {
                let p = self.path(p);
                quote!(#f::Path(&#p))
            }
            FailText::Intrinsic(call) => {
                let call = self.call(call);
                quote!(#f::Intrinsic(#call))
            }
            FailText::Jsonata(text) => {
                let e = self.expression(text);
                quote!(#f::Jsonata(#e))
            }
        }
    }
}

/// `Some(x)` / `None` with absolute paths.
fn option(value: Option<TokenStream>) -> TokenStream {
    match value {
        Some(v) => quote!(::core::option::Option::Some(#v)),
        None => quote!(::core::option::Option::None),
    }
}

/// A container or state index. Unsuffixed, so that an index beyond `u16` (impossible within
/// AWS's size limit) is rustc's "literal out of range" error rather than a silent wrap.
fn index(i: usize) -> TokenStream {
    let i = Lit::usize_unsuffixed(i);
    quote!(#i)
}

/// A signed integer, as a literal with a separate minus sign (the form rustc and syn accept
/// everywhere).
fn int(i: i64) -> TokenStream {
    let abs = Lit::u64_unsuffixed(i.unsigned_abs());
    if i < 0 { quote!(-#abs) } else { quote!(#abs) }
}

/// A float; the non-finite values (which JSON cannot hold) through their constants.
fn float(f: f64) -> TokenStream {
    if f.is_nan() {
        quote!(::core::f64::NAN)
    } else if f.is_infinite() {
        if f > 0.0 { quote!(::core::f64::INFINITY) } else { quote!(::core::f64::NEG_INFINITY) }
    } else {
        let abs = Lit::f64_unsuffixed(f.abs());
        if f.is_sign_negative() { quote!(-#abs) } else { quote!(#abs) }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn workflow_names_drop_the_definition_suffix() {
        let name = |p: &str| workflow_name(std::path::Path::new(p));
        assert_eq!(name("flows/order-flow.asl.json"), "order-flow");
        assert_eq!(name("a/Greet.ASL.YAML"), "Greet");
        assert_eq!(name("x.json"), "x");
        assert_eq!(name("plain"), "plain");
        assert_eq!(name(".asl.json"), ".asl");
    }

    #[test]
    fn numbers_are_literals_with_a_separate_sign() {
        assert_eq!(int(-5).to_string(), "- 5");
        assert_eq!(int(i64::MIN).to_string(), "- 9223372036854775808");
        assert_eq!(float(1.5).to_string(), "1.5");
        assert_eq!(float(-2.0).to_string(), "- 2.0");
        assert_eq!(float(f64::INFINITY).to_string(), ":: core :: f64 :: INFINITY");
    }
}
