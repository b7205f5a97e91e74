//! The handler trait: one method per Task state, and `Typed`, which adapts an
//! implementation of it to the runtime's dynamic `TaskHandler`.
//!
//! A typed trait rather than a name-keyed map means a Task state without a handler is a
//! compile error ("not all trait items implemented, missing: `charge_card`"), and the driver
//! dispatches by a `match` on the task's index, never by its name.

use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::quote;

use super::Namer;
use crate::ir::{ContainerId, Machine, StateId, StateKind};

/// Every Task state, numbered in definition order: the states of a container in order, with
/// a Parallel's branches and a Map's processor visited where the Parallel or Map stands. This
/// is the `task` index of `TaskDef` and the order of the trait's methods.
pub(super) fn task_states(machine: &Machine) -> Vec<(ContainerId, StateId)> {
    let mut out = Vec::new();
    if !machine.containers.is_empty() {
        walk(machine, ContainerId(0), &mut out, 0);
    }
    out
}

/// Appends the Task states of container `id`, descending into nested containers.
fn walk(machine: &Machine, id: ContainerId, out: &mut Vec<(ContainerId, StateId)>, depth: usize) {
    // Containers nest as deep as the definition does (which the reader limits); the guard
    // only keeps a malformed IR with an ownership cycle from recursing forever.
    let Some(container) = machine.containers.get(id.0).filter(|_| depth <= machine.containers.len()) else {
        return;
    };
    for (i, state) in container.states.iter().enumerate() {
        match &state.kind {
            StateKind::Task(_) => out.push((id, StateId(i))),
            StateKind::Parallel { branches, .. } => {
                for branch in branches {
                    walk(machine, *branch, out, depth + 1);
                }
            }
            StateKind::Map(map) => walk(machine, map.processor, out, depth + 1),
            _ => {}
        }
    }
}

/// `pub trait Handlers` and `pub struct Typed<H>` with its `TaskHandler` implementation.
pub(super) fn handlers(
    machine: &Machine,
    tasks: &[(ContainerId, StateId)],
    rt: &TokenStream,
    workflow: &str,
) -> TokenStream {
    let json = quote!(#rt::__private::serde_json);
    let result = quote!(::core::result::Result<#json::Value, #rt::Error>);
    let mut namer = Namer::default();
    let mut methods = Vec::new();
    let mut arms = Vec::new();
    for (number, (cid, sid)) in tasks.iter().enumerate() {
        let Some(container) = machine.containers.get(cid.0) else { continue };
        let Some(state) = container.states.get(sid.0) else { continue };
        let resource = match &state.kind {
            StateKind::Task(task) => task.resource.arn.as_str(),
            _ => "",
        };
        let method = Ident::new(&namer.snake(&state.name), Span::call_site());
        let place = match container.owner {
            Some(_) => format!(" in {}", super::describe(machine, container)),
            None => String::new(),
        };
        let doc = format!(" Task state `{}`{place}: `{resource}`.", state.name);
        methods.push(quote! {
            #[doc = #doc]
            fn #method(
                &self,
                input: #json::Value,
                context: &#json::Value,
            ) -> impl ::core::future::Future<Output = #result> + ::core::marker::Send;
        });
        let number = Literal::usize_unsuffixed(number);
        // Fully qualified, so a task named like a method of another trait (`clone`) still
        // resolves to the handler.
        arms.push(
            quote! { #number => ::std::boxed::Box::pin(<H as Handlers>::#method(&self.0, call.input, call.context)), },
        );
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
