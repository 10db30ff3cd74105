//! Tool names on the gateway's `/mcp`: `ACTION__TOOL`, so one endpoint can serve every
//! action's tools without clashes. `.` becomes `_` (some clients refuse dots), and a name over
//! 64 characters (what clients accept) is cut and ends in `_` and 6 hex digits of its SHA-256,
//! so two long names that share a prefix stay apart.

use sha2::{Digest, Sha256};

/// The separator between the action and the tool (split at the first one).
pub use crate::model::TOOL_SEPARATOR as SEPARATOR;

/// The longest tool name clients accept.
pub const MAX_LEN: usize = 64;

/// The name `tool` of `action` has on `/mcp`.
pub fn tool_name(action: &str, tool: &str) -> String {
    let raw = format!("{action}{SEPARATOR}{tool}").replace('.', "_");
    if raw.len() <= MAX_LEN {
        return raw;
    }
    let digest = Sha256::digest(raw.as_bytes());
    let hash: String = digest.iter().take(3).map(|b| format!("{b:02x}")).collect();
    let mut cut = MAX_LEN - hash.len() - 1;
    while !raw.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}_{hash}", &raw[..cut])
}

/// `ACTION__TOOL` as the user writes it (`--tools`): the action and the tool, split at the
/// first separator; `None` without one, or with an empty side.
pub fn split(name: &str) -> Option<(&str, &str)> {
    let (a, t) = name.split_once(SEPARATOR)?;
    (!a.is_empty() && !t.is_empty()).then_some((a, t))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_join_with_two_underscores_and_dots_become_underscores() {
        assert_eq!(
            tool_name("linear", "search_issues"),
            "linear__search_issues"
        );
        assert_eq!(tool_name("gh.work", "repos.list"), "gh_work__repos_list");
        assert_eq!(
            split("linear__search__issues"),
            Some(("linear", "search__issues"))
        );
        assert_eq!(split("linear"), None);
        assert_eq!(split("__tool"), None);
        assert_eq!(split("linear__"), None);
    }

    #[test]
    fn long_names_are_cut_to_64_and_end_in_a_hash_that_keeps_them_apart() {
        let a = tool_name(
            "an-action-with-a-long-name",
            &format!("{}_one", "t".repeat(60)),
        );
        let b = tool_name(
            "an-action-with-a-long-name",
            &format!("{}_two", "t".repeat(60)),
        );
        assert_eq!(a.len(), MAX_LEN);
        assert_eq!(b.len(), MAX_LEN);
        assert_ne!(a, b, "same prefix, different hash");
        assert!(a.starts_with("an-action-with-a-long-name__ttt"));
        let hash = &a[a.len() - 6..];
        assert!(hash.chars().all(|c| c.is_ascii_hexdigit()), "{a}");
        assert_eq!(&a[a.len() - 7..a.len() - 6], "_");
        // Stable: the same name always gets the same cut.
        assert_eq!(
            a,
            tool_name(
                "an-action-with-a-long-name",
                &format!("{}_one", "t".repeat(60))
            )
        );
        // A cut never splits a character.
        let wide = tool_name("a", &"é".repeat(40));
        assert!(wide.len() <= MAX_LEN, "{wide}");
    }
}
