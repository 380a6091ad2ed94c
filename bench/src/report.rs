//! The tables every mode prints: one value per kernel and engine (a time,
//! an instruction count), the ratios of espb to the others and their
//! geometric means; footnotes say why a cell is n/a.

use crate::engine::Engine;

/// One engine's outcome on one kernel.
#[derive(Clone, Debug)]
pub enum Cell {
    /// What was measured, and how to print it.
    Value { value: f64, text: String },
    /// Not available: a footnote number (see [`Notes`]).
    NotAvailable(usize),
    /// It ran and gave a wrong result or trapped (listed as an error).
    Failed,
}

impl Cell {
    pub fn value(&self) -> Option<f64> {
        match self {
            Cell::Value { value, .. } => Some(*value),
            Cell::NotAvailable(_) | Cell::Failed => None,
        }
    }

    fn text(&self) -> String {
        match self {
            Cell::Value { text, .. } => text.clone(),
            Cell::NotAvailable(i) => format!("n/a [{i}]"),
            Cell::Failed => "error".into(),
        }
    }
}

/// Why cells are n/a; the same reason is listed once.
#[derive(Default, Debug)]
pub struct Notes(Vec<String>);

impl Notes {
    /// The footnote number of `reason`.
    pub fn add(&mut self, reason: String) -> usize {
        match self.0.iter().position(|n| *n == reason) {
            Some(i) => i + 1,
            None => {
                self.0.push(reason);
                self.0.len()
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn print(&self) {
        for (i, n) in self.0.iter().enumerate() {
            println!("[{}] {}", i + 1, n.trim_end().replace('\n', "\n    "));
        }
    }
}

pub struct Row {
    pub label: String,
    /// The kernel's result (every engine's must equal it).
    pub result: String,
    /// One cell per engine of the grid, in its order.
    pub cells: Vec<Cell>,
}

/// Measurements of one kind for every kernel and engine.
pub struct Grid {
    pub engines: Vec<Engine>,
    pub rows: Vec<Row>,
}

impl Grid {
    pub fn new(engines: &[Engine]) -> Grid {
        Grid { engines: engines.to_vec(), rows: Vec::new() }
    }

    fn column(&self, e: Engine) -> Option<usize> {
        self.engines.iter().position(|&x| x == e)
    }

    /// `a / b` for every row where both are measured.
    pub fn ratios(&self, a: Engine, b: Engine) -> Vec<Option<f64>> {
        let (Some(ia), Some(ib)) = (self.column(a), self.column(b)) else {
            return vec![None; self.rows.len()];
        };
        self.rows
            .iter()
            .map(|r| match (r.cells[ia].value(), r.cells[ib].value()) {
                (Some(x), Some(y)) if y > 0.0 => Some(x / y),
                _ => None,
            })
            .collect()
    }

    /// Prints the values, then `a/b` for each pair in `ratios`, then a
    /// geometric-mean row over the kernels that have the ratio.
    pub fn print(&self, ratios: &[(Engine, Engine)]) {
        let mut header = vec!["kernel".to_string(), "result".to_string()];
        header.extend(self.engines.iter().map(|e| e.name().to_string()));
        header.extend(ratios.iter().map(|(a, b)| format!("{}/{}", a.name(), b.name())));
        let mut t = Table::new(header);
        let columns: Vec<Vec<Option<f64>>> = ratios.iter().map(|&(a, b)| self.ratios(a, b)).collect();
        for (i, row) in self.rows.iter().enumerate() {
            let mut line = vec![row.label.clone(), row.result.clone()];
            line.extend(row.cells.iter().map(Cell::text));
            line.extend(columns.iter().map(|c| ratio_text(c[i])));
            t.push(line);
        }
        if ratios.is_empty() {
            t.print();
            return;
        }
        let mut gm = vec!["geometric mean".to_string(), String::new()];
        gm.extend(self.engines.iter().map(|_| String::new()));
        gm.extend(columns.iter().map(|c| {
            let have: Vec<f64> = c.iter().flatten().copied().collect();
            match geomean(&have) {
                Some(g) if have.len() == c.len() => format!("{g:.2}"),
                Some(g) => format!("{g:.2} ({} of {})", have.len(), c.len()),
                None => "n/a".into(),
            }
        }));
        t.separator();
        t.push(gm);
        t.print();
    }
}

pub fn ratio_text(r: Option<f64>) -> String {
    r.map_or("n/a".into(), |r| format!("{r:.2}"))
}

/// The geometric mean; `None` for no values or a non-positive one.
pub fn geomean(values: &[f64]) -> Option<f64> {
    if values.is_empty() || values.iter().any(|&v| v <= 0.0 || !v.is_finite()) {
        return None;
    }
    Some((values.iter().map(|v| v.ln()).sum::<f64>() / values.len() as f64).exp())
}

/// `12 345 678`-style instruction counts.
pub fn format_count(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

/// A text table: first column left-aligned, the rest right-aligned.
pub struct Table {
    rows: Vec<Option<Vec<String>>>,
}

impl Table {
    pub fn new(header: Vec<String>) -> Table {
        Table { rows: vec![Some(header), None] }
    }

    pub fn push(&mut self, row: Vec<String>) {
        self.rows.push(Some(row));
    }

    /// A dashed line.
    pub fn separator(&mut self) {
        self.rows.push(None);
    }

    pub fn print(&self) {
        let rows = || self.rows.iter().flatten();
        let cols = rows().map(Vec::len).max().unwrap_or(0);
        let width: Vec<usize> =
            (0..cols).map(|c| rows().filter_map(|r| r.get(c)).map(|s| s.chars().count()).max().unwrap_or(0)).collect();
        let total = width.iter().sum::<usize>() + 2 * cols.saturating_sub(1);
        for row in &self.rows {
            let Some(row) = row else {
                println!("{}", "-".repeat(total));
                continue;
            };
            let mut line = String::new();
            for (c, cell) in row.iter().enumerate() {
                if c == 0 {
                    line.push_str(&format!("{cell:<w$}", w = width[c]));
                } else {
                    line.push_str(&format!("  {cell:>w$}", w = width[c]));
                }
            }
            println!("{}", line.trim_end());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn geometric_mean() {
        assert_eq!(geomean(&[]), None);
        assert_eq!(geomean(&[1.0, 0.0]), None);
        let g = geomean(&[2.0, 8.0]).unwrap();
        assert!((g - 4.0).abs() < 1e-12, "{g}");
    }

    #[test]
    fn ratios_skip_missing_cells() {
        let v = |x: f64| Cell::Value { value: x, text: String::new() };
        let mut g = Grid::new(&[Engine::Native, Engine::Espb]);
        g.rows.push(Row { label: "a".into(), result: String::new(), cells: vec![v(2.0), v(6.0)] });
        g.rows.push(Row { label: "b".into(), result: String::new(), cells: vec![v(2.0), Cell::NotAvailable(1)] });
        assert_eq!(g.ratios(Engine::Espb, Engine::Native), vec![Some(3.0), None]);
        assert_eq!(g.ratios(Engine::Espb, Engine::Wasm3), vec![None, None]);
    }

    #[test]
    fn counts_are_grouped_by_thousands() {
        assert_eq!(format_count(12_345_678), "12 345 678");
        assert_eq!(format_count(999), "999");
        assert_eq!(format_count(1000), "1 000");
    }

    #[test]
    fn notes_are_listed_once() {
        let mut n = Notes::default();
        assert_eq!(n.add("x".into()), 1);
        assert_eq!(n.add("y".into()), 2);
        assert_eq!(n.add("x".into()), 1);
    }
}
