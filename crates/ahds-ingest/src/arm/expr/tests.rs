//! Tests of the expression evaluator.

use super::*;
use std::collections::HashMap;

struct S(HashMap<&'static str, Value>);
impl Scope for S {
    fn parameter(&self, name: &str) -> Option<Value> {
        self.0.get(name).cloned()
    }
    fn variable(&self, name: &str) -> Option<Value> {
        self.0.get(name).cloned()
    }
    fn resource_id(&self, _: &str) -> Option<String> {
        None
    }
    fn copy_index(&self, _: Option<&str>) -> Option<super::CopyIndex> {
        None
    }
}

fn s() -> S {
    S(HashMap::from([
        ("ws", Value::from("contoso")),
        ("n", Value::from(2)),
    ]))
}

#[test]
fn evaluates_the_functions_templates_use_for_names_and_ids() {
    let sc = s();
    assert_eq!(
        eval_string("[concat(parameters('ws'), '-fhir')]", &sc),
        "contoso-fhir"
    );
    assert_eq!(
        eval_string("[format('{0}/{1}', parameters('ws'), 'fhir')]", &sc),
        "contoso/fhir"
    );
    assert_eq!(
        eval_string(
            "[resourceId('Microsoft.HealthcareApis/workspaces/fhirservices', parameters('ws'), 'fhir')]",
            &sc
        ),
        "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.HealthcareApis/workspaces/contoso/fhirservices/fhir"
    );
    assert_eq!(
        eval_string(
            "[resourceId('other-rg', 'Microsoft.Storage/storageAccounts', 'sa')]",
            &sc
        ),
        "/subscriptions/{subscriptionId}/resourceGroups/other-rg/providers/Microsoft.Storage/storageAccounts/sa"
    );
    assert_eq!(eval_string("[resourceGroup().location]", &sc), LOCATION);
    assert_eq!(
        eval_string("[subscription().subscriptionId]", &sc),
        SUBSCRIPTION
    );
    assert_eq!(eval_string("[toLower('AbC')]", &sc), "abc");
    assert_eq!(
        eval_string("[if(equals(parameters('n'), 2), 'yes', 'no')]", &sc),
        "yes"
    );
    assert_eq!(eval_string("[createArray('a', 'b')[1]]", &sc), "b");
    assert_eq!(
        eval_string("[[not an expression]", &sc),
        "[not an expression]"
    );
    assert_eq!(eval_string("plain", &sc), "plain");
    assert_eq!(eval_string("['it''s']", &sc), "it's");
}

#[test]
fn what_is_known_only_at_deployment_is_unknown_never_guessed() {
    let sc = s();
    // Deterministic within the deployment: equal arguments, equal symbolic token.
    let a = eval_string("[concat('st', uniqueString(resourceGroup().id))]", &sc);
    let b = eval_string("[format('st{0}', uniqueString(resourceGroup().id))]", &sc);
    assert_eq!(a, b);
    assert!(a.as_str().unwrap().starts_with("st{uniqueString:"), "{a}");
    assert!(!a.as_str().unwrap().contains('/'));
    assert_ne!(a, eval_string("[concat('st', uniqueString('other'))]", &sc));
    for e in [
        "[uniqueString(parameters('missing'))]",
        "[parameters('missing')]",
        "[utcNow()]",
        "[concat(parameters('ws']",
    ] {
        assert!(is_unknown(&eval_string(e, &sc)), "{e} should be unknown");
    }
    // The expression that does not parse stopped evaluation (an input error): start
    // again.
    assert!(super::budget::take_stop().is_some());
    super::budget::reset();
    let r = eval_string(
        "[reference(resourceId('Microsoft.HealthcareApis/workspaces/fhirservices', 'ws', 'fhir'), '2023-11-01', 'full').identity.principalId]",
        &sc,
    );
    assert!(is_unknown(&r));
    assert_eq!(r[PATH_KEY], serde_json::json!(["identity", "principalId"]));
    assert!(
        r[REFERENCE_KEY]
            .as_str()
            .is_some_and(|s| s.ends_with("/fhirservices/fhir"))
    );
}
