//! Managed identities and the principals that act for them, as azurerm writes them.

use super::*;

impl<'p, 'a> Builder<'p, 'a> {
    /// The `identity` block of a resource.
    pub(crate) fn identity(&self, res: &Res<'_, 'a>) -> Mapped<ManagedIdentity> {
        let Some(block) = res.attrs.block("identity") else {
            return Ok(ManagedIdentity::default());
        };
        if block.is_unknown() {
            return Ok(ManagedIdentity {
                kind: Known::Unknown,
                ..ManagedIdentity::default()
            });
        }
        let kind = match block.get("type").str() {
            None => Known::Value(IdentityType::None),
            Some(Known::Unknown) => Known::Unknown,
            Some(Known::Value(t)) => {
                Known::Value(crate::util::identity_type(&t).ok_or_else(|| Bad {
                    attr: "identity/0/type".into(),
                    message: format!("unknown identity type `{t}`"),
                })?)
            }
        };
        let mut user_assigned = Vec::new();
        let ids = block.get("identity_ids");
        match ids.strings() {
            Some(Known::Value(list)) => {
                for s in list {
                    user_assigned.push(UserAssignedIdentityRef {
                        principal_id: self.uai_principal(&ResourceRef::parse(&s).ok()),
                        id: parse_ref(&s, "identity/0/identity_ids")?,
                    });
                }
            }
            Some(Known::Unknown) => {
                for (_, found) in self.targets(res, &["identity", "identity_ids"], 0) {
                    if let Some(f) = found {
                        let r = self.ref_of(f);
                        user_assigned.push(UserAssignedIdentityRef {
                            principal_id: f
                                .attrs()
                                .get("principal_id")
                                .str()
                                .unwrap_or(Known::Unknown),
                            id: r,
                        });
                    }
                }
            }
            None => {}
        }
        Ok(ManagedIdentity {
            kind,
            principal_id: block.get("principal_id").str().unwrap_or(Known::Unknown),
            user_assigned,
        })
    }

    pub(super) fn uai_principal(&self, r: &Option<ResourceRef>) -> Known<String> {
        let Some(id) = r else { return Known::Unknown };
        self.plan
            .by_id("azurerm_user_assigned_identity", id.key())
            .and_then(|u| u.attrs().get("principal_id").str())
            .unwrap_or(Known::Unknown)
    }

    /// A principal id that may be unknown: also returns the resource whose managed identity
    /// it comes from, when the configuration says so.
    pub(crate) fn principal(
        &self,
        res: &Res<'_, 'a>,
        attr: Attr<'a>,
        path: &[&str],
    ) -> (Known<String>, Option<ResourceRef>) {
        self.principal_in(res, attr, path, 0)
    }

    /// [`Builder::principal`] of the `block`th of repeated nested blocks.
    pub(crate) fn principal_in(
        &self,
        res: &Res<'_, 'a>,
        attr: Attr<'a>,
        path: &[&str],
        block: usize,
    ) -> (Known<String>, Option<ResourceRef>) {
        match attr.str() {
            Some(Known::Value(p)) => (Known::Value(p), None),
            None => (Known::Unknown, None),
            Some(Known::Unknown) => {
                let of = self
                    .targets(res, path, block)
                    .into_iter()
                    .find_map(|(t, found)| {
                        let f = found?;
                        let reads_principal = t
                            .attr
                            .last()
                            .is_some_and(|a| a == "principal_id" || a == "object_id");
                        reads_principal.then(|| self.ref_of(f))
                    });
                (Known::Unknown, of)
            }
        }
    }
}
