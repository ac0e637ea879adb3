//! Terraform fixes applied to the text of a `.tf` file. `hcl-edit` parses the file and gives
//! the byte spans of the resource block, its nested blocks and their arguments; each edit is
//! a splice of the text at those spans, so everything else — comments, blank lines, the
//! order of arguments — stays byte for byte. What is written is laid out as `terraform fmt`
//! lays it out: two spaces per level, `=` aligned across consecutive one-line arguments.

use std::ops::Range;

use hcl_edit::Span;
use hcl_edit::parser::parse_body;
use hcl_edit::structure::{Block, Body};

use super::render::Address;
use crate::report::fix::{HclEdit, TerraformFix};

/// Applies `fix` to `text`, the file holding the resource's block. A byte-order mark and
/// CRLF line ends are kept as the file has them.
pub(crate) fn apply(text: &str, fix: &TerraformFix) -> Result<String, String> {
    let (bom, body) = match text.strip_prefix('\u{feff}') {
        Some(rest) => ("\u{feff}", rest),
        None => ("", text),
    };
    let crlf = body.contains("\r\n");
    let normalized = if crlf {
        body.replace("\r\n", "\n")
    } else {
        body.to_string()
    };
    let fixed = apply_lf(&normalized, fix)?;
    let fixed = if crlf {
        fixed.replace('\n', "\r\n")
    } else {
        fixed
    };
    Ok(format!("{bom}{fixed}"))
}

fn apply_lf(text: &str, fix: &TerraformFix) -> Result<String, String> {
    let address = Address::parse(&fix.address)
        .ok_or_else(|| format!("`{}` is not a resource address", fix.address))?;
    let mut text = text.to_string();
    for edit in &fix.edits {
        text = apply_edit(&text, &address, edit)?;
    }
    if let Some(new) = &fix.new_resource {
        let block = resource_block(&text, &address)?;
        // A resource added by an earlier fix (the same azapi_update_resource) is not added
        // twice.
        let header = new
            .lines()
            .find(|l| l.starts_with("resource "))
            .unwrap_or(new);
        if !text.contains(header) {
            let end = line_end(&text, block.end);
            text.insert_str(end, &format!("\n{new}"));
        }
    }
    Ok(text)
}

fn parse(text: &str) -> Result<Body, String> {
    parse_body(text).map_err(|e| format!("cannot parse the file: {e}"))
}

/// The span of the block `resource "type" "name"`.
fn resource_block(text: &str, address: &Address<'_>) -> Result<Range<usize>, String> {
    let body = parse(text)?;
    find_resource(&body, address)
        .and_then(Span::span)
        .ok_or_else(|| {
            format!(
                "no block `resource \"{}\" \"{}\"` in the file",
                address.resource_type, address.name
            )
        })
}

fn find_resource<'b>(body: &'b Body, address: &Address<'_>) -> Option<&'b Block> {
    body.get_blocks("resource").find(|b| {
        b.labels.len() == 2
            && b.labels[0].as_str() == address.resource_type
            && b.labels[1].as_str() == address.name
    })
}

/// The offset just past the end of the line holding `at` (or the text's end).
fn line_end(text: &str, at: usize) -> usize {
    text[at..].find('\n').map_or(text.len(), |i| at + i + 1)
}

/// The offset of the start of the line holding `at`.
fn line_start(text: &str, at: usize) -> usize {
    text[..at].rfind('\n').map_or(0, |i| i + 1)
}

/// The indentation of the line holding `at`.
fn indent_at(text: &str, at: usize) -> String {
    let start = line_start(text, at);
    text[start..]
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect()
}

