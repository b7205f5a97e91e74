//! The handler trait: one method per Task state, and `Typed`, which adapts an
//! implementation of it to the runtime's dynamic `TaskHandler`.
//!
//! A typed trait rather than a name-keyed map means a Task state without a handler is a
//! compile error ("not all trait items implemented, missing: `charge_card`"), and the driver
//! dispatches by a `match` on the task's index, never by its name.
//!
//! A method takes and returns `serde_json::Value` unless the settings give its Task state
//! Rust types ([`Settings::with_task_types`]); then it takes and returns those, and its arm
//! in `Typed` converts through the runtime's `typed_task`. The types are the user's own
//! text, resolved where the code is included, so rustc checks them and their serde bounds
//! (prost-build's `extern_path` works the same way).

use std::collections::HashMap;

use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::{ToTokens, quote};

use asl_machine::machine::StateKind;

use super::Namer;
use crate::ir::{ContainerId, Machine, StateId};
use crate::{Settings, TaskTypeError};

/// The Rust types one Task state's method takes and returns, parsed.
#[derive(Clone, Debug)]
pub(super) struct Signature {
    /// What the effective input is deserialised into.
    input: TokenStream,
    /// What the method returns, serialised into the task's result.
    output: TokenStream,
}

/// Matches the settings' task types to the Task states: for each task (in handler-trait
/// order, `machine.tasks`) the types its method uses (`None`: JSON values), and every entry
/// that fits no Task state, repeats one, or holds a type that does not parse.
pub(super) fn signatures(
    machine: &Machine,
    settings: &Settings,
    workflow: &str,
) -> (Vec<Option<Signature>>, Vec<TaskTypeError>) {
    let tasks = &machine.tasks;
    let mut signatures = vec![None; tasks.len()];
    let mut errors = Vec::new();
    if settings.task_types().is_empty() {
        return (signatures, errors);
    }
    let task_numbers: HashMap<&str, usize> =
        tasks.iter().enumerate().map(|(number, (cid, sid))| (super::state_name(machine, *cid, *sid), number)).collect();
    let mut first_entry: HashMap<&str, usize> = HashMap::new();
    for (entry, types) in settings.task_types().iter().enumerate() {
        let mut fail = |message: String| errors.push(TaskTypeError { entry, message });
        let state = types.state.as_str();
        let Some(&number) = task_numbers.get(state) else {
            fail(not_a_task(machine, tasks, state, workflow));
            continue;
        };
        if let Some(first) = first_entry.insert(state, entry) {
            // Keep the first entry's place, so a third is reported against it too.
            first_entry.insert(state, first);
            fail(format!("Task state `{state}` is given types more than once"));
            continue;
        }
        let parse = |what: &str, text: &str| {
            syn::parse_str::<syn::Type>(text)
                .map(|ty| ty.into_token_stream())
                .map_err(|e| format!("the {what} type `{text}` of Task state `{state}` is not a Rust type: {e}"))
        };
        match (parse("input", &types.input), parse("output", &types.output)) {
            (Ok(input), Ok(output)) => signatures[number] = Some(Signature { input, output }),
            (Err(message), _) | (_, Err(message)) => fail(message),
        }
    }
    (signatures, errors)
}

/// Why `state` cannot be given types: it names a state of another type, or none.
fn not_a_task(machine: &Machine, tasks: &[(ContainerId, StateId)], state: &str, workflow: &str) -> String {
    let found = machine.workflow.containers.iter().flat_map(|c| c.states).find(|s| s.name == state);
    if let Some(found) = found {
        let kind = super::kind_name(&found.kind);
        return format!("`{state}` is a {kind} state; only Task states have handler methods to give types to");
    }
    let task_names = tasks.iter().map(|(cid, sid)| super::state_name(machine, *cid, *sid));
    let hint = match crate::diagnostic::did_you_mean(state, task_names.clone()) {
        Some(close) => format!(" (did you mean `{close}`?)"),
        None => {
            let names: Vec<String> = task_names.map(|name| format!("`{name}`")).collect();
            match names.is_empty() {
                true => " (it has no Task states)".to_owned(),
                false => format!(" (its Task states: {})", names.join(", ")),
            }
        }
    };
    format!("workflow `{workflow}` has no state named `{state}`{hint}")
}

