//! Identities and role grants: which principals act for a link and what they hold where.

use super::*;

impl<'a> Context<'a> {
    /// The scope role assignments must cover: the target, or a child of it (an event hub).
    pub(super) fn scope_of(&self, target: Meta<'_>, child: Option<&ChildScope>) -> Scope {
        let key = target.key();
        let mut keys = vec![key.clone()];
        let mut id = target.id.cloned();
        if let Some(ChildScope::EventHub(hub)) = child {
            let child_key = format!("{key}/eventhubs/{}", hub.to_ascii_lowercase());
            keys.push(child_key);
            id = id
                .and_then(|ns| ResourceId::parse(&format!("{}/eventhubs/{hub}", ns.as_str())).ok());
        }
        Scope { keys, id }
    }

    pub(super) fn instance_rule(&self, storage: usize, end: &ServiceEnd<'_>) -> Known<bool> {
        let sa = &self.estate.storage_accounts[storage];
        let Some(rules) = sa.network.resource_access_rules.value() else {
            return Known::Unknown;
        };
        let mut admitted_keys = vec![end.meta.key()];
        if let Some(ws) = &end.workspace {
            admitted_keys.push(ws.clone());
        }
        let mut result = Known::Value(false);
        for rule in rules {
            match rule.resource_id.value() {
                None => result = result.or(Known::Unknown),
                Some(_) => {
                    if admitted_keys.iter().any(|k| rule.admits(k)) {
                        return Known::Value(true);
                    }
                }
            }
        }
        result
    }

    pub(super) fn access_policies_grant(&self, vault: usize, principals: &[String]) -> Known<bool> {
        let kv = &self.estate.key_vaults[vault];
        let mut result = Known::Value(false);
        for p in &kv.access_policies {
            let mut keys = Vec::new();
            if let Some(o) = p.object_id.value() {
                keys.push(o.to_ascii_lowercase());
            }
            if let Some(r) = &p.object_of {
                keys.push(format!("identity:{}", self.idx.canonical(r)));
            }
            let principal = if keys.is_empty() {
                Known::Unknown
            } else {
                Known::Value(keys.iter().any(|k| principals.contains(k)))
            };
            let perms = p.key_permissions.as_ref().map(|perms| {
                ["get", "wrapkey", "unwrapkey"]
                    .iter()
                    .all(|need| perms.iter().any(|have| have.eq_ignore_ascii_case(need)))
            });
            result = result.or(principal.and(perms));
        }
        result
    }

    /// The principals of a managed identity: known object ids, plus a symbolic
    /// `identity:<key>` for each identity so references to an identity that does not exist
    /// yet (a plan) still match.
    pub(super) fn identity_of(&self, identity: &ManagedIdentity, owner: Meta<'_>) -> LinkIdentity {
        let owner_key = owner.key();
        let mut principals = Vec::new();
        let kind = identity.kind.value().copied();
        if kind.is_none_or(|k| k.has_system()) {
            if let Some(p) = identity.principal_id.value() {
                principals.push(p.to_ascii_lowercase());
            }
            if kind.is_some() {
                principals.push(format!("identity:{owner_key}"));
            }
        }
        if kind.is_none_or(|k| k.has_user()) {
            for uai in &identity.user_assigned {
                if let Some(p) = uai.principal_id.value() {
                    principals.push(p.to_ascii_lowercase());
                }
                principals.extend(self.user_identity_principals(&uai.id));
            }
        }
        principals.sort();
        principals.dedup();
        let has_identity = kind
            .map(|k| k.has_system() || (k.has_user() && !identity.user_assigned.is_empty()))
            .into();
        LinkIdentity {
            owner: owner.display_id(),
            has_identity,
            principals,
        }
    }

    pub(super) fn user_identity_principals(&self, r: &ResourceRef) -> Vec<String> {
        let key = self.idx.canonical(r);
        let mut out = vec![format!("identity:{key}")];
        if let Some(&i) = self.idx.user_identities.get(&key) {
            if let Some(p) = self.estate.user_assigned_identities[i].principal_id.value() {
                out.push(p.to_ascii_lowercase());
            }
        }
        out
    }
}