fn apply_edit(text: &str, address: &Address<'_>, edit: &HclEdit) -> Result<String, String> {
    let body = parse(text)?;
    let resource = find_resource(&body, address).ok_or_else(|| {
        format!(
            "no block `resource \"{}\" \"{}\"` in the file",
            address.resource_type, address.name
        )
    })?;
    let (path, tail) = match edit {
        HclEdit::Set { block, .. } | HclEdit::AddBlock { block, .. } => (block, edit),
    };
    // Walk down the nested blocks; the first missing one is created with what the edit
    // puts in it.
    let mut at = resource;
    for (depth, name) in path.iter().enumerate() {
        match at.body.get_blocks(name).next() {
            Some(inner) => at = inner,
            None => {
                let content = created(&path[depth + 1..], tail);
                return insert_block(text, at, name, &content);
            }
        }
    }
    match edit {
        HclEdit::Set {
            argument, value, ..
        } => match at.body.get_attribute(argument) {
            Some(attr) => {
                let span = attr
                    .value
                    .span()
                    .ok_or("the argument's value has no position")?;
                let mut out = text.to_string();
                out.replace_range(span, value);
                Ok(out)
            }
            None => insert_lines(text, at, &[format!("{argument} = {value}")]),
        },
        HclEdit::AddBlock {
            name, arguments, ..
        } => insert_block(text, at, name, &arguments_lines(arguments)),
    }
}

fn arguments_lines(arguments: &[(String, String)]) -> Vec<String> {
    arguments
        .iter()
        .map(|(k, v)| format!("{k} = {v}"))
        .collect()
}

/// The lines of a block created for an edit: the blocks still to create down to where the
/// edit writes, then what it writes.
fn created(rest: &[String], edit: &HclEdit) -> Vec<String> {
    let innermost = match edit {
        HclEdit::Set {
            argument,
            value,
            with,
            ..
        } => {
            let mut lines = arguments_lines(with);
            lines.retain(|l| !l.starts_with(&format!("{argument} ")));
            lines.push(format!("{argument} = {value}"));
            lines
        }
        HclEdit::AddBlock {
            name, arguments, ..
        } => {
            let mut lines = vec![format!("{name} {{")];
            lines.extend(
                arguments_lines(arguments)
                    .into_iter()
                    .map(|l| format!("  {l}")),
            );
            lines.push("}".into());
            lines
        }
    };
    rest.iter().rev().fold(innermost, |inner, name| {
        let mut lines = vec![format!("{name} {{")];
        lines.extend(inner.into_iter().map(|l| format!("  {l}")));
        lines.push("}".into());
        lines
    })
}

/// The offset of a block's closing brace, which must be on a line of its own.
fn closing_brace(text: &str, block: &Block) -> Result<usize, String> {
    let span = block.span().ok_or("the block has no position")?;
    let close = text[..span.end]
        .rfind('}')
        .ok_or("the block has no closing brace")?;
    let open = text[span.start..close].find('{').map(|i| span.start + i);
    if open.is_some_and(|o| !text[o..close].contains('\n')) {
        return Err(format!(
            "`{}` is written on one line; edit it by hand",
            block.ident.as_str()
        ));
    }
    Ok(close)
}

/// Inserts a nested block `name { lines }` at the end of `parent`'s body.
fn insert_block(
    text: &str,
    parent: &Block,
    name: &str,
    lines: &[String],
) -> Result<String, String> {
    let mut all = vec![format!("{name} {{")];
    all.extend(lines.iter().map(|l| format!("  {l}")));
    all.push("}".into());
    insert(text, parent, &all, true)
}

/// Inserts one-line arguments at the end of `parent`'s body.
fn insert_lines(text: &str, parent: &Block, lines: &[String]) -> Result<String, String> {
    insert(text, parent, lines, false)
}

