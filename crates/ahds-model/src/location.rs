//! Azure location names.

/// Normalises an Azure location: `East US` and `eastus` are the same region.
pub(crate) fn normalize_location(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn display_names_and_programmatic_names_agree() {
        assert_eq!(super::normalize_location("West Europe"), "westeurope");
        assert_eq!(super::normalize_location("westeurope"), "westeurope");
    }
}
