//! asl-machine: the description of a state machine, as asl-rs's engine runs it.
//!
//! A validated Amazon States Language definition becomes one value of these types: a
//! [`machine::Workflow`] whose containers hold [`machine::StateDef`]s, whose fields hold
//! pre-parsed [`path::Path`]s, [`template::Template`]s, [`intrinsics::Call`]s,
//! [`choice::Rule`]s, [`retry::RetryPolicy`]s and JSONata [`jsonata::Expression`]s. Nothing
//! here evaluates anything or does I/O: asl-runtime walks and evaluates the description,
//! asl-codegen produces it.
//!
//! There is one description and one lowering (asl-codegen's) that produces it, and two ways
//! to hold the result:
//!
//! - **as Rust statics**: `include_asl!`, a build script or `asl expand` write the
//!   description as `static` data (the `emit` feature's `emit::Emit` turns each
//!   value into the tokens that construct it), so a compiled workflow costs nothing to set
//!   up;
//! - **built in process**: `asl_codegen::load` returns the description of a definition read
//!   at run time (what a server's `CreateStateMachine` does), on the same engine.
//!
//! Every reference is `&'static`, so the description of a compiled workflow lives in
//! read-only memory; a description built in process is leaked to get the same lifetimes.
//!
//! asl-runtime re-exports every type at the path generated code names it by
//! (`asl_runtime::machine::StateDef`, `asl_runtime::path::Path`, …); the module names here
//! are the same, which is what `emit::Emit` relies on.
//!
//! # Features
//!
//! - `emit`: `emit::Emit`, writing a description as Rust tokens (proc-macro2 and quote).
//! - `serde`: `Serialize`/`Deserialize` for [`retry::RetryPolicy`] (a Retrier's JSON).
#![deny(missing_docs)]

/// `impl Emit` for a struct, beside its definition: `emit_struct!(path => Path { root,
/// segments, text })` writes `#rt::path::Path { root: …, segments: …, text: … }`. The value
/// is destructured without `..`, so a field missing from the list is a compile error.
macro_rules! emit_struct {
    ($($module:ident)::+ => $ty:ident { $($field:ident),* $(,)? }) => {
        #[cfg(feature = "emit")]
        impl $crate::emit::Emit for $ty {
            fn emit(&self, rt: &::proc_macro2::TokenStream) -> ::proc_macro2::TokenStream {
                let $ty { $($field),* } = self;
                $( let $field = $crate::emit::Emit::emit($field, rt); )*
                ::quote::quote!(#rt $(::$module)+ ::$ty { $($field: #$field),* })
            }
        }
    };
}

/// `impl Emit` for an enum, beside its definition: each variant with the names of its
/// fields, `Field(name)`, `Slice { start, end, step }` or `Wildcard`. The `match` has no
/// wildcard arm, so a variant missing from the list is a compile error.
macro_rules! emit_enum {
    ($($module:ident)::+ => $ty:ident {
        $( $variant:ident $( ( $($tuple:ident),* ) )? $( { $($named:ident),* } )? ),* $(,)?
    }) => {
        #[cfg(feature = "emit")]
        impl $crate::emit::Emit for $ty {
            fn emit(&self, rt: &::proc_macro2::TokenStream) -> ::proc_macro2::TokenStream {
                let ty = ::quote::quote!(#rt $(::$module)+ ::$ty);
                match self {
                    $( $ty::$variant $( ( $($tuple),* ) )? $( { $($named),* } )? => {
                        $( $( let $tuple = $crate::emit::Emit::emit($tuple, rt); )* )?
                        $( $( let $named = $crate::emit::Emit::emit($named, rt); )* )?
                        ::quote::quote!(#ty::$variant $( ( $(#$tuple),* ) )? $( { $($named: #$named),* } )?)
                    } )*
                }
            }
        }
    };
}

pub mod choice;
pub mod dataflow;
#[cfg(feature = "emit")]
pub mod emit;
pub mod intrinsics;
pub mod jsonata;
pub mod machine;
pub mod path;
pub mod retry;
pub mod template;
