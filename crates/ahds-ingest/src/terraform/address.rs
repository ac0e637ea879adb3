//! Terraform resource addresses: `module.net["eu"].azurerm_storage_account.logs[0]`.

/// One step of an address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Step {
    /// `module.NAME` with an optional instance key.
    Module(String, Option<String>),
    /// `TYPE.NAME` (or `data.TYPE.NAME`) with an optional instance key.
    Resource {
        data: bool,
        rtype: String,
        name: String,
        key: Option<String>,
    },
    /// Anything after the resource: attribute names and indexes.
    Attr(String),
}

/// Splits an address or reference into its dot-separated parts, keeping `[...]` keys
/// (which may hold dots in quoted strings) attached to the part before them.
pub(crate) fn split(s: &str) -> Vec<(String, Option<String>)> {
    let mut out = Vec::new();
    let mut name = String::new();
    let mut key: Option<String> = None;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '.' => {
                out.push((std::mem::take(&mut name), key.take()));
            }
            '[' => {
                let mut k = String::new();
                let mut quoted = false;
                for c in chars.by_ref() {
                    match c {
                        '"' => quoted = !quoted,
                        ']' if !quoted => break,
                        _ => k.push(c),
                    }
                }
                if key.is_some() {
                    // `a[0][1]`: keep the first key on the part, the rest as attribute steps.
                    out.push((std::mem::take(&mut name), key.take()));
                }
                key = Some(k);
            }
            _ => name.push(c),
        }
    }
    if !name.is_empty() || key.is_some() {
        out.push((name, key));
    }
    out
}

/// Parses a plan address or a configuration reference into steps.
pub(crate) fn parse(s: &str) -> Vec<Step> {
    let parts = split(s);
    let mut steps = Vec::new();
    let mut i = 0;
    while i < parts.len() {
        let (name, key) = &parts[i];
        if name == "module" && i + 1 < parts.len() {
            let (m, k) = &parts[i + 1];
            steps.push(Step::Module(m.clone(), k.clone()));
            i += 2;
            continue;
        }
        if name == "data" && key.is_none() && i + 2 < parts.len() {
            let (t, _) = &parts[i + 1];
            let (n, k) = &parts[i + 2];
            steps.push(Step::Resource {
                data: true,
                rtype: t.clone(),
                name: n.clone(),
                key: k.clone(),
            });
            i += 3;
            break;
        }
        if key.is_none() && i + 1 < parts.len() && name.contains('_') {
            let (n, k) = &parts[i + 1];
            steps.push(Step::Resource {
                data: false,
                rtype: name.clone(),
                name: n.clone(),
                key: k.clone(),
            });
            i += 2;
            break;
        }
        // Not a resource: `var.x`, `local.y`, `each.key` ...
        steps.push(Step::Attr(name.clone()));
        if let Some(k) = key {
            steps.push(Step::Attr(format!("[{k}]")));
        }
        i += 1;
    }
    for (name, key) in &parts[i.min(parts.len())..] {
        steps.push(Step::Attr(name.clone()));
        if let Some(k) = key {
            steps.push(Step::Attr(format!("[{k}]")));
        }
    }
    steps
}

/// Renders module steps as an address prefix (`module.a["k"].module.b.`).
pub(crate) fn module_prefix(modules: &[(String, Option<String>)]) -> String {
    let mut s = String::new();
    for (m, k) in modules {
        s.push_str("module.");
        s.push_str(m);
        if let Some(k) = k {
            s.push_str(&format_key(k));
        }
        s.push('.');
    }
    s
}

/// Renders an instance key as Terraform writes it: `[0]` or `["name"]`.
pub(crate) fn format_key(k: &str) -> String {
    if k.parse::<u64>().is_ok() {
        format!("[{k}]")
    } else {
        format!("[\"{k}\"]")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_module_resource_and_attribute_steps() {
        let steps = parse(
            r#"module.net["eu.west"].azurerm_storage_account.logs[0].identity[0].principal_id"#,
        );
        assert_eq!(
            steps,
            vec![
                Step::Module("net".into(), Some("eu.west".into())),
                Step::Resource {
                    data: false,
                    rtype: "azurerm_storage_account".into(),
                    name: "logs".into(),
                    key: Some("0".into())
                },
                Step::Attr("identity".into()),
                Step::Attr("[0]".into()),
                Step::Attr("principal_id".into()),
            ]
        );
        assert_eq!(
            parse("var.workspace_id"),
            vec![Step::Attr("var".into()), Step::Attr("workspace_id".into())]
        );
        assert!(matches!(
            parse("data.azurerm_client_config.current.object_id")[0],
            Step::Resource { data: true, .. }
        ));
    }
}
