//! Writing a description as Rust: [`Emit`] turns a value into the tokens of a constant
//! expression that constructs it. This is how generated code holds a machine: one `static`
//! initialised with the emitted containers.
//!
//! Each type's implementation sits right beside the type, written with the crate's
//! `emit_struct!`/`emit_enum!` macros (or by hand where the tokens are special). Both
//! destructure the value exhaustively, so a field or variant added to a type and not to its
//! emission is a compile error rather than a machine that silently lost a field.
//!
//! Types are named through a path given by the caller (`rt`, e.g. `::asl_runtime`) followed
//! by this crate's module path (`#rt::path::Path`): the crate that generated code depends on
//! re-exports the description at the same module paths.
//!
//! References are emitted as `&` and the referent's constant expression. In a `static`
//! initializer, a borrow of a constant expression lives for `'static`, so nested data needs
//! no names of its own (and adds none to the user's module). The one exception is a JSONata
//! [`Expression`](crate::jsonata::Expression), whose engine cache has interior mutability:
//! it becomes a `static` of its own in a block.

use std::borrow::Cow;

use proc_macro2::{Literal, TokenStream};
use quote::quote;

/// A value that can be written as the Rust tokens that construct it.
pub trait Emit {
    /// Tokens of a constant expression with this value, naming types through `rt` (the path
    /// of the crate that re-exports this crate's modules, e.g. `::asl_runtime`).
    fn emit(&self, rt: &TokenStream) -> TokenStream;

    /// Tokens of a constant expression of type `&'static Self`: by default `&` before
    /// [`Emit::emit`], which a `static` initializer extends to `'static`.
    fn emit_ref(&self, rt: &TokenStream) -> TokenStream {
        let value = self.emit(rt);
        quote!(&#value)
    }
}

impl<T: Emit + ?Sized> Emit for &T {
    fn emit(&self, rt: &TokenStream) -> TokenStream {
        (**self).emit_ref(rt)
    }
}

/// An array expression; by reference, `&[…]`.
impl<T: Emit> Emit for [T] {
    fn emit(&self, rt: &TokenStream) -> TokenStream {
        let items = self.iter().map(|item| item.emit(rt));
        quote!([ #(#items),* ])
    }
}

/// A string literal, whose type is `&'static str` already, so [`Emit::emit_ref`] gives
/// the same tokens.
impl Emit for str {
    fn emit(&self, _rt: &TokenStream) -> TokenStream {
        quote!(#self)
    }

    fn emit_ref(&self, rt: &TokenStream) -> TokenStream {
        self.emit(rt)
    }
}

/// `Cow::Borrowed` of the emitted reference, whichever form the value has: the data is
/// `static` either way.
impl<B: Emit + ToOwned + ?Sized> Emit for Cow<'static, B> {
    fn emit(&self, rt: &TokenStream) -> TokenStream {
        let borrowed = (**self).emit_ref(rt);
        quote!(::std::borrow::Cow::Borrowed(#borrowed))
    }
}

impl<T: Emit> Emit for Option<T> {
    fn emit(&self, rt: &TokenStream) -> TokenStream {
        match self {
            Some(value) => {
                let value = value.emit(rt);
                quote!(::core::option::Option::Some(#value))
            }
            None => quote!(::core::option::Option::None),
        }
    }
}

impl<A: Emit, B: Emit> Emit for (A, B) {
    fn emit(&self, rt: &TokenStream) -> TokenStream {
        let (a, b) = (self.0.emit(rt), self.1.emit(rt));
        quote!((#a, #b))
    }
}

impl Emit for bool {
    fn emit(&self, _rt: &TokenStream) -> TokenStream {
        quote!(#self)
    }
}

/// Unsigned integers are unsuffixed literals: the field's type decides, and a value out of
/// its range is rustc's "literal out of range" error rather than a silent wrap.
macro_rules! emit_unsigned {
    ($($ty:ty),*) => {$(
        impl Emit for $ty {
            fn emit(&self, _rt: &TokenStream) -> TokenStream {
                let literal = Literal::u128_unsuffixed(u128::from(*self));
                quote!(#literal)
            }
        }
    )*};
}
emit_unsigned!(u16, u32, u64);

/// Signed integers are unsuffixed literals with a separate minus sign (the form rustc and
/// syn accept everywhere, `i64::MIN` included).
macro_rules! emit_signed {
    ($($ty:ty),*) => {$(
        impl Emit for $ty {
            fn emit(&self, _rt: &TokenStream) -> TokenStream {
                let abs = Literal::u128_unsuffixed(u128::from(self.unsigned_abs()));
                if *self < 0 { quote!(-#abs) } else { quote!(#abs) }
            }
        }
    )*};
}
emit_signed!(i64, i128);

/// A float literal; the non-finite values (which JSON cannot hold) through their constants.
impl Emit for f64 {
    fn emit(&self, _rt: &TokenStream) -> TokenStream {
        let f = *self;
        if f.is_nan() {
            quote!(::core::f64::NAN)
        } else if f.is_infinite() {
            if f > 0.0 { quote!(::core::f64::INFINITY) } else { quote!(::core::f64::NEG_INFINITY) }
        } else {
            let abs = Literal::f64_unsuffixed(f.abs());
            if f.is_sign_negative() { quote!(-#abs) } else { quote!(#abs) }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // failing loudly is a test's job
mod tests {
    use super::*;
    use crate::path::{Literal as Lit, Path, Root, Segment};

    fn rt() -> TokenStream {
        quote!(::asl_runtime)
    }

    fn text(value: &impl Emit) -> String {
        value.emit(&rt()).to_string()
    }

    #[test]
    fn numbers_are_literals_with_a_separate_sign() {
        assert_eq!(text(&-5i64), "- 5");
        assert_eq!(text(&i64::MIN), "- 9223372036854775808");
        assert_eq!(text(&1.5f64), "1.5");
        assert_eq!(text(&-2.0f64), "- 2.0");
        assert_eq!(text(&f64::INFINITY), ":: core :: f64 :: INFINITY");
        assert_eq!(text(&7u16), "7");
    }

    #[test]
    fn references_borrow_and_strings_stay_literals() {
        static SEGMENTS: [Segment; 2] = [Segment::Field("a"), Segment::Index(-1)];
        let path = Path { root: Root::Variable("v"), segments: &SEGMENTS, text: "$v.a[-1]" };
        assert_eq!(
            text(&&path),
            "& :: asl_runtime :: path :: Path { root : :: asl_runtime :: path :: Root :: Variable (\"v\") , \
             segments : & [:: asl_runtime :: path :: Segment :: Field (\"a\") , \
             :: asl_runtime :: path :: Segment :: Index (- 1)] , text : \"$v.a[-1]\" }"
        );
        let literal: Option<&Lit> = Some(&Lit::Object(&[("k", Lit::Null)]));
        assert_eq!(
            text(&literal),
            ":: core :: option :: Option :: Some (& :: asl_runtime :: path :: Literal :: Object \
             (& [(\"k\" , :: asl_runtime :: path :: Literal :: Null)]))"
        );
    }

    #[test]
    fn cows_are_borrowed() {
        let names: Cow<'static, [Cow<'static, str>]> = Cow::Owned(vec![Cow::Owned("E".to_string())]);
        assert_eq!(
            text(&names),
            ":: std :: borrow :: Cow :: Borrowed (& [:: std :: borrow :: Cow :: Borrowed (\"E\")])"
        );
    }
}
