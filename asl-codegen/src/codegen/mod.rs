//! IR → Rust tokens.
//!
//! For now a workflow expands to the shape of its machine: one `enum` per container (the
//! top level, each Parallel branch, each Map processor) with one variant per state, and
//! constants to navigate them. The async state machine and handler trait come with the
//! code-generation issue and build on these enums.

mod naming;

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};

use crate::Settings;
use crate::ir::{Container, Machine};

pub(crate) use naming::Namer;

/// The Rust items for a lowered machine.
pub(crate) fn generate(machine: &Machine, _settings: &Settings) -> TokenStream {
    let names = enum_names(machine);
    let enums = machine.containers.iter().zip(&names).map(|(c, name)| container_enum(machine, c, name));
    quote! { #(#enums)* }
}

/// The same public items with no states: emitted after a `compile_error!`, so code that
/// uses the generated module still resolves and the user sees only the real error.
pub(crate) fn fallback(_settings: &Settings) -> TokenStream {
    quote! {
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
    }
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
                    let owner_name = machine
                        .containers
                        .get(owner.container.0)
                        .and_then(|oc| oc.states.get(owner.state.0))
                        .map_or("Nested", |s| s.name.as_str());
                    let owner_ident = naming::to_camel_case(owner_name);
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

fn container_enum(machine: &Machine, container: &Container, name: &Ident) -> TokenStream {
    let mut namer = Namer::default();
    let variants: Vec<Ident> = container.states.iter().map(|s| format_ident!("{}", namer.camel(&s.name))).collect();
    let docs = container.states.iter().map(|s| format!(" `{}` ({})", s.name, kind_name(&s.kind)));
    let state_names: Vec<&str> = container.states.iter().map(|s| s.name.as_str()).collect();
    let start = variants.get(container.start.0);
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

fn kind_name(kind: &crate::ir::StateKind) -> &'static str {
    use crate::ir::StateKind::*;
    match kind {
        Pass { .. } => "Pass",
        Task(_) => "Task",
        Choice { .. } => "Choice",
        Wait(_) => "Wait",
        Succeed => "Succeed",
        Fail { .. } => "Fail",
        Parallel { .. } => "Parallel",
        Map(_) => "Map",
    }
}

/// "the state machine", "branch 0 of Parallel state `Checks`", "the item processor of Map state `Items`".
fn describe(machine: &Machine, container: &Container) -> String {
    let Some(owner) = container.owner else {
        return "the state machine".to_string();
    };
    let owner_name = machine
        .containers
        .get(owner.container.0)
        .and_then(|c| c.states.get(owner.state.0))
        .map_or("?", |s| s.name.as_str());
    match container.kind {
        crate::ast::ContainerKind::Branch => format!("branch {} of Parallel state `{owner_name}`", owner.index),
        _ => format!("the item processor of Map state `{owner_name}`"),
    }
}
