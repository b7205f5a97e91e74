//! Lowered machine → Rust tokens.
//!
//! A workflow expands to:
//!
//! - one `enum` per container (the top level, each Parallel branch, each Map processor)
//!   with one variant per state, and constants to navigate them;
//! - `CONTAINERS` and `WORKFLOW`: the description of the machine, which the runtime's
//!   driver walks, written as `static` data by its own `Emit` (asl-machine);
//! - `UNSUPPORTED`: why the runtime cannot run the workflow yet, if it cannot;
//! - the `Handlers` trait with one method per Task state (taking and returning JSON values,
//!   or the types the settings give the state), and `Typed`, which turns an
//!   implementation into the runtime's task handler ([`handlers`]).
//!
//! Every runtime item is named through [`Settings::runtime_path`], parsed once.

mod handlers;
mod naming;

use asl_machine::emit::Emit;
use asl_machine::machine::{StateKind, Workflow};
use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::{format_ident, quote};

use crate::ir::{ContainerId, Machine, StateId};
use crate::{Settings, TaskTypeError};

pub(crate) use naming::Namer;

/// The Rust items for a lowered machine, and the task-type settings that fit none of its
/// Task states (each also a `compile_error!` in the items).
pub(crate) fn generate(machine: &Machine, settings: &Settings) -> (TokenStream, Vec<TaskTypeError>) {
    let (rt, rt_error) = runtime_path(settings);
    let names = enum_names(machine);
    let enums =
        (0..machine.containers.len()).zip(&names).map(|(c, name)| container_enum(machine, ContainerId(c), name));

    // Every field is written: the containers by their own `Emit`, the rest here, so a field
    // added to `Workflow` is a compile error until it is.
    let Workflow { name, containers, timeout_seconds, unsupported } = machine.workflow;
    let initializer = (**containers).emit(&rt);
    let count = Literal::usize_unsuffixed(containers.len());
    let timeout = timeout_seconds.emit(&rt);
    let unsupported = unsupported.emit(&rt);
    let container_docs = (0..containers.len()).map(|i| format!(" - `[{i}]`: {}", describe(machine, ContainerId(i))));
    let (signatures, task_type_errors) = handlers::signatures(machine, settings, name);
    let settings_errors = task_type_errors.iter().map(|error| {
        let msg = &error.message;
        quote!(::core::compile_error!(#msg);)
    });
    let handlers = handlers::handlers(machine, &signatures, &rt, name);

    let tokens = quote! {
        #rt_error
        #(#settings_errors)*
        #(#enums)*

        /// Why the runtime cannot run this workflow yet (`None` when it can). The
        /// definition is valid; running a workflow with this set fails with this message.
        #[allow(dead_code)]
        pub const UNSUPPORTED: ::core::option::Option<&str> = #unsupported;

        /// The static description of this workflow's containers, which the runtime's
        /// driver walks:
        ///
        #( #[doc = #container_docs] )*
        #[allow(dead_code)]
        // Numbers are the definition's data, whatever they look like.
        #[allow(clippy::approx_constant, clippy::excessive_precision, clippy::unreadable_literal)]
        pub static CONTAINERS: [#rt::machine::ContainerDef; #count] = #initializer;

        /// This workflow, ready for the runtime: its name and its [`CONTAINERS`].
        #[allow(dead_code)]
        pub static WORKFLOW: #rt::execution::Workflow =
            #rt::execution::Workflow {
                name: #name,
                containers: &CONTAINERS,
                timeout_seconds: #timeout,
                unsupported: UNSUPPORTED,
            };

        #handlers
    };
    (tokens, task_type_errors)
}

/// The same public items with no states: emitted after a `compile_error!`, so code that
/// uses the generated module still resolves and the user sees only the real error.
///
/// `Handlers` and `Typed` are left out on purpose: an empty trait would turn each method of
/// the user's implementation into an error of its own, where a missing trait is one.
pub(crate) fn fallback(settings: &Settings) -> TokenStream {
    let (rt, rt_error) = runtime_path(settings);
    quote! {
        #rt_error
        /// States of the state machine (empty: the definition has errors).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum State {}
        impl State {
            /// Every state, in definition order.
            pub const ALL: &'static [State] = &[];
            /// The state's name as written in the definition.
            pub const fn name(self) -> &'static str {
                match self {}
            }
            /// The state with the given name.
            pub fn from_name(_name: &str) -> ::core::option::Option<Self> {
                ::core::option::Option::None
            }
        }
        /// Why the workflow cannot run: its definition has errors.
        #[allow(dead_code)]
        pub const UNSUPPORTED: ::core::option::Option<&str> =
            ::core::option::Option::Some("the definition has errors");
        /// No containers: the definition has errors.
        #[allow(dead_code)]
        pub static CONTAINERS: [#rt::machine::ContainerDef; 0] = [];
        /// The workflow (empty: the definition has errors).
        #[allow(dead_code)]
        pub static WORKFLOW: #rt::execution::Workflow =
            #rt::execution::Workflow {
                name: "",
                containers: &CONTAINERS,
                timeout_seconds: ::core::option::Option::None,
                unsupported: UNSUPPORTED,
            };
    }
}

/// The runtime path as tokens, and a `compile_error!` if the setting does not parse (then
/// `::asl_runtime` stands in, so the rest of the output still makes sense).
fn runtime_path(settings: &Settings) -> (TokenStream, Option<TokenStream>) {
    let text = settings.runtime_path();
    match text.parse::<TokenStream>() {
        Ok(tokens) if !tokens.is_empty() => (tokens, None),
        _ => {
            let msg = format!("the runtime path `{text}` is not a Rust path");
            (quote!(::asl_runtime), Some(quote!(::core::compile_error!(#msg);)))
        }
    }
}

/// The name of a state, or `?` if the ids do not resolve.
fn state_name(machine: &Machine, container: ContainerId, state: StateId) -> &'static str {
    machine.state(container, state).map_or("?", |s| s.name)
}

/// Enum names per container: `State` for the top level, `<Owner>Branch<i>State` for
/// Parallel branches and `<Owner>ItemState` for Map processors.
fn enum_names(machine: &Machine) -> Vec<Ident> {
    let mut namer = Namer::default();
    machine
        .containers
        .iter()
        .map(|c| {
            let base = match c.owner {
                None => "State".to_string(),
                Some(owner) => {
                    let owner_ident = naming::to_camel_case(state_name(machine, owner.container, owner.state));
                    match c.kind {
                        crate::ast::ContainerKind::Branch => format!("{owner_ident}Branch{}State", owner.index),
                        _ => format!("{owner_ident}ItemState"),
                    }
                }
            };
            Ident::new(&namer.camel(&base), Span::call_site())
        })
        .collect()
}

fn container_enum(machine: &Machine, container: ContainerId, name: &Ident) -> TokenStream {
    let mut namer = Namer::default();
    let states = machine.states(container);
    let variants: Vec<Ident> = states.iter().map(|s| format_ident!("{}", namer.camel(s.name))).collect();
    let docs = states.iter().map(|s| format!(" `{}` ({})", s.name, kind_name(&s.kind)));
    let state_names: Vec<&str> = states.iter().map(|s| s.name).collect();
    let start = machine.workflow.containers.get(container.0).and_then(|c| variants.get(usize::from(c.start)));
    let what = describe(machine, container);
    let enum_doc = format!(" States of {what}.");
    let start_item = start.map(|start| {
        quote! {
            /// The `StartAt` state.
            pub const START: #name = #name::#start;
        }
    });
    quote! {
        #[doc = #enum_doc]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[allow(dead_code)] // generated: an application rarely uses every item
        pub enum #name {
            #( #[doc = #docs] #variants, )*
        }

        #[allow(dead_code)]
        impl #name {
            /// Every state, in definition order.
            pub const ALL: &'static [#name] = &[ #( #name::#variants ),* ];
            #start_item
            /// The state's name as written in the definition.
            pub const fn name(self) -> &'static str {
                match self { #( #name::#variants => #state_names, )* }
            }
            /// The state with the given name, if there is one.
            pub fn from_name(name: &str) -> ::core::option::Option<Self> {
                match name {
                    #( #state_names => ::core::option::Option::Some(#name::#variants), )*
                    _ => ::core::option::Option::None,
                }
            }
        }
    }
}

fn kind_name(kind: &StateKind) -> &'static str {
    match kind {
        StateKind::Pass { .. } => "Pass",
        StateKind::Task(_) => "Task",
        StateKind::Choice { .. } => "Choice",
        StateKind::Wait { .. } => "Wait",
        StateKind::Succeed { .. } => "Succeed",
        StateKind::Fail { .. } => "Fail",
        StateKind::Parallel { .. } => "Parallel",
        StateKind::Map(_) => "Map",
    }
}

/// "the state machine", "branch 0 of Parallel state `Checks`", "the item processor of Map state `Items`".
fn describe(machine: &Machine, container: ContainerId) -> String {
    let Some(container) = machine.containers.get(container.0) else {
        return "the state machine".to_string();
    };
    let Some(owner) = container.owner else {
        return "the state machine".to_string();
    };
    let owner_name = state_name(machine, owner.container, owner.state);
    match container.kind {
        crate::ast::ContainerKind::Branch => format!("branch {} of Parallel state `{owner_name}`", owner.index),
        _ => format!("the item processor of Map state `{owner_name}`"),
    }
}
