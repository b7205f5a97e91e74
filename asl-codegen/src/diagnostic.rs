//! Diagnostics: what is wrong with a definition, where, and how to fix it.
//!
//! Every problem has a stable [`Code`] from the catalogue below, a message that names the
//! state, the JSON Pointer and byte range of the offending key or value, and optionally a
//! label (shown under the snippet), a help line ("did you mean …?") and notes.
//! Validation collects all of them in a [`Diagnostics`] accumulator instead of stopping
//! at the first.

use std::fmt;

use crate::source::{LineCol, Source, Span};

/// How serious a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// The definition is rejected (AWS would refuse to create the state machine).
    Error,
    /// Reported, but the definition is accepted (AWS's `WARNING` diagnostics).
    Warning,
}

impl Severity {
    /// `"error"` or `"warning"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

macro_rules! catalogue {
    ($( $(#[doc = $doc:literal])* $name:ident = ($id:literal, $aws:literal, $sev:ident); )*) => {
        /// The catalogue of diagnostics. Each has a stable identifier (`ASL201`), the code
        /// AWS's `ValidateStateMachineDefinition` uses for the same problem, and a severity.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum Code {
            $( $(#[doc = $doc])* $name, )*
        }

        impl Code {
            /// Every code, in catalogue order.
            pub const ALL: &'static [Code] = &[$(Code::$name),*];

            /// The stable identifier, e.g. `"ASL201"`.
            pub fn id(self) -> &'static str {
                match self { $(Code::$name => $id,)* }
            }

            /// The diagnostic code AWS reports for the same problem, e.g.
            /// `"MISSING_TRANSITION_TARGET"`.
            pub fn aws_code(self) -> &'static str {
                match self { $(Code::$name => $aws,)* }
            }

            /// The severity a diagnostic of this code has.
            pub fn severity(self) -> Severity {
                match self { $(Code::$name => Severity::$sev,)* }
            }

            /// The code's identifier in snake_case, used to name test fixtures.
            pub fn slug(self) -> String {
                let name = stringify_variant(self);
                let mut out = String::new();
                for (i, c) in name.char_indices() {
                    if c.is_ascii_uppercase() && i > 0 {
                        out.push('_');
                    }
                    out.push(c.to_ascii_lowercase());
                }
                out
            }
        }

        fn stringify_variant(code: Code) -> &'static str {
            match code { $(Code::$name => stringify!($name),)* }
        }
    };
}

catalogue! {
    // ── ASL0xx: reading the file ───────────────────────────────────────────────
    /// The text is not well-formed JSON (or YAML).
    Syntax = ("ASL001", "INVALID_JSON_DESCRIPTION", Error);
    /// An object has the same key twice.
    DuplicateKey = ("ASL002", "INVALID_JSON_DESCRIPTION", Error);
    /// The file is empty.
    EmptyDefinition = ("ASL003", "MISSING_DESCRIPTION", Error);
    /// Objects/arrays (or Parallel/Map states) nest deeper than the limit.
    TooDeeplyNested = ("ASL004", "TOO_DEEPLY_NESTED", Error);
    /// The definition is larger than AWS's 1 MiB limit.
    DefinitionTooLarge = ("ASL005", "SCHEMA_VALIDATION_FAILED", Error);

    // ── ASL1xx: shape of fields ────────────────────────────────────────────────
    /// A required field is missing.
    MissingField = ("ASL101", "SCHEMA_VALIDATION_FAILED", Error);
    /// A field the language does not define.
    UnknownField = ("ASL102", "SCHEMA_VALIDATION_FAILED", Error);
    /// A field has the wrong JSON type.
    WrongType = ("ASL103", "SCHEMA_VALIDATION_FAILED", Error);
    /// `Type` is not one of the eight state types.
    InvalidStateType = ("ASL104", "SCHEMA_VALIDATION_FAILED", Error);
    /// A field that exists, but not on this state type (or not in this query language).
    FieldNotSupported = ("ASL105", "SCHEMA_VALIDATION_FAILED", Error);
    /// Two fields that exclude each other are both present.
    ConflictingFields = ("ASL106", "SCHEMA_VALIDATION_FAILED", Error);
    /// None of a group of fields of which exactly one is required is present.
    MissingOneOf = ("ASL107", "SCHEMA_VALIDATION_FAILED", Error);
    /// A number outside its allowed range.
    OutOfRange = ("ASL108", "SCHEMA_VALIDATION_FAILED", Error);
    /// An array or object that must not be empty is.
    EmptyValue = ("ASL109", "SCHEMA_VALIDATION_FAILED", Error);
    /// A string that must be one of a fixed set of values is not.
    InvalidEnumValue = ("ASL110", "SCHEMA_VALIDATION_FAILED", Error);
    /// A literal timestamp that is not RFC 3339.
    InvalidTimestamp = ("ASL111", "SCHEMA_VALIDATION_FAILED", Error);
    /// A state name that is too long or contains forbidden characters.
    InvalidStateName = ("ASL112", "INVALID_STATE_NAME", Error);
    /// `HeartbeatSeconds` is not smaller than `TimeoutSeconds`.
    HeartbeatNotBelowTimeout = ("ASL113", "SCHEMA_VALIDATION_FAILED", Error);
    /// A Task `Resource` that is not a recognised ARN.
    InvalidResource = ("ASL114", "INVALID_RESOURCE", Error);
    /// A state has both `Next` and `End`, or neither, or has one where it must not.
    NextOrEnd = ("ASL115", "SCHEMA_VALIDATION_FAILED", Error);
    /// A Map `Label` that is too long or has forbidden characters.
    InvalidLabel = ("ASL116", "INVALID_LABEL_NAME", Error);
    /// Distributed-Map-only fields on an inline Map, or a bad `ProcessorConfig`/`ResultWriter`.
    MapMode = ("ASL117", "SCHEMA_VALIDATION_FAILED", Error);
    /// A Task an EXPRESS state machine cannot run: an activity, `.sync` or
    /// `.waitForTaskToken` (only when the definition is checked as EXPRESS).
    NotForExpress = ("ASL118", "SCHEMA_VALIDATION_FAILED", Error);

    // ── ASL2xx: the state graph ────────────────────────────────────────────────
    /// `StartAt`, `Next`, `Default` or a Catcher's `Next` names no state of its container.
    MissingTransitionTarget = ("ASL201", "MISSING_TRANSITION_TARGET", Error);
    /// A state nothing transitions to.
    UnreachableState = ("ASL202", "MISSING_TRANSITION_TARGET", Error);
    /// A container (machine, branch, Map processor) with no terminal state.
    NoTerminalState = ("ASL203", "MISSING_END_STATE", Error);
    /// Two states with the same name anywhere in the machine.
    DuplicateStateName = ("ASL204", "DUPLICATE_STATE_NAME", Error);
    /// Two Map states with the same `Label`.
    DuplicateLabel = ("ASL205", "DUPLICATE_LABEL_NAME", Error);

    // ── ASL3xx: Choice rules ───────────────────────────────────────────────────
    /// A comparison with no operator, or more than one.
    ChoiceOperator = ("ASL301", "SCHEMA_VALIDATION_FAILED", Error);
    /// A top-level rule without `Next`, or a nested rule with one.
    ChoiceRuleNext = ("ASL302", "SCHEMA_VALIDATION_FAILED", Error);
    /// An operator's operand has the wrong type (e.g. `NumericEquals: "1"`).
    ChoiceOperandType = ("ASL303", "SCHEMA_VALIDATION_FAILED", Error);

    // ── ASL4xx: Retry and Catch ────────────────────────────────────────────────
    /// `States.ALL` not alone in its `ErrorEquals`, or not in the last retrier/catcher.
    StatesAllPlacement = ("ASL401", "SCHEMA_VALIDATION_FAILED", Error);

    // ── ASL5xx: paths, payload templates, intrinsic functions ──────────────────
    /// A string that must be a JSONPath is not a valid one.
    InvalidPath = ("ASL501", "SCHEMA_VALIDATION_FAILED", Error);
    /// A path where a Reference Path (a single node, no filters) is required.
    InvalidReferencePath = ("ASL502", "SCHEMA_VALIDATION_FAILED", Error);
    /// A `.$` value that is neither a path nor a well-formed intrinsic function call.
    InvalidIntrinsic = ("ASL503", "SCHEMA_VALIDATION_FAILED", Error);
    /// An intrinsic function that does not exist, or is called with the wrong arguments.
    IntrinsicArguments = ("ASL504", "SCHEMA_VALIDATION_FAILED", Error);
    /// Two keys of a payload template are the same once `.$` is removed.
    DuplicateTemplateKey = ("ASL505", "SCHEMA_VALIDATION_FAILED", Error);
    /// A context-object path (`$$`) where only the state input is allowed (e.g. `ResultPath`).
    ContextPathNotAllowed = ("ASL506", "SCHEMA_VALIDATION_FAILED", Error);
    /// An intrinsic function call whose literal arguments certainly fail at run time (a
    /// chunk size of 0, an unknown hash algorithm, more `{}` than values…). AWS creates the
    /// state machine and fails the execution with `States.IntrinsicFailure`, so this is a
    /// warning of validation; code generation turns it into an error unless
    /// [`Settings::allow_run_time_failures`](crate::Settings) says otherwise.
    /// (`INTRINSIC_FAILURE` is asl-rs's name: AWS has no code for it.)
    IntrinsicFailsAtRunTime = ("ASL507", "INTRINSIC_FAILURE", Warning);

    // ── ASL6xx: query languages ────────────────────────────────────────────────
    /// A state sets `QueryLanguage: JSONPath` in a JSONata state machine.
    QueryLanguageDowngrade = ("ASL601", "SCHEMA_VALIDATION_FAILED", Error);
    /// A JSONPath-only field in a JSONata state, or the other way round.
    WrongQueryLanguage = ("ASL602", "SCHEMA_VALIDATION_FAILED", Error);
    /// A JSONata `{% … %}` expression that does not parse.
    InvalidJsonata = ("ASL603", "INVALID_JSONATA_EXPRESSION", Error);
    /// A JSONata expression that parses but uses something AWS rejects (top-level `$`, `$$`…).
    UnsupportedJsonata = ("ASL604", "UNSUPPORTED_JSONATA_EXPRESSION", Error);
    /// A JSONata regular expression with look-around or back-references: AWS evaluates
    /// JavaScript's regular expressions and accepts it, but asl-rs's engine (Rust's `regex`
    /// crate) cannot compile it. A warning of validation (AWS creates the machine) and
    /// always a build error, since no execution could evaluate it. (`UNSUPPORTED_REGEX` is
    /// asl-rs's name: AWS has no code for it.)
    UnsupportedRegex = ("ASL605", "UNSUPPORTED_REGEX", Warning);

    // ── ASL7xx: variables ──────────────────────────────────────────────────────
    /// An `Assign` key that is not a valid variable name, or is the reserved `states`.
    InvalidVariableName = ("ASL701", "SCHEMA_VALIDATION_FAILED", Error);
    /// A JSONata expression reads a variable that no `Assign` of the definition sets. AWS
    /// accepts the definition (the expression fails at run time with
    /// `States.QueryEvaluationError`), so this is a warning of validation; code generation
    /// turns it into an error unless [`Settings::allow_run_time_failures`](crate::Settings)
    /// says otherwise. (`UNDEFINED_VARIABLE` is asl-rs's name: AWS has no code for it.)
    UndefinedVariable = ("ASL702", "UNDEFINED_VARIABLE", Warning);

    // ── ASL9xx: warnings ───────────────────────────────────────────────────────
    /// A template value looks like a path but its key does not end in `.$`.
    NoDollar = ("ASL901", "NO_DOLLAR", Warning);
    /// A field value looks like a path but the field is not a `…Path` field.
    NoPath = ("ASL902", "NO_PATH", Warning);
    /// A Pass `Result` contains values that look like paths; they are not evaluated.
    PassResultIsStatic = ("ASL903", "PASS_RESULT_IS_STATIC", Warning);
    /// A user error name starting with the reserved `States.` prefix that AWS does not define.
    UnknownStatesError = ("ASL904", "SCHEMA_VALIDATION_FAILED", Warning);
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// One problem found in a definition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// What kind of problem it is.
    pub code: Code,
    /// Error or warning (normally the code's own severity).
    pub severity: Severity,
    /// One sentence saying what is wrong; names the state where there is one.
    pub message: String,
    /// JSON Pointer (RFC 6901) of the offending key or value, e.g. `/States/Pay/Next`.
    pub pointer: String,
    /// Byte range of the offending key or value in the source text.
    pub span: Span,
    /// A short label shown under the highlighted text.
    pub label: Option<String>,
    /// How to fix it, e.g. "did you mean `ProcessPayment`?".
    pub help: Option<String>,
    /// Further context.
    pub notes: Vec<String>,
}

impl Diagnostic {
    /// A diagnostic of `code` (with the code's severity) at `pointer`/`span`.
    pub fn new(code: Code, pointer: impl Into<String>, span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity: code.severity(),
            message: message.into(),
            pointer: pointer.into(),
            span,
            label: None,
            help: None,
            notes: Vec::new(),
        }
    }

