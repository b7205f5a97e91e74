//! Placeholder until this rule family lands.

use super::Context;
use crate::ast::StateMachine;
use crate::diagnostic::Diagnostics;

pub(super) fn check(_machine: &StateMachine, _cx: &Context, _diags: &mut Diagnostics) {}
