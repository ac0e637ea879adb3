//! Nested deployments (Bicep modules): their scope, parameters, resource group and
//! outputs.

use serde_json::{Map, Value};

use super::declared::{Declared, resource_id};
use super::parameters::Parameters;
use super::scope::TemplateScope;
use super::{DEPLOYMENTS, Deployment, MAX_NESTING, Output, walk_template};
use crate::arm::expr::{Scope, eval_string, eval_value};
use crate::arm::props::{prop, str_at, unknown};

/// The template's outputs as `reference()` of its deployment shows them.
pub(super) fn outputs(template: &Value, scope: &TemplateScope<'_>) -> Value {
    let mut outputs = Map::new();
    if let Some(Value::Object(defs)) = prop(template, "outputs") {
        for (name, def) in defs {
            let value = prop(def, "value").map_or_else(
                || unknown(format!("output `{name}` has no single value")),
                |v| eval_value(v, scope, 0),
            );
            let mut o = Map::new();
            if let Some(t) = prop(def, "type") {
                o.insert("type".into(), t.clone());
            }
            o.insert("value".into(), value);
            outputs.insert(name.clone(), Value::Object(o));
        }
    }
    let mut m = Map::new();
    m.insert("outputs".into(), Value::Object(outputs));
    Value::Object(m)
}

/// A nested deployment (a Bicep module): its inline template is read in the scope it asks
/// for (`inner`: its own parameters, passed from here; `outer`, the default: this
/// template's parameters and variables), into the resource group it names, and its outputs
/// become what `reference()` of it returns. Linked templates (`templateLink`) cannot be read
/// offline.
pub(super) fn nested_deployment(
    d: &Declared<'_>,
    scope: &TemplateScope<'_>,
    name: &Value,
    address: &str,
    out: &mut Output,
    depth: usize,
) {
    let skip = |out: &mut Output, reason: String| {
        out.skipped.push((
            DEPLOYMENTS.into(),
            address.to_string(),
            d.pointer.clone(),
            reason,
        ));
    };
    let props = prop(d.value, "properties");
    let Some(inner) = props.and_then(|p| prop(p, "template")) else {
        let link = props
            .and_then(|p| str_at(p, &["templateLink", "uri"]))
            .map(|u| eval_string(u, scope))
            .and_then(|u| u.as_str().map(str::to_string));
        skip(
            out,
            match link {
                Some(uri) => format!("linked template `{uri}` (templateLink) cannot be read offline"),
                None => "nested deployment without an inline template (templateLink cannot be read offline)".into(),
            },
        );
        return;
    };
    if depth >= MAX_NESTING {
        out.errors.push((
            d.pointer.clone(),
            format!("nested deployments more than {MAX_NESTING} deep: ahds-guard reads no deeper, so what they deploy is not checked"),
        ));
        return;
    }
    let inner_scope = props
        .and_then(|p| str_at(p, &["expressionEvaluationOptions", "scope"]))
        .is_some_and(|s| s.eq_ignore_ascii_case("inner"));
    let parameters = if inner_scope {
        Parameters::Own(
            props
                .and_then(|p| prop(p, "parameters"))
                .and_then(Value::as_object)
                .map(|m| {
                    m.iter()
                        .filter_map(|(k, v)| {
                            prop(v, "value").map(|x| (k.clone(), eval_value(x, scope, 0)))
                        })
                        .collect()
                })
                .unwrap_or_default(),
        )
    } else {
        Parameters::Outer {
            parameters: scope.parameters.clone(),
            variables: scope.variables,
        }
    };
    let placed =
        |key: &str, default: String| match prop(d.value, key).map(|v| eval_value(v, scope, 0)) {
            Some(Value::String(s)) => s,
            _ => default,
        };
    let outputs = walk_template(
        inner,
        Deployment {
            pointer: format!("{}/properties/template", d.pointer),
            prefix: format!("{address}."),
            parameters,
            subscription: placed("subscriptionId", scope.subscription_id()),
            resource_group: placed("resourceGroup", scope.resource_group_name()),
            depth: depth + 1,
        },
        out,
    );
    if let Some(id) = resource_id(d.value, DEPLOYMENTS, name, scope) {
        scope
            .deployments
            .borrow_mut()
            .insert(id.to_ascii_lowercase(), outputs);
    }
}