pub(super) enum ChildScope {
    EventHub(String),
}

/// The scope a role must cover: canonical keys of the target (and a child scope), and its
/// ARM id when known.
pub(super) struct Scope {
    keys: Vec<String>,
    id: Option<ResourceId>,
}

impl Scope {
    /// Every key a role assignment scope containing this one could have: the keys and each
    /// segment-boundary prefix of the id (resource group, subscription, parent resources).
    fn candidate_keys(&self) -> Vec<String> {
        let mut out = self.keys.clone();
        if let Some(id) = &self.id {
            let k = id.key();
            for (i, _) in k.match_indices('/').skip(1) {
                out.push(k[..i].to_string());
            }
            out.push(k.to_string());
        }
        out.sort();
        out.dedup();
        out
    }
}

/// Role assignments indexed by principal, so each link looks up only its identity's grants.
pub(super) struct Grants<'a> {
    idx: &'a EstateIndex,
    by_principal: foldhash::HashMap<String, Vec<&'a RoleAssignment>>,
    /// Assignments whose principal is unknown, by the canonical key of their scope.
    unattributed_by_scope: foldhash::HashMap<String, Vec<&'a RoleAssignment>>,
    /// Assignments whose principal and scope are both unknown, or whose scope is not a
    /// resource we can place.
    unattributed_anywhere: Vec<&'a RoleAssignment>,
}

impl<'a> Grants<'a> {
    pub(super) fn build(estate: &'a Estate, idx: &'a EstateIndex) -> Self {
        let mut g = Grants {
            idx,
            by_principal: foldhash::HashMap::default(),
            unattributed_by_scope: foldhash::HashMap::default(),
            unattributed_anywhere: Vec::new(),
        };
        for ra in estate.role_assignments.iter().flatten() {
            let mut keys = Vec::new();
            // A principal fixed only at deployment (a parameter) might be anyone's.
            if let Some(p) = ra
                .principal_id
                .value()
                .filter(|p| !symbolic::is_symbolic(p))
            {
                keys.push(p.to_ascii_lowercase());
            }
            if let Some(r) = &ra.principal_of {
                keys.push(format!("identity:{}", idx.canonical(r)));
            }
            if keys.is_empty() {
                match ra.scope.value() {
                    Some(s) => g
                        .unattributed_by_scope
                        .entry(idx.canonical(s))
                        .or_default()
                        .push(ra),
                    None => g.unattributed_anywhere.push(ra),
                }
                continue;
            }
            for k in keys {
                g.by_principal.entry(k).or_default().push(ra);
            }
        }
        g
    }

    /// Whether the scope of `ra` covers `scope`.
    fn covers(&self, ra: &RoleAssignment, scope: &Scope) -> Known<bool> {
        let Some(scope_of_ra) = ra.scope.value() else {
            return Known::Unknown;
        };
        match scope_of_ra {
            ResourceRef::Id(s) => match &scope.id {
                Some(t) => Known::Value(s.contains(t) || scope.keys.iter().any(|k| k == s.key())),
                // A new target has no id yet: an existing resource's id cannot be it, but a
                // resource group or subscription might contain it.
                None if s.is_resource() => Known::Value(false),
                None => Known::Unknown,
            },
            ResourceRef::Address(a) => {
                let key = self.idx.canonical_key(a);
                if scope.keys.contains(&key) {
                    Known::Value(true)
                } else if self.idx.contains(a) {
                    Known::Value(false)
                } else {
                    // An address of something the input does not model (a resource group).
                    Known::Unknown
                }
            }
        }
    }

