//! azurerm_role_assignment.

use ahds_model::Known;

use super::{Builder, Mapped, Res, resource_from};

impl<'p, 'a> Builder<'p, 'a> {
    pub(super) fn role_assignment(&mut self, res: &Res<'_, 'a>) -> Mapped<()> {
        let c = self.common(res)?;
        let a = res.attrs;
        let scope = self
            .reference(res, a.get("scope"), &["scope"], 0)?
            .unwrap_or(Known::Unknown);
        let (principal_id, principal_of) =
            self.principal(res, a.get("principal_id"), &["principal_id"]);
        // azurerm computes `role_definition_id` from `role_definition_name` (and the
        // reverse), so the one the configuration sets is known.
        let role_definition_id = a.get("role_definition_id").str();
        let role_definition_name = a.get("role_definition_name").str();
        let ra = resource_from!(RoleAssignment, c, {
            scope: scope,
            role_definition_id: role_definition_id,
            role_definition_name: role_definition_name,
            principal_id: principal_id,
            principal_of: principal_of,
        });
        self.estate
            .role_assignments
            .get_or_insert_with(Vec::new)
            .push(ra);
        Ok(())
    }
}