/// Inserts `lines` (indented one level below `parent`) just before `parent`'s closing
/// brace, after a blank line when they open a block that follows other content, then
/// aligns the `=` of the arguments around them.
fn insert(text: &str, parent: &Block, lines: &[String], block: bool) -> Result<String, String> {
    let close = closing_brace(text, parent)?;
    let close_line = line_start(text, close);
    let parent_indent = indent_at(text, close);
    let inner = format!("{parent_indent}  ");
    let body_start = parent
        .span()
        .and_then(|s| text[s.start..close].find('{').map(|i| s.start + i + 1))
        .unwrap_or(close);
    let before = text[body_start..close_line].trim_end();
    // A new block, or an argument after a nested block, is set off by a blank line.
    let after_block = before.ends_with('}');
    let mut insertion = String::new();
    if !before.trim().is_empty() && (block || after_block) {
        insertion.push('\n');
    }
    for line in lines {
        insertion.push_str(&inner);
        insertion.push_str(line);
        insertion.push('\n');
    }
    let mut out = text.to_string();
    out.insert_str(close_line, &insertion);
    let first = text[..close_line].matches('\n').count();
    let touched = first..first + insertion.matches('\n').count();
    Ok(align(&out, &touched))
}

/// The key of a one-line argument (`  name = value`), and where its `=` is.
fn argument(line: &str) -> Option<(&str, usize, usize)> {
    let indent = line.len() - line.trim_start().len();
    let rest = &line[indent..];
    let key_len = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        .unwrap_or(rest.len());
    if key_len == 0 {
        return None;
    }
    let after = rest[key_len..].trim_start();
    if !after.starts_with('=') || after.starts_with("==") {
        return None;
    }
    let value = after[1..].trim();
    // An argument whose value opens a multi-line expression ends a run of aligned ones.
    if value.ends_with(['{', '[', '(']) || value.is_empty() {
        return None;
    }
    let eq = line.len() - after.len();
    Some((&rest[..key_len], indent, eq))
}