    /// Adds the label shown under the highlighted text.
    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    /// Adds a help line.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Adds a note.
    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    /// Whether this diagnostic makes the definition invalid.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// One line: `path:line:col: error[ASL201]: message`, followed by the help, if any,
    /// as `(help: …)`. This is the form `include_asl!` puts in its `compile_error!`.
    pub fn render_short(&self, source: &Source) -> String {
        let LineCol { line, column } = source.line_col(self.span.start);
        let mut out = format!(
            "{}:{}:{}: {}[{}]: {}",
            source.path().display(),
            line,
            column,
            self.severity.as_str(),
            self.code.id(),
            self.message
        );
        if let Some(help) = &self.help {
            out.push_str(" (help: ");
            out.push_str(help);
            out.push(')');
        }
        out
    }
}

/// Collects diagnostics while a definition is checked.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    /// An empty collection.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one diagnostic.
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.items.push(diagnostic);
    }

    /// Shorthand for `push(Diagnostic::new(..))`.
    pub fn report(&mut self, code: Code, pointer: impl Into<String>, span: Span, message: impl Into<String>) {
        self.push(Diagnostic::new(code, pointer, span, message));
    }

    /// Moves every diagnostic of `other` into `self`.
    pub fn extend(&mut self, other: Diagnostics) {
        self.items.extend(other.items);
    }

    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.items.iter().any(Diagnostic::is_error)
    }

    /// Number of diagnostics (errors and warnings).
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The diagnostics, in source order once [`Diagnostics::sort`] was called.
    pub fn iter(&self) -> std::slice::Iter<'_, Diagnostic> {
        self.items.iter()
    }

    /// Only the errors.
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter().filter(|d| d.is_error())
    }

    /// Sorts by position, then code, and drops exact duplicates, so output is stable.
    pub fn sort(&mut self) {
        self.items.sort_by(|a, b| {
            (a.span.start, a.span.end, a.code, &a.message).cmp(&(b.span.start, b.span.end, b.code, &b.message))
        });
        self.items.dedup();
    }

    /// Makes every span a valid range of `text`: clamped to its length and widened to
    /// character boundaries. Rules compute spans from byte offsets (e.g. "the first
    /// character of this object"), which in YAML may start a multi-byte character; callers
    /// that slice the text with a diagnostic's span must never panic.
    pub fn align_to(&mut self, text: &str) {
        for d in &mut self.items {
            let mut start = d.span.start.min(text.len());
            let mut end = d.span.end.clamp(start, text.len());
            while !text.is_char_boundary(start) {
                start -= 1;
            }
            while !text.is_char_boundary(end) {
                end += 1;
            }
            d.span = Span::new(start, end);
        }
    }

    /// Consumes the collection.
    pub fn into_vec(self) -> Vec<Diagnostic> {
        self.items
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

impl<'a> IntoIterator for &'a Diagnostics {
    type Item = &'a Diagnostic;
    type IntoIter = std::slice::Iter<'a, Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

/// The closest candidate to `name` by edit distance, if it is close enough to be a
/// plausible typo ("did you mean …?").
pub fn did_you_mean<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (name.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|c| (edit_distance(&name.to_lowercase(), &c.to_lowercase()), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Edit distance in characters where a swap of two neighbours counts as one edit (optimal
/// string alignment): `Edn` is one edit from `End`, as a reader would count it.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // Three rows: the one two back is needed for transpositions.
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur: Vec<usize> = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (prev[j - 1] + cost).min(prev[j] + 1).min(cur[j - 1] + 1);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(before[j - 2] + 1);
            }
            cur[j] = d;
        }
        std::mem::swap(&mut before, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique() {
        let mut ids: Vec<_> = Code::ALL.iter().map(|c| c.id()).collect();
        ids.sort_unstable();
        let before = ids.len();
        ids.dedup();
        assert_eq!(before, ids.len());
    }

    #[test]
    fn spans_are_aligned_to_characters() {
        let mut diags = Diagnostics::new();
        diags.report(Code::MissingField, "", Span::new(0, 1), "x");
        diags.report(Code::MissingField, "", Span::new(5, 99), "y");
        diags.align_to("é: 1");
        let spans: Vec<Span> = diags.iter().map(|d| d.span).collect();
        assert_eq!(spans, [Span::new(0, 2), Span::new(5, 5)]);
    }

    #[test]
    fn slug_is_snake_case() {
        assert_eq!(Code::MissingTransitionTarget.slug(), "missing_transition_target");
    }

    #[test]
    fn suggests_close_names_only() {
        let names = ["ProcessPayment", "ShipOrder"];
        assert_eq!(did_you_mean("ProcesPayment", names), Some("ProcessPayment"));
        assert_eq!(did_you_mean("Nothing", names), None);
        assert_eq!(did_you_mean("Edn", ["End", "Next"]), Some("End"));
        assert_eq!(did_you_mean("Doen", ["Done", "Fail"]), Some("Done"));
    }

    #[test]
    fn short_rendering_has_position_and_code() {
        let source = Source::new("flow.asl.json", "{\n  \"StartAt\": \"X\"\n}");
        let d = Diagnostic::new(Code::MissingTransitionTarget, "/StartAt", Span::new(15, 18), "no state `X`")
            .with_help("did you mean `Y`?");
        assert_eq!(
            d.render_short(&source),
            "flow.asl.json:2:14: error[ASL201]: no state `X` (help: did you mean `Y`?)"
        );
    }
}