    fn role_matches(ra: &RoleAssignment, role: BuiltInRole) -> Known<bool> {
        let id = ra.role_definition_id.as_ref();
        let name = ra.role_definition_name.as_ref();
        let id_v = id.and_then(|k| k.value()).map(String::as_str);
        let name_v = name.and_then(|k| k.value()).map(String::as_str);
        if let Some(r) = builtin_role(id_v, name_v) {
            return Known::Value(r == role);
        }
        // A role definition id names its role by its last segment, the GUID: a template's
        // `subscriptionResourceId(...)` leaves the subscription a symbol, not the role.
        let id_role = id_v.map(|v| v.rsplit('/').next().unwrap_or(v));
        let unknown = id.is_some_and(Known::is_unknown)
            || name.is_some_and(Known::is_unknown)
            || id_role.is_some_and(symbolic::is_symbolic)
            || name_v.is_some_and(symbolic::is_symbolic);
        if unknown {
            Known::Unknown
        } else {
            Known::Value(false)
        }
    }

    fn assignments_for(&self, principals: &[String]) -> Vec<&'a RoleAssignment> {
        let mut out: Vec<&RoleAssignment> = principals
            .iter()
            .filter_map(|p| self.by_principal.get(p))
            .flatten()
            .copied()
            .collect();
        out.sort_by_key(|ra| *ra as *const RoleAssignment);
        out.dedup_by_key(|ra| *ra as *const RoleAssignment);
        out
    }

    pub(super) fn holds(
        &self,
        principals: &[String],
        scope: &Scope,
        role: BuiltInRole,
    ) -> Known<bool> {
        let mut result = Known::Value(false);
        for ra in self.assignments_for(principals) {
            result = result.or(self.covers(ra, scope).and(Self::role_matches(ra, role)));
            if result == Known::Value(true) {
                return result;
            }
        }
        // Assignments to a principal not known yet might be this identity's.
        let candidates = scope.candidate_keys();
        let unattributed = candidates
            .iter()
            .filter_map(|k| self.unattributed_by_scope.get(k))
            .flatten()
            .chain(self.unattributed_anywhere.iter());
        for ra in unattributed {
            if self.covers(ra, scope).and(Self::role_matches(ra, role)) != Known::Value(false) {
                return result.or(Known::Unknown);
            }
        }
        result
    }

    pub(super) fn privileged(&self, principals: &[String], scope: &Scope) -> Vec<PrivilegedGrant> {
        let mut out = Vec::new();
        for ra in self.assignments_for(principals) {
            for role in [
                roles::OWNER,
                roles::CONTRIBUTOR,
                roles::USER_ACCESS_ADMINISTRATOR,
            ] {
                if Self::role_matches(ra, role) == Known::Value(true)
                    && self.covers(ra, scope) == Known::Value(true)
                {
                    out.push(PrivilegedGrant {
                        role: role.name,
                        scope: ra.scope.value().map(|s| s.to_string()).unwrap_or_default(),
                        assignment: ra.meta().display_id(),
                    });
                }
            }
        }
        out.sort_by(|a, b| (&a.assignment, a.role).cmp(&(&b.assignment, b.role)));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assignment(role_definition_id: &str) -> RoleAssignment {
        serde_json::from_value(serde_json::json!({
            "name": "ra",
            "scope": "/subscriptions/s/resourceGroups/rg",
            "role_definition_id": role_definition_id,
            "principal_id": "p"
        }))
        .unwrap()
    }

    #[test]
    fn a_role_is_known_by_its_guid_whatever_the_subscription() {
        let reader = "acdd72a7-3385-48ef-bd42-f606fba81ae7";
        let contributor = roles::STORAGE_BLOB_DATA_CONTRIBUTOR;
        // A template's subscriptionResourceId(...) leaves the subscription a symbol.
        let templated = format!(
            "/subscriptions/{{subscriptionId}}/providers/Microsoft.Authorization/roleDefinitions/{reader}"
        );
        assert_eq!(
            Grants::role_matches(&assignment(&templated), contributor),
            Known::Value(false)
        );
        let own = format!(
            "/subscriptions/{{subscriptionId}}/providers/Microsoft.Authorization/roleDefinitions/{}",
            contributor.guid
        );
        assert_eq!(
            Grants::role_matches(&assignment(&own), contributor),
            Known::Value(true)
        );
        // The role itself given as a symbol stays unknown.
        let symbol = "/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/{roleId}";
        assert_eq!(
            Grants::role_matches(&assignment(symbol), contributor),
            Known::Unknown
        );
    }
}
