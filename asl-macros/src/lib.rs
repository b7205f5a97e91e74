//! `include_asl!`: compiles an Amazon States Language (ASL) definition into Rust items at
//! build time.
//!
//! Use it through [`asl_runtime::include_asl!`](https://docs.rs/asl-runtime), which passes
//! its own crate path along, so generated code resolves even if you rename the dependency.
//! This crate is a thin front-end: it parses the macro arguments, reads the file, calls
//! [`asl_codegen::Generator`] and pins any error to the path literal. It knows nothing
//! about ASL.
//!
//! ```text
//! include_asl!("flows/order.asl.json");
//! include_asl!("flows/order.asl.yaml", runtime = ::my_runtime);
//! include_asl!("flows/order.asl.json", tasks = {
//!     "Validate Order": crate::Order -> crate::Validated,
//!     "Ship": Shipment -> asl_runtime::Value,
//! });
//! ```
//!
//! - The path is relative to the directory of the calling crate's `Cargo.toml`
//!   (`CARGO_MANIFEST_DIR`); absolute paths are rejected because they only work on one
//!   machine. `.yaml`/`.yml` files need the default `yaml` feature.
//! - Settings, as `key = value` pairs after the path:
//!   - `runtime = <path>`: the path generated code uses for the runtime crate (default
//!     `::asl_runtime`); maps to [`asl_codegen::Settings::with_runtime_path`].
//!   - `tasks = { "<Task state name>": <InputType> -> <OutputType>, … }`: the handler
//!     method of each named Task state takes `InputType` (deserialised from the task's
//!     effective input) and returns `OutputType` (serialised into its result) instead of
//!     JSON values; tasks not named keep `Value`. The types are resolved where the macro is
//!     called. Each entry maps to [`asl_codegen::Settings::with_task_types`]; an entry
//!     naming a state that is not a Task state of the definition, or a state named twice,
//!     is an error at its string literal.
//! - An invalid definition becomes one `compile_error!` at the path literal with one line
//!   per error, `path:line:col: error[CODE]: message`, followed by the generator's
//!   fallback items so the rest of your crate sees no follow-on errors.
//! - Warnings are not shown: stable Rust has no way for a proc macro to emit one. Run the
//!   `asl` command or use the build.rs `Builder` to see them.
//! - The output ends with `const _: &str = include_str!("<absolute path>");`, so Cargo
//!   rebuilds the crate when the definition changes.

mod tasks;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use asl_codegen::{Generator, Settings, Source};
use proc_macro2::{Group, TokenStream, TokenTree};
use quote::quote;
use syn::parse::{Parse, ParseStream};
use syn::{Ident, LitStr, Token};

/// The settings keys `include_asl!` accepts, for the "unknown setting" message.
const KEYS: &str = "`runtime`, `tasks`, `allow_run_time_failures`";

/// Stand-in runtime path handed to the generator when `runtime = …` is given; every
/// occurrence in the output is then replaced by the caller's tokens. Going through tokens
/// rather than a string keeps `$crate` (which cannot be spelled in a string) working.
const RUNTIME_PLACEHOLDER: &str = "__asl_macros_runtime_path";

/// Stand-ins for the types of `tasks = …` entry `n`: `{prefix}{n}_input` and
/// `{prefix}{n}_output`. Replacing them by the caller's tokens, as for the runtime path,
/// keeps the types' spans, so rustc reports a type it cannot find at the type in the macro
/// call. (A type that is not `Deserialize` is reported at the whole call, with a note
/// pointing at the type's definition: that bound is checked in generated code.)
const TASK_TYPE_PLACEHOLDER: &str = "__asl_macros_task_type_";

/// Compiles the ASL definition at the given path (relative to `CARGO_MANIFEST_DIR`) into
/// Rust items. See the [crate documentation](crate) for the syntax and settings.
#[proc_macro]
pub fn include_asl(input: proc_macro::TokenStream) -> proc_macro::TokenStream {
    match syn::parse::<Args>(input) {
        Ok(args) => expand(&args).into(),
        Err(err) => with_fallback(err, &Settings::new(), &Replacements::new()).into(),
    }
}

/// The parsed macro input: the path literal and the raw `key = value` pairs after it.
struct Args {
    /// The definition's path, as the user wrote it.
    path: LitStr,
    /// Settings in the order given; checked by [`Options::from_pairs`].
    pairs: Vec<(Ident, TokenStream)>,
}

