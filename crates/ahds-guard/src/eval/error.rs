//! Why an estate could not be evaluated.

/// Why an estate could not be evaluated at all. Rule failures do not end up here: they are
/// reported per rule in [`crate::Report::errors`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EvaluateError {
    /// The estate has problems no rule can reason around (duplicate resources, say).
    #[error("invalid estate: {}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    InvalidEstate(Vec<ahds_model::EstateProblem>),
    /// The policy input document could not be built.
    #[error("cannot build the policy input: {0}")]
    Input(String),
}
