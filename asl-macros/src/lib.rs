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
//! ```
//!
//! - The path is relative to the directory of the calling crate's `Cargo.toml`
//!   (`CARGO_MANIFEST_DIR`); absolute paths are rejected because they only work on one
//!   machine. `.yaml`/`.yml` files need the default `yaml` feature.
//! - Settings, as `key = value` pairs after the path:
//!   - `runtime = <path>`: the path generated code uses for the runtime crate (default
//!     `::asl_runtime`); maps to [`asl_codegen::Settings::with_runtime_path`].
//! - An invalid definition becomes one `compile_error!` at the path literal with one line
//!   per error, `path:line:col: error[CODE]: message`, followed by the generator's
//!   fallback items so the rest of your crate sees no follow-on errors.
//! - Warnings are not shown: stable Rust has no way for a proc macro to emit one. Run the
//!   `asl` command or use the build.rs `Builder` to see them.
//! - The output ends with `const _: &str = include_str!("<absolute path>");`, so Cargo
//!   rebuilds the crate when the definition changes.

use std::path::{Path, PathBuf};

use asl_codegen::{Generator, Settings, Source};
use proc_macro2::{Group, TokenStream, TokenTree};
use quote::quote;
use syn::parse::{Parse, ParseStream};
use syn::{Ident, LitStr, Token};

/// The settings keys `include_asl!` accepts, for the "unknown setting" message.
const KEYS: &str = "`runtime`";

/// Stand-in runtime path handed to the generator when `runtime = …` is given; every
/// occurrence in the output is then replaced by the caller's tokens. Going through tokens
/// rather than a string keeps `$crate` (which cannot be spelled in a string) working.
const RUNTIME_PLACEHOLDER: &str = "__asl_macros_runtime_path";

/// Compiles the ASL definition at the given path (relative to `CARGO_MANIFEST_DIR`) into
/// Rust items. See the [crate documentation](crate) for the syntax and settings.
#[proc_macro]
pub fn include_asl(input: proc_macro::TokenStream) -> proc_macro::TokenStream {
    match syn::parse::<Args>(input) {
        Ok(args) => expand(&args).into(),
        Err(err) => with_fallback(err, &Settings::new(), None).into(),
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
                other => {
                    let msg = format!("unknown setting `{other}`; expected one of: {KEYS}");
                    fail(syn::Error::new(key.span(), msg));
                }
            }
        }
        (options, errors)
    }

    /// The generator settings these options stand for.
    fn settings(&self) -> Settings {
        match self.runtime {
            Some(_) => Settings::new().with_runtime_path(RUNTIME_PLACEHOLDER),
            None => Settings::new(),
        }
    }
}

/// Expands a well-formed call: resolve, read, generate, anchor.
fn expand(args: &Args) -> TokenStream {
    let (options, args_error) = Options::from_pairs(&args.pairs);
    let settings = options.settings();
    let runtime = options.runtime.as_ref();
    if let Some(err) = args_error {
        return with_fallback(err, &settings, runtime);
    }
    let written = args.path.value();
    let span = args.path.span();
    let resolved = match resolve(&written) {
        Ok(resolved) => resolved,
        Err(msg) => return with_fallback(syn::Error::new(span, msg), &settings, runtime),
    };
    let text = match std::fs::read_to_string(&resolved) {
        Ok(text) => text,
        Err(err) => {
            let msg = format!("cannot read `{}`: {err}", resolved.display());
            return with_fallback(syn::Error::new(span, msg), &settings, runtime);
        }
    };
    let source = Source::new(&written, text);
    let items = match Generator::new(&settings).generate(&source) {
        Ok(generated) => replace_runtime(generated.tokens, runtime),
        Err(diagnostics) => {
            let lines: Vec<String> = diagnostics.errors().map(|diagnostic| diagnostic.render_short(&source)).collect();
            let msg = if lines.is_empty() { format!("{written}: the definition is invalid") } else { lines.join("\n") };
            with_fallback(syn::Error::new(span, msg), &settings, runtime)
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
fn with_fallback(err: syn::Error, settings: &Settings, runtime: Option<&TokenStream>) -> TokenStream {
    let error = err.to_compile_error();
    let fallback = replace_runtime(Generator::new(settings).fallback(), runtime);
    quote! { #error #fallback }
}

/// Replaces every [`RUNTIME_PLACEHOLDER`] identifier (at any depth) by `runtime`.
fn replace_runtime(tokens: TokenStream, runtime: Option<&TokenStream>) -> TokenStream {
    let Some(runtime) = runtime else {
        return tokens;
    };
    let mut out = TokenStream::new();
    for tree in tokens {
        match tree {
            TokenTree::Ident(ident) if ident == RUNTIME_PLACEHOLDER => out.extend(runtime.clone()),
            TokenTree::Group(group) => {
                let inner = replace_runtime(group.stream(), Some(runtime));
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
        let out = replace_runtime(generated, options.runtime.as_ref()).to_string();
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
            ["`runtime` is set more than once", "unknown setting `colour`; expected one of: `runtime`"]
        );
        assert_eq!(options.runtime.unwrap().to_string(), "a");
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
