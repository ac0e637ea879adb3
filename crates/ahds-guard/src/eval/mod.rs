//! Evaluation: the engines (regorus's bytecode VM and interpreter), the policy input
//! document built from an estate, and the evaluator that runs the rules on it.

pub(crate) mod backend;
pub(crate) mod error;
pub(crate) mod evaluator;
pub(crate) mod input_document;

pub(crate) use evaluator::{EvalStats, Evaluator};
