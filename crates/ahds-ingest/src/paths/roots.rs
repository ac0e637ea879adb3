//! Several Terraform root modules read in one run (`envs/dev`, `envs/prod`) hold the same
//! addresses: each root's addresses are qualified with the root's directory
//! (`envs/prod:azurerm_storage_account.export`), so their resources stay apart instead of
//! reading as duplicates, and every reference between them keeps pointing inside its root.

use ahds_model::{Estate, Known, ResourceRef, for_each_collection};

/// Rewrites every address of one root's estate as `<root>:<address>`.
pub(super) fn qualify(estate: &mut Estate, root: &str) {
    let q = |a: &str| format!("{root}:{a}");
    macro_rules! addresses {
        ($f:ident, $t:ty) => {
            for r in &mut estate.$f {
                if let Some(a) = &mut r.address {
                    *a = q(a);
                }
                if let Some(s) = &mut r.place {
                    if let Some(a) = &mut s.address {
                        *a = q(a);
                    }
                }
            }
        };
    }
    for_each_collection!(addresses);
    for r in estate.role_assignments.iter_mut().flatten() {
        if let Some(a) = &mut r.address {
            *a = q(a);
        }
        if let Some(s) = &mut r.place {
            if let Some(a) = &mut s.address {
                *a = q(a);
            }
        }
    }
    estate.for_each_reference_mut(&mut |r| {
        if let ResourceRef::Address(a) = r {
            *a = q(a);
        }
    });
    // Resource-instance rules name the admitted resource by address when its id is not
    // known yet.
    macro_rules! instance_rules {
        ($($f:ident),*) => {$(
            for t in &mut estate.$f {
                if let Known::Value(rules) = &mut t.network.resource_access_rules {
                    for rule in rules {
                        if let Known::Value(id) = &mut rule.resource_id {
                            if !id.starts_with('/') {
                                *id = q(id);
                            }
                        }
                    }
                }
            }
        )*};
    }
    instance_rules!(storage_accounts);
    for s in &mut estate.skipped {
        if !s.resource.starts_with('/') {
            s.resource = q(&s.resource);
        }
        if let Some(a) = s.source.as_mut().and_then(|s| s.address.as_mut()) {
            *a = q(a);
        }
    }
    for w in &mut estate.inline_waivers {
        for a in &mut w.resources {
            *a = q(a);
        }
    }
}