/// Aligns `=` across the runs of consecutive one-line arguments at one indentation that
/// include a line of `touched` (line indices), as `terraform fmt` does; other runs are the
/// user's and stay as they are. Lines inside heredocs are left alone.
fn align(text: &str, touched: &Range<usize>) -> String {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let mut out = String::with_capacity(text.len() + 64);
    let mut i = 0;
    let mut heredoc: Option<String> = None;
    while i < lines.len() {
        let line = lines[i];
        if let Some(end) = &heredoc {
            if line.trim() == end {
                heredoc = None;
            }
            out.push_str(line);
            i += 1;
            continue;
        }
        if let Some(at) = line.find("<<") {
            let marker = line[at + 2..].trim_start_matches('-').trim();
            if !marker.is_empty()
                && marker
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_')
            {
                heredoc = Some(marker.to_string());
                out.push_str(line);
                i += 1;
                continue;
            }
        }
        let Some((_, indent, _)) = argument(line) else {
            out.push_str(line);
            i += 1;
            continue;
        };
        let mut run = vec![i];
        while let Some(next) = lines.get(run[run.len() - 1] + 1) {
            match argument(next) {
                Some((_, ind, _)) if ind == indent => run.push(run[run.len() - 1] + 1),
                _ => break,
            }
        }
        if !run.iter().any(|j| touched.contains(j)) {
            for &j in &run {
                out.push_str(lines[j]);
            }
            i = run[run.len() - 1] + 1;
            continue;
        }
        let width = run
            .iter()
            .filter_map(|&j| argument(lines[j]).map(|(k, _, _)| k.len()))
            .max()
            .unwrap_or(0);
        for &j in &run {
            let l = lines[j];
            let Some((key, ind, eq)) = argument(l) else {
                out.push_str(l);
                continue;
            };
            let rest = &l[eq + 1..];
            out.push_str(&l[..ind]);
            out.push_str(key);
            out.push_str(&" ".repeat(width - key.len() + 1));
            out.push('=');
            out.push_str(rest);
        }
        i = run[run.len() - 1] + 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fix(edits: Vec<HclEdit>, new_resource: Option<&str>) -> TerraformFix {
        TerraformFix {
            address: "azurerm_storage_account.sa".into(),
            edits,
            new_resource: new_resource.map(String::from),
        }
    }

    use crate::fix::catalog::set_with as set;

    /// Let trusted services through the storage account's existing firewall.
    fn bypass() -> TerraformFix {
        fix(
            vec![set(
                &["network_rules"],
                "bypass",
                r#"["AzureServices"]"#,
                &[],
            )],
            None,
        )
    }

    const FILE: &str = r#"# Export storage.
resource "azurerm_storage_account" "sa" {
  name                = "sa" # the name
  resource_group_name = "rg"

  network_rules {
    default_action = "Allow"
  }
}

resource "azurerm_key_vault" "kv" {
  name = "kv"
}
"#;

    #[test]
    fn an_existing_argument_gets_its_new_value_and_nothing_else_moves() {
        let out = apply(
            FILE,
            &fix(
                vec![set(&["network_rules"], "default_action", r#""Deny""#, &[])],
                None,
            ),
        )
        .unwrap();
        assert_eq!(out, FILE.replace(r#""Allow""#, r#""Deny""#));
    }

    #[test]
    fn a_new_argument_joins_the_run_and_is_aligned() {
        let out = apply(FILE, &bypass()).unwrap();
        assert!(
            out.contains(
                "  network_rules {\n    default_action = \"Allow\"\n    bypass         = [\"AzureServices\"]\n  }\n"
            ),
            "{out}"
        );
    }

    #[test]
    fn missing_blocks_are_created_with_what_the_provider_requires() {
        let text = "resource \"azurerm_storage_account\" \"sa\" {\n  name = \"sa\"\n}\n";
        let out = apply(
            text,
            &fix(
                vec![set(
                    &["network_rules"],
                    "bypass",
                    r#"["AzureServices"]"#,
                    &[("default_action", r#""Deny""#)],
                )],
                None,
            ),
        )
        .unwrap();
        assert_eq!(
            out,
            "resource \"azurerm_storage_account\" \"sa\" {\n  name = \"sa\"\n\n  network_rules {\n    default_action = \"Deny\"\n    bypass         = [\"AzureServices\"]\n  }\n}\n"
        );
    }

    #[test]
    fn nested_blocks_are_added_and_new_resources_follow_the_block() {
        let out = apply(
            FILE,
            &fix(
                vec![HclEdit::AddBlock {
                    block: vec!["network_rules".into()],
                    name: "private_link_access".into(),
                    arguments: vec![(
                        "endpoint_resource_id".into(),
                        "azurerm_healthcare_workspace.ws.id".into(),
                    )],
                }],
                Some("resource \"x\" \"y\" {\n}\n"),
            ),
        )
        .unwrap();
        assert!(out.contains("    default_action = \"Allow\"\n\n    private_link_access {\n      endpoint_resource_id = azurerm_healthcare_workspace.ws.id\n    }\n  }\n}\n\nresource \"x\" \"y\" {\n}\n\nresource \"azurerm_key_vault\""), "{out}");
        // Applying the same fix again adds no second resource.
        let again = apply(&out, &fix(Vec::new(), Some("resource \"x\" \"y\" {\n}\n"))).unwrap();
        assert_eq!(again, out);
    }

    #[test]
    fn crlf_line_ends_and_a_byte_order_mark_are_kept() {
        let text = format!("\u{feff}{}", FILE.replace('\n', "\r\n"));
        let out = apply(&text, &bypass()).unwrap();
        assert!(out.starts_with('\u{feff}'));
        assert!(
            !out.replace("\r\n", "").contains('\n'),
            "a bare LF: {out:?}"
        );
        assert!(
            out.contains("    bypass         = [\"AzureServices\"]\r\n"),
            "{out:?}"
        );
    }

    #[test]
    fn one_line_blocks_and_missing_resources_are_refused() {
        let text = "resource \"azurerm_storage_account\" \"sa\" { name = \"sa\" }\n";
        let err = apply(text, &fix(vec![set(&[], "x", "1", &[])], None)).unwrap_err();
        assert!(err.contains("one line"), "{err}");
        let err = apply("", &fix(vec![set(&[], "x", "1", &[])], None)).unwrap_err();
        assert!(err.contains("no block"), "{err}");
    }
}
