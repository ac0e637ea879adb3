//! Reading every resource of a plan: each to its mapper by the type table
//! ([`super::types`]), a failure to its place, the rest listed as skipped with the reason.

use super::types::{Pass, row};
use super::*;

impl<'p, 'a> Builder<'p, 'a> {
    pub(super) fn read_all(&mut self) {
        let plan = self.plan;
        // Resources whose attributes have the wrong kinds are reported once and not read.
        let mut misshapen = vec![false; plan.resources.len()];
        for (i, r) in plan.resources.iter().enumerate() {
            let modelled = matches!(row(&r.rtype), Some((Pass::Resource | Pass::Attach, _)));
            if !r.data && modelled {
                if let Err(bad) = shapes::check(r.values) {
                    misshapen[i] = true;
                    self.report(r, Err(bad));
                }
            }
        }
        // Role assignments present, even if none reads: role checks then run.
        if plan
            .resources
            .iter()
            .any(|r| !r.data && r.rtype == "azurerm_role_assignment")
        {
            self.estate.role_assignments = Some(Vec::new());
        }
        let readable = |i: usize, r: &PlanResource<'_>| !r.data && !misshapen[i];
        for (i, r) in plan.resources.iter().enumerate() {
            if misshapen[i] {
                continue;
            }
            if r.data {
                self.estate.skipped.push(SkippedResource {
                    resource_type: format!("data.{}", r.rtype),
                    resource: r.address.clone(),
                    reason: "data source: read-only lookups are not checked".into(),
                    source: Some(self.source(r)),
                });
                continue;
            }
            match row(&r.rtype) {
                Some((Pass::Resource, Some(map))) => self.read_one(r, map),
                Some(_) => {} // in a later pass, or read only for links
                None => self.estate.skipped.push(SkippedResource {
                    resource_type: r.rtype.clone(),
                    resource: r.address.clone(),
                    reason: "resource type not modelled: no network-access rule reads it".into(),
                    source: Some(self.source(r)),
                }),
            }
        }
        // azapi resources, together: children attach to azapi parents.
        let azapi: Vec<&PlanResource<'_>> = plan
            .resources
            .iter()
            .enumerate()
            .filter(|(i, r)| readable(*i, r) && matches!(row(&r.rtype), Some((Pass::Azapi, _))))
            .map(|(_, r)| r)
            .collect();
        self.azapi_resources(&azapi);
        // Resources that attach to others read after them.
        for (i, r) in plan.resources.iter().enumerate() {
            if let (true, Some((Pass::Attach, Some(map)))) = (readable(i, r), row(&r.rtype)) {
                self.read_one(r, map);
            }
        }
        // Updates apply to resources read above, azapi-created ones included.
        for (i, r) in plan.resources.iter().enumerate() {
            if readable(i, r) && matches!(row(&r.rtype), Some((Pass::Update, _))) {
                let res = self.res_of(r);
                let result = self.azapi_update(&res);
                self.report(r, result);
            }
        }
        // References to ids built for resources of this run name their addresses.
        let built = std::mem::take(&mut *self.built.borrow_mut());
        built.rewrite(&mut self.estate);
    }

    fn read_one(&mut self, r: &'p PlanResource<'a>, map: types::MapFn<'p, 'a>) {
        let res = self.res_of(r);
        let result = map(self, &res);
        self.report(r, result);
    }

    pub(super) fn report(&mut self, r: &PlanResource<'_>, result: Mapped<()>) {
        let Err(bad) = result else { return };
        if let Some(src) = self.sources.get(&r.address) {
            let attr = bad.attr.replace('/', ".");
            self.problems.push(IngestError::new(
                &src.file,
                Position::at(src.line.map_or(1, |l| l as usize), 1),
                format!("{} `{}`: `{attr}`: {}", r.rtype, r.address, bad.message),
            ));
            return;
        }
        self.problems.push(IngestError::new(
            self.file,
            Position::pointer(format!("{}/values/{}", r.pointer, bad.attr)),
            format!("{} `{}`: {}", r.rtype, r.address, bad.message),
        ));
    }
}