impl Parse for Args {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let path: LitStr = input.parse().map_err(|err| {
            syn::Error::new(
                err.span(),
                "expected the path of an ASL definition as a string literal, \
                 e.g. `include_asl!(\"flows/order.asl.json\")`",
            )
        })?;
        let mut pairs = Vec::new();
        while !input.is_empty() {
            input.parse::<Token![,]>()?;
            if input.is_empty() {
                break;
            }
            let key: Ident = input.parse()?;
            input.parse::<Token![=]>()?;
            let value = input.step(|cursor| {
                let (mut value, mut rest) = (TokenStream::new(), *cursor);
                while let Some((tree, next)) = rest.token_tree() {
                    if matches!(&tree, TokenTree::Punct(p) if p.as_char() == ',') {
                        break;
                    }
                    value.extend([tree]);
                    rest = next;
                }
                Ok((value, rest))
            })?;
            if value.is_empty() {
                let msg = format!("expected a value after `{key} =`");
                return Err(syn::Error::new(key.span(), msg));
            }
            pairs.push((key, value));
        }
        Ok(Args { path, pairs })
    }
}

/// The settings after checking the keys.
#[derive(Default)]
struct Options {
    /// Tokens naming the runtime crate (`$crate` when called through asl-runtime).
    runtime: Option<TokenStream>,
    /// The `tasks` entries, in the order written (`None` when the key is absent).
    tasks: Option<Vec<tasks::TaskEntry>>,
    /// `allow_run_time_failures = true`: compile what AWS accepts although it certainly
    /// fails at run time (see `Settings::allow_run_time_failures`).
    allow_run_time_failures: Option<bool>,
}

impl Options {
    /// Checks the keys; on an unknown or repeated key returns the error along with the
    /// settings that were understood (so the fallback still names the right runtime).
    fn from_pairs(pairs: &[(Ident, TokenStream)]) -> (Self, Option<syn::Error>) {
        let mut options = Options::default();
        let mut errors: Option<syn::Error> = None;
        let mut fail = |err: syn::Error| match &mut errors {
            Some(errors) => errors.combine(err),
            None => errors = Some(err),
        };
        for (key, value) in pairs {
            match key.to_string().as_str() {
                "runtime" if options.runtime.is_some() => {
                    fail(syn::Error::new(key.span(), "`runtime` is set more than once"));
                }
                "runtime" => options.runtime = Some(value.clone()),
                "tasks" if options.tasks.is_some() => {
                    fail(syn::Error::new(key.span(), "`tasks` is set more than once"));
                }
                "tasks" => match tasks::parse(value) {
                    Ok(entries) => options.tasks = Some(entries),
                    Err(err) => fail(err),
                },
                "allow_run_time_failures" if options.allow_run_time_failures.is_some() => {
                    fail(syn::Error::new(key.span(), "`allow_run_time_failures` is set more than once"));
                }
                "allow_run_time_failures" => match syn::parse2::<syn::LitBool>(value.clone()) {
                    Ok(flag) => options.allow_run_time_failures = Some(flag.value),
                    Err(_) => fail(syn::Error::new_spanned(value, "expected `true` or `false`")),
                },
                other => {
                    let msg = format!("unknown setting `{other}`; expected one of: {KEYS}");
                    fail(syn::Error::new(key.span(), msg));
                }
            }
        }
        (options, errors)
    }

    /// The generator settings these options stand for, with placeholders where the
    /// caller's tokens go.
    fn settings(&self) -> Settings {
        let mut settings = Settings::new();
        if self.runtime.is_some() {
            settings = settings.with_runtime_path(RUNTIME_PLACEHOLDER);
        }
        for (n, entry) in self.tasks.iter().flatten().enumerate() {
            let (input, output) =
                (format!("{TASK_TYPE_PLACEHOLDER}{n}_input"), format!("{TASK_TYPE_PLACEHOLDER}{n}_output"));
            settings = settings.with_task_types(entry.state.value(), input, output);
        }
        if self.allow_run_time_failures == Some(true) {
            settings = settings.allow_run_time_failures();
        }
        settings
    }

    /// Each placeholder of [`Options::settings`] with the tokens that replace it.
    fn replacements(&self) -> Replacements {
        let mut map = HashMap::new();
        if let Some(runtime) = &self.runtime {
            map.insert(RUNTIME_PLACEHOLDER.to_owned(), runtime.clone());
        }
        for (n, entry) in self.tasks.iter().flatten().enumerate() {
            map.insert(format!("{TASK_TYPE_PLACEHOLDER}{n}_input"), entry.input.clone());
            map.insert(format!("{TASK_TYPE_PLACEHOLDER}{n}_output"), entry.output.clone());
        }
        map
    }

