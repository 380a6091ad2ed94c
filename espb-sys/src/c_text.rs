//! C source text, as the header tools read it (`cargo espb symbols sigs`,
//! the SDK header checks).

/// `s` without its `__attribute__((...))` groups (balanced parentheses,
/// strings inside them skipped).
pub fn strip_attributes(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find("__attribute__") {
        out.push_str(&rest[..i]);
        let after = &rest[i + "__attribute__".len()..];
        let mut depth = 0;
        let mut end = after.len();
        let mut in_str = false;
        let mut prev = ' ';
        for (j, c) in after.char_indices() {
            if in_str {
                in_str = !(c == '"' && prev != '\\');
                prev = c;
                continue;
            }
            prev = c;
            match c {
                '"' => in_str = true,
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth == 0 {
                        end = j + 1;
                        break;
                    }
                }
                _ => {}
            }
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}
