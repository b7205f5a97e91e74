//! The `tasks = { "<state name>": <InputType> -> <OutputType>, … }` setting: which Task
//! states' handler methods take and return the application's own types.
//!
//! Only the syntax lives here. Whether a name is a Task state of the definition, and
//! whether it is given twice, is asl-codegen's to decide (`Settings::with_task_types`); its
//! answers come back by entry number and are pinned to the entry's string literal.

use proc_macro2::{Delimiter, TokenStream, TokenTree};
use quote::ToTokens;
use syn::parse::{Parse, ParseStream};
use syn::{LitStr, Token, Type};

/// The shape of the setting, repeated in every syntax error so the fix is in the message.
const SHAPE: &str = "`tasks = { \"<Task state name>\": <InputType> -> <OutputType>, … }`";

/// One `"<state name>": <InputType> -> <OutputType>` entry.
pub(crate) struct TaskEntry {
    /// The state's name as written, for error spans.
    pub state: LitStr,
    /// The input type's tokens, spans kept so rustc points into the macro call.
    pub input: TokenStream,
    /// The output type's tokens.
    pub output: TokenStream,
}

/// Parses the value of `tasks = …`, which must be one brace-delimited group.
pub(crate) fn parse(value: &TokenStream) -> syn::Result<Vec<TaskEntry>> {
    let mut trees = value.clone().into_iter();
    match (trees.next(), trees.next()) {
        (Some(TokenTree::Group(group)), None) if group.delimiter() == Delimiter::Brace => {
            syn::parse2::<Entries>(group.stream()).map(|entries| entries.0)
        }
        _ => Err(syn::Error::new_spanned(value, format!("expected the task types in braces: {SHAPE}"))),
    }
}

/// The entries inside the braces, separated by commas (a trailing one allowed).
struct Entries(Vec<TaskEntry>);

impl Parse for Entries {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let mut entries = Vec::new();
        while !input.is_empty() {
            entries.push(entry(input)?);
            if input.is_empty() {
                break;
            }
            input
                .parse::<Token![,]>()
                .map_err(|e| syn::Error::new(e.span(), format!("expected `,` between task entries: {SHAPE}")))?;
        }
        Ok(Entries(entries))
    }
}

/// One entry, with an error that says what was expected where it goes wrong.
fn entry(input: ParseStream) -> syn::Result<TaskEntry> {
    let expected =
        |what: &'static str| move |e: syn::Error| syn::Error::new(e.span(), format!("expected {what}: {SHAPE}"));
    let state: LitStr = input.parse().map_err(expected("a Task state's name as a string literal"))?;
    input.parse::<Token![:]>().map_err(expected("`:` after the state name"))?;
    let input_type: Type = input.parse().map_err(expected("the input type, a Rust type such as `crate::Order`"))?;
    input.parse::<Token![->]>().map_err(expected("`->` and the output type after the input type"))?;
    let output_type: Type = input.parse().map_err(expected("the output type, a Rust type such as `crate::Receipt`"))?;
    Ok(TaskEntry { state, input: input_type.into_token_stream(), output: output_type.into_token_stream() })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
mod tests {
    use super::*;
    use quote::quote;

    fn error(value: TokenStream) -> String {
        match parse(&value) {
            Ok(_) => panic!("`{value}` parsed"),
            Err(err) => err.to_string(),
        }
    }

    #[test]
    fn entries_keep_their_order_and_types() {
        let value = quote!({ "Validate Order": crate::Order -> Vec<crate::Line>, "Ship": () -> ::asl_runtime::Value, });
        let entries = parse(&value).unwrap();
        let shown: Vec<(String, String, String)> =
            entries.iter().map(|e| (e.state.value(), e.input.to_string(), e.output.to_string())).collect();
        assert_eq!(
            shown,
            [
                ("Validate Order".into(), "crate :: Order".into(), "Vec < crate :: Line >".into()),
                ("Ship".into(), "()".into(), ":: asl_runtime :: Value".into()),
            ]
        );
        assert!(parse(&quote!({})).unwrap().is_empty());
    }

    #[test]
    fn malformed_entries_say_what_is_expected() {
        assert!(error(quote!(["A": B -> C])).starts_with("expected the task types in braces"));
        assert!(error(quote!({ A: B -> C })).starts_with("expected a Task state's name as a string literal"));
        assert!(error(quote!({ "A" B -> C })).starts_with("expected `:` after the state name"));
        assert!(error(quote!({ "A": -> C })).starts_with("expected the input type"));
        assert!(error(quote!({ "A": B => C })).starts_with("expected `->` and the output type"));
        assert!(error(quote!({ "A": B -> })).starts_with("expected the output type"));
        assert!(error(quote!({ "A": B -> C "D": E -> F })).starts_with("expected `,` between task entries"));
    }
}