    /// The generator's complaints about `tasks` entries, each at the entry's state name.
    fn task_type_error(&self, errors: &[asl_codegen::TaskTypeError]) -> Option<syn::Error> {
        let entries = self.tasks.as_deref().unwrap_or_default();
        errors
            .iter()
            .map(|error| match entries.get(error.entry) {
                Some(entry) => syn::Error::new(entry.state.span(), &error.message),
                // Every entry the generator saw came from `entries`; this cannot happen.
                None => syn::Error::new(proc_macro2::Span::call_site(), &error.message),
            })
            .reduce(|mut all, error| {
                all.combine(error);
                all
            })
    }
}

/// Placeholder identifier → the caller's tokens.
type Replacements = HashMap<String, TokenStream>;

/// Expands a well-formed call: resolve, read, generate, anchor.
fn expand(args: &Args) -> TokenStream {
    let (options, args_error) = Options::from_pairs(&args.pairs);
    let settings = options.settings();
    let replacements = options.replacements();
    if let Some(err) = args_error {
        return with_fallback(err, &settings, &replacements);
    }
    let written = args.path.value();
    let span = args.path.span();
    let resolved = match resolve(&written) {
        Ok(resolved) => resolved,
        Err(msg) => return with_fallback(syn::Error::new(span, msg), &settings, &replacements),
    };
    let text = match std::fs::read_to_string(&resolved) {
        Ok(text) => text,
        Err(err) => {
            let msg = format!("cannot read `{}`: {err}", resolved.display());
            return with_fallback(syn::Error::new(span, msg), &settings, &replacements);
        }
    };
    let source = Source::new(&written, text);
    let items = match Generator::new(&settings).generate(&source) {
        // The generated items hold a `compile_error!` per bad entry too, but at the whole
        // call; ours point at the entry.
        Ok(generated) => match options.task_type_error(&generated.task_type_errors) {
            Some(err) => with_fallback(err, &settings, &replacements),
            None => replace(generated.tokens, &replacements),
        },
        Err(diagnostics) => {
            let lines: Vec<String> = diagnostics.errors().map(|diagnostic| diagnostic.render_short(&source)).collect();
            let msg = if lines.is_empty() { format!("{written}: the definition is invalid") } else { lines.join("\n") };
            with_fallback(syn::Error::new(span, msg), &settings, &replacements)
        }
    };
    let anchor = rebuild_anchor(&resolved);
    quote! { #items #anchor }
}

/// Resolves the path as written against `CARGO_MANIFEST_DIR`.
fn resolve(written: &str) -> Result<PathBuf, String> {
    let path = Path::new(written);
    if path.is_absolute() || path.has_root() {
        return Err(format!(
            "absolute paths only work on this machine; give `{written}` relative to \
             the directory of your Cargo.toml (CARGO_MANIFEST_DIR)"
        ));
    }
    match std::env::var_os("CARGO_MANIFEST_DIR") {
        Some(dir) => Ok(PathBuf::from(dir).join(path)),
        None => Err("CARGO_MANIFEST_DIR is not set; include_asl! must be built by Cargo".into()),
    }
}

/// `const _: &str = include_str!("<absolute path>");`: makes rustc record the definition
/// as an input of the crate, so Cargo rebuilds it when the file changes. Skipped for paths
/// that are not valid UTF-8 (a string literal cannot hold them).
fn rebuild_anchor(resolved: &Path) -> TokenStream {
    let canonical = std::fs::canonicalize(resolved).unwrap_or_else(|_| resolved.to_path_buf());
    match canonical.to_str() {
        Some(path) => quote! { const _: &str = ::core::include_str!(#path); },
        None => TokenStream::new(),
    }
}

/// The error as a `compile_error!`, followed by the generator's fallback items so the
/// caller sees only this error.
fn with_fallback(err: syn::Error, settings: &Settings, replacements: &Replacements) -> TokenStream {
    let error = err.to_compile_error();
    let fallback = replace(Generator::new(settings).fallback(), replacements);
    quote! { #error #fallback }
}

/// Replaces every placeholder identifier (at any depth) by its tokens.
fn replace(tokens: TokenStream, replacements: &Replacements) -> TokenStream {
    if replacements.is_empty() {
        return tokens;
    }
    let mut out = TokenStream::new();
    for tree in tokens {
        match tree {
            TokenTree::Ident(ident) => match replacements.get(&ident.to_string()) {
                Some(tokens) => out.extend(tokens.clone()),
                None => out.extend([TokenTree::Ident(ident)]),
            },
            TokenTree::Group(group) => {
                let inner = replace(group.stream(), replacements);
                let mut new = Group::new(group.delimiter(), inner);
                new.set_span(group.span());
                out.extend([TokenTree::Group(new)]);
            }
            other => out.extend([other]),
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn parse(tokens: TokenStream) -> syn::Result<Args> {
        syn::parse2(tokens)
    }

    #[test]
    fn runtime_replaces_the_placeholder_at_any_depth() {
        let args = parse(quote!("a.asl.json", runtime = ::my_rt,)).unwrap();
        let (options, error) = Options::from_pairs(&args.pairs);
        assert!(error.is_none());
        let placeholder = Ident::new(RUNTIME_PLACEHOLDER, proc_macro2::Span::call_site());
        let generated = quote!(fn f() -> #placeholder::X { #placeholder::X::new() });
        let out = replace(generated, &options.replacements()).to_string();
        assert_eq!(
            out,
            quote!(
                fn f() -> ::my_rt::X {
                    ::my_rt::X::new()
                }
            )
            .to_string()
        );
    }

    #[test]
    fn repeated_and_unknown_keys_are_reported_together() {
        let args = parse(quote!("a.asl.json", runtime = a, runtime = b, colour = red)).unwrap();
        let (options, error) = Options::from_pairs(&args.pairs);
        let messages: Vec<String> = error.unwrap().into_iter().map(|e| e.to_string()).collect();
        assert_eq!(
            messages,
            [
                "`runtime` is set more than once",
                "unknown setting `colour`; expected one of: `runtime`, `tasks`, `allow_run_time_failures`"
            ]
        );
        assert_eq!(options.runtime.unwrap().to_string(), "a");
    }

    #[test]
    fn allow_run_time_failures_takes_a_boolean() {
        let args = parse(quote!("a.asl.json", allow_run_time_failures = true)).unwrap();
        let (options, error) = Options::from_pairs(&args.pairs);
        assert!(error.is_none());
        assert_eq!(options.allow_run_time_failures, Some(true));
        let args = parse(quote!("a.asl.json", allow_run_time_failures = yes)).unwrap();
        let (_, error) = Options::from_pairs(&args.pairs);
        assert_eq!(error.unwrap().to_string(), "expected `true` or `false`");
    }

    #[test]
    fn task_entries_become_settings_and_their_types_replace_placeholders() {
        let args = parse(quote!("a.asl.json", tasks = { "Validate Order": crate::Order -> Vec<u8>, "Ship": () -> () }))
            .unwrap();
        let (options, error) = Options::from_pairs(&args.pairs);
        assert!(error.is_none());
        let settings = options.settings();
        let states: Vec<&str> = settings.task_types().iter().map(|t| t.state.as_str()).collect();
        assert_eq!(states, ["Validate Order", "Ship"]);
        let input: TokenStream = settings.task_types()[0].input.parse().unwrap();
        let output: TokenStream = settings.task_types()[0].output.parse().unwrap();
        let out = replace(quote!(fn f(input: #input) -> #output {}), &options.replacements()).to_string();
        assert_eq!(
            out,
            quote!(
                fn f(input: crate::Order) -> Vec<u8> {}
            )
            .to_string()
        );
    }

    #[test]
    fn task_type_errors_point_at_the_entry() {
        let args = parse(quote!("a.asl.json", tasks = { "A": X -> Y, "B": X -> Y })).unwrap();
        let (options, _) = Options::from_pairs(&args.pairs);
        let errors = [
            asl_codegen::TaskTypeError { entry: 1, message: "no B".into() },
            asl_codegen::TaskTypeError { entry: 0, message: "no A".into() },
        ];
        let messages: Vec<String> =
            options.task_type_error(&errors).unwrap().into_iter().map(|e| e.to_string()).collect();
        assert_eq!(messages, ["no B", "no A"]);
        assert!(options.task_type_error(&[]).is_none());
    }

    #[test]
    fn malformed_arguments_are_errors() {
        assert!(parse(quote!(flows)).is_err());
        assert!(parse(quote!("a.asl.json" runtime = a)).is_err());
        assert!(parse(quote!("a.asl.json", runtime =)).is_err());
    }

    #[test]
    fn absolute_paths_are_rejected() {
        assert!(resolve("/etc/order.asl.json").unwrap_err().starts_with("absolute paths"));
    }
}
