//! Inline suppressions: `# ahds-guard:ignore AHDS-PL-002 expires=2027-06-30 -- reason` on
//! the comment lines right above a resource block or inside it.

use std::collections::HashMap;

pub use ahds_model::InlineWaiver;

use super::eval::Session;
use super::synth::Places;

const MARKER: &str = "ahds-guard:ignore";

/// The inline suppressions of every resource block read, each with the addresses of the
/// block's instances.
pub(crate) fn collect(session: &Session<'_>, places: &Places) -> Vec<InlineWaiver> {
    // Each file's lines once: a module called a thousand times shares its files.
    let insts = session.insts.borrow();
    let mut lines_of: HashMap<&str, Vec<&str>> = HashMap::new();
    for inst in insts.iter() {
        for f in &inst.def.files {
            lines_of
                .entry(f.name.as_str())
                .or_insert_with(|| f.text.lines().collect());
        }
    }
    let mut by_comment: Vec<InlineWaiver> = Vec::new();
    for (address, (file, start, end)) in places {
        let Some(lines) = lines_of.get(file.as_str()) else {
            continue;
        };
        let mut candidates = Vec::new();
        // The comment lines directly above the block.
        let mut above = start.saturating_sub(1);
        while above >= 1 && is_comment(lines.get(above - 1).copied().unwrap_or("")) {
            candidates.push(above);
            above -= 1;
        }
        candidates.extend((start + 1)..*end);
        for line in candidates {
            let Some(parsed) = lines.get(line - 1).and_then(|l| parse(l)) else {
                continue;
            };
            for rule in parsed.rules {
                match by_comment
                    .iter_mut()
                    .find(|w| w.file == *file && w.line == line as u32 && w.rule == rule)
                {
                    Some(w) => w.resources.push(address.clone()),
                    None => by_comment.push(InlineWaiver {
                        rule,
                        resources: vec![address.clone()],
                        justification: parsed.justification.clone(),
                        expires: parsed.expires.clone(),
                        file: file.clone(),
                        line: line as u32,
                    }),
                }
            }
        }
    }
    by_comment
}

fn is_comment(line: &str) -> bool {
    let t = line.trim_start();
    t.starts_with('#') || t.starts_with("//")
}

struct Parsed {
    rules: Vec<String>,
    justification: Option<String>,
    expires: Option<String>,
}

/// Reads one comment line; `None` when it is not a suppression.
fn parse(line: &str) -> Option<Parsed> {
    let t = line.trim_start();
    let body = t
        .strip_prefix('#')
        .or_else(|| t.strip_prefix("//"))?
        .trim_start();
    let rest = body.strip_prefix(MARKER)?;
    let (spec, justification) = match rest.split_once("--") {
        Some((s, j)) => (s, Some(j.trim().to_string()).filter(|j| !j.is_empty())),
        None => (rest, None),
    };
    let mut rules = Vec::new();
    let mut expires = None;
    for word in spec.split_whitespace() {
        if let Some(date) = word.strip_prefix("expires=") {
            expires = Some(date.to_string());
        } else {
            rules.extend(
                word.split(',')
                    .filter(|r| !r.is_empty())
                    .map(str::to_string),
            );
        }
    }
    if rules.is_empty() {
        rules.push(String::new()); // reported: a suppression must name its rule
    }
    Some(Parsed {
        rules,
        justification,
        expires,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_rule_expiry_and_justification() {
        let p = parse("  # ahds-guard:ignore AHDS-PL-002 expires=2027-06-30 -- hub only").unwrap();
        assert_eq!(p.rules, ["AHDS-PL-002"]);
        assert_eq!(p.expires.as_deref(), Some("2027-06-30"));
        assert_eq!(p.justification.as_deref(), Some("hub only"));
        let p = parse("// ahds-guard:ignore AHDS-PL-001,AHDS-TS-002").unwrap();
        assert_eq!(p.rules, ["AHDS-PL-001", "AHDS-TS-002"]);
        assert_eq!(p.justification, None);
        assert!(parse("# ahds-guard: not a suppression").is_none());
        assert!(parse("name = \"x\" # ahds-guard:ignore AHDS-PL-001 -- x").is_none());
    }
}