/// `pub trait Handlers` and `pub struct Typed<H>` with its `TaskHandler` implementation.
/// `signatures` holds, per task, the types the settings give it.
pub(super) fn handlers(
    machine: &Machine,
    signatures: &[Option<Signature>],
    rt: &TokenStream,
    workflow: &str,
) -> TokenStream {
    let json = quote!(#rt::__private::serde_json);
    let result = quote!(::core::result::Result<#json::Value, #rt::Error>);
    let mut namer = Namer::default();
    let mut methods = Vec::new();
    let mut arms = Vec::new();
    for (number, (cid, sid)) in machine.tasks.iter().enumerate() {
        let Some(state) = machine.state(*cid, *sid) else { continue };
        let signature = signatures.get(number).and_then(Option::as_ref);
        let resource = match &state.kind {
            StateKind::Task(task) => task.resource,
            _ => "",
        };
        let method = Ident::new(&namer.snake(state.name), Span::call_site());
        let place = match cid.0 {
            0 => String::new(),
            _ => format!(" in {}", super::describe(machine, *cid)),
        };
        let doc = format!(" Task state `{}`{place}: `{resource}`.", state.name);
        let number = Literal::usize_unsuffixed(number);
        let (input, output) = match signature {
            Some(Signature { input, output }) => (input.clone(), output.clone()),
            None => (quote!(#json::Value), quote!(#json::Value)),
        };
        methods.push(quote! {
            #[doc = #doc]
            fn #method(
                &self,
                input: #input,
                context: &#json::Value,
            ) -> impl ::core::future::Future<Output = ::core::result::Result<#output, #rt::Error>>
                + ::core::marker::Send;
        });
        // Fully qualified, so a task named like a method of another trait (`clone`) still
        // resolves to the handler.
        arms.push(match signature {
            None => quote! {
                #number => ::std::boxed::Box::pin(<H as Handlers>::#method(&self.0, call.input, call.context)),
            },
            // The closure's parameter type picks what `typed_task` deserialises into; the
            // state's name goes into the cause of a conversion failure.
            Some(Signature { input, .. }) => quote! {
                #number => ::std::boxed::Box::pin(#rt::__private::typed_task(
                    call.state,
                    call.input,
                    move |input: #input| <H as Handlers>::#method(&self.0, input, call.context),
                )),
            },
        });
    }

    // The name goes into a format string: double its braces.
    let message = format!(
        "workflow `{}` has no Task state number {{task}} (asked for by state `{{}}`)",
        workflow.replace('{', "{{").replace('}', "}}")
    );
    let unknown = quote! {
        ::std::boxed::Box::pin(::core::future::ready(::core::result::Result::Err(
            #rt::Error::runtime(::std::format!(#message, call.state)),
        )))
    };
    // With no Task states a one-arm `match` would trip clippy's `match_single_binding`.
    let body = if arms.is_empty() {
        quote! { let task = call.task; #unknown }
    } else {
        quote! { match call.task { #(#arms)* task => #unknown } }
    };
    let unit_impl = methods.is_empty().then(|| {
        quote! {
            /// This workflow has no Task states: nothing to implement.
            impl Handlers for () {}
        }
    });

    quote! {
        /// The Task states of this workflow, one method per state, in definition order.
        ///
        /// Implement it and give the runtime `Typed(your_handlers)` (see [`Typed`]); a Task
        /// state without a method is a compile error. Each method receives the state's
        /// effective input (after `InputPath` and `Parameters`) and the context object
        /// (`$$`), and returns the task's result (before `ResultSelector`, `ResultPath` and
        /// `OutputPath`) or the error that `Retry` and `Catch` match.
        #[allow(dead_code)]
        pub trait Handlers: ::core::marker::Send + ::core::marker::Sync {
            #(#methods)*
        }

        #unit_impl

        /// Runs this workflow's Task states with a [`Handlers`] implementation: the
        /// runtime's `execution::TaskHandler` for it.
        #[derive(Clone, Debug, Default)]
        #[allow(dead_code)]
        pub struct Typed<H>(pub H);

        impl<H: Handlers> #rt::execution::TaskHandler for Typed<H> {
            fn invoke<'a>(
                &'a self,
                call: #rt::execution::TaskCall<'a>,
            ) -> #rt::execution::BoxFuture<'a, #result> {
                #body
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use crate::{Generator, Settings, Source, TaskTypeError};

    /// Two Task states (one in a Parallel branch), a Pass and the Parallel.
    const FLOW: &str = r#"{
      "StartAt": "Validate Order",
      "States": {
        "Validate Order": { "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Next": "Note" },
        "Note": { "Type": "Pass", "Next": "Fan" },
        "Fan": { "Type": "Parallel", "End": true, "Branches": [
          { "StartAt": "Ship", "States": { "Ship": { "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage", "End": true } } }
        ] }
      }
    }"#;

    fn generate(settings: Settings) -> crate::Generated {
        Generator::new(&settings).generate(&Source::new("order.asl.json", FLOW)).expect("the flow is valid")
    }

    fn errors(settings: Settings) -> Vec<TaskTypeError> {
        generate(settings).task_type_errors
    }

    fn error(entry: usize, message: &str) -> TaskTypeError {
        TaskTypeError { entry, message: message.to_owned() }
    }

    #[test]
    fn typed_tasks_take_and_return_their_types_and_the_rest_json() {
        let generated = generate(Settings::new().with_task_types("Ship", "crate::Shipment", "Vec<u8>"));
        assert_eq!(generated.task_type_errors, []);
        let code = generated.tokens.to_string();
        assert!(code.contains("fn ship (& self , input : crate :: Shipment , context"), "{code}");
        assert!(code.contains("Result < Vec < u8 > , :: asl_runtime :: Error >"), "{code}");
        assert!(
            code.contains("fn validate_order (& self , input : :: asl_runtime :: __private :: serde_json :: Value")
        );
        assert!(code.contains(":: asl_runtime :: __private :: typed_task (call . state , call . input"), "{code}");
        assert!(code.contains("move | input : crate :: Shipment |"), "{code}");
    }

    #[test]
    fn an_unknown_state_is_reported_with_a_suggestion() {
        let errors =
            errors(Settings::new().with_task_types("Validate Ordr", "A", "B").with_task_types("Nope", "A", "B"));
        assert_eq!(
            errors,
            [
                error(0, "workflow `order` has no state named `Validate Ordr` (did you mean `Validate Order`?)"),
                error(1, "workflow `order` has no state named `Nope` (its Task states: `Validate Order`, `Ship`)"),
            ]
        );
    }

    #[test]
    fn a_state_that_is_not_a_task_is_reported() {
        let errors = errors(Settings::new().with_task_types("Fan", "A", "B"));
        assert_eq!(
            errors,
            [error(0, "`Fan` is a Parallel state; only Task states have handler methods to give types to")]
        );
    }

    #[test]
    fn every_repeat_of_a_state_is_reported() {
        let settings = Settings::new().with_task_types("Ship", "A", "B").with_task_types("Ship", "C", "D");
        let errors = errors(settings.with_task_types("Ship", "E", "F"));
        let message = "Task state `Ship` is given types more than once";
        assert_eq!(errors, [error(1, message), error(2, message)]);
    }

    #[test]
    fn a_type_that_does_not_parse_is_reported() {
        let errors = errors(Settings::new().with_task_types("Ship", "Vec<", "()"));
        assert_eq!(errors.len(), 1);
        assert!(
            errors[0].message.starts_with("the input type `Vec<` of Task state `Ship` is not a Rust type: "),
            "{}",
            errors[0].message
        );
    }

    #[test]
    fn errors_are_also_compile_errors_in_the_tokens() {
        let generated = generate(Settings::new().with_task_types("Note", "A", "B"));
        let code = generated.tokens.to_string();
        assert!(code.contains(":: core :: compile_error ! (\"`Note` is a Pass state;"), "{code}");
        // The entry is left out: the method keeps JSON values.
        assert!(!code.contains("typed_task"), "{code}");
    }
}
