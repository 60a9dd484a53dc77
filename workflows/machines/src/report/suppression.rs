//! Small-cell suppression of student counts (FERPA disclosure avoidance),
//! as state agencies publish tables: counts from 1 to the state's threshold
//! minus one (e.g. 1 to 9) are withheld (*primary* suppression), and then
//! enough further counts (*complementary* suppression) that no withheld
//! count can be worked back out from what is printed.
//!
//! # The table and its equations
//!
//! A table prints its cells, a total per row, a total per column and a grand
//! total. Internally it is a bordered grid one row and one column larger:
//! the last column holds the row totals, the last row the column totals, the
//! corner the grand total. Every row and every column of the bordered grid
//! is a *line*: its members sum to its last slot. That includes the totals
//! row (the column totals sum to the grand total) and the totals column.
//! These lines are all a reader can combine; a total is just one more
//! unknown of the equations when it is withheld.
//!
//! # What is guaranteed
//!
//! The reader is assumed to know every printed value and the rule itself:
//! the threshold and whether zeros are printed. When zeros are printed (the
//! default), the reader knows every withheld count is at least 1; this
//! module never withholds a zero as a complement, so that is all the reader
//! knows. `suppress` keeps withholding until, for every withheld slot, some
//! *other* table of nonnegative whole counts, each withheld one at least 1
//! when zeros are printed, agrees with everything printed and gives that slot
//! a different value. `unprotected` checks exactly this (it is exact, not a
//! heuristic: see `has_alternative`), and `attack` is an independent attacker
//! by Gaussian elimination that the report can run on its own output.
//!
//! What is *not* guaranteed: a reader who is told which withheld slots are
//! primary and which complementary learns more (a primary count is under the
//! threshold, a complement at or above it; a row of 1 and 10 with its total
//! 11 printed is then pinned). Print one symbol for both reasons; the
//! `Reason` is for the agency's own audit trail. Nor does the guarantee cover
//! a reader who reruns this algorithm on every candidate table to see which
//! would have produced the same pattern of withheld slots, or who combines
//! several tables of the same students.
use std::collections::VecDeque;

use thiserror::Error;

/// When a count is too small to print, from the state profile.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SuppressionRule {
    /// Counts from 1 to `threshold - 1` are withheld; e.g. 10 withholds 1
    /// to 9. A threshold of 0 or 1 withholds no positive count.
    pub threshold: u64,
    /// Whether a zero is withheld too. Off by default: a zero is not a small
    /// group of identifiable students, and most states print it. States
    /// that withhold it do so because "0 of 12 passed" tells something about
    /// each of the 12.
    pub suppress_zero: bool,
}

impl SuppressionRule {
    /// The rule most states print: counts under `threshold` withheld, zeros
    /// printed.
    pub fn new(threshold: u64) -> Self {
        Self {
            threshold,
            suppress_zero: false,
        }
    }

    /// Whether `count` must be withheld on its own (primary suppression).
    pub fn is_small(&self, count: u64) -> bool {
        if count == 0 {
            self.suppress_zero
        } else {
            count < self.threshold
        }
    }

    /// The least value a reader who knows the rule can assume for a
    /// withheld count: 1 when zeros are printed (a withheld slot is never a
    /// zero then), 0 otherwise.
    fn least_withheld(&self) -> u64 {
        if self.suppress_zero { 0 } else { 1 }
    }
}

/// Why a table of counts cannot be built.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum TableError {
    /// No row or no column label.
    #[error("a table needs at least one row and one column")]
    Empty,
    /// Not one row of counts per row label.
    #[error("{labels} row labels for {rows} rows of counts")]
    RowLabels { labels: usize, rows: usize },
    /// A row of counts not as wide as the column labels.
    #[error("row {row} has {width} counts for {columns} column labels")]
    RowWidth {
        row: usize,
        width: usize,
        columns: usize,
    },
    /// The grand total would overflow.
    #[error("the table's grand total does not fit in 64 bits")]
    TooLarge,
    /// `unprotected` was given a published table of other counts.
    #[error("the published table was not made from this table of counts")]
    NotThisTable,
}

/// A slot of the printed table: a cell or one of the totals.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Position {
    /// A count of the table's body, from 0.
    Cell { row: usize, col: usize },
    /// A row's total.
    RowTotal(usize),
    /// A column's total.
    ColumnTotal(usize),
    /// The sum of the whole table.
    GrandTotal,
}

/// A slot of the bordered grid: `(row, column)`, where row `rows` holds the
/// column totals and column `columns` the row totals.
type Slot = (usize, usize);

impl Position {
    fn slot(self, rows: usize, columns: usize) -> Option<Slot> {
        let slot = match self {
            Position::Cell { row, col } if row < rows && col < columns => (row, col),
            Position::RowTotal(row) if row < rows => (row, columns),
            Position::ColumnTotal(col) if col < columns => (rows, col),
            Position::GrandTotal => (rows, columns),
            _ => return None,
        };
        Some(slot)
    }

    fn of_slot((row, col): Slot, rows: usize, columns: usize) -> Self {
        match (row == rows, col == columns) {
            (false, false) => Position::Cell { row, col },
            (false, true) => Position::RowTotal(row),
            (true, false) => Position::ColumnTotal(col),
            (true, true) => Position::GrandTotal,
        }
    }
}

/// Student counts by row and column, before anything is withheld. Totals
/// are computed, never supplied, so they always add up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CountTable {
    row_labels: Vec<String>,
    column_labels: Vec<String>,
    cells: Vec<Vec<u64>>,
}

impl CountTable {
    /// A table with one row of `cells` per row label, each as wide as the
    /// column labels.
    pub fn new(
        row_labels: Vec<String>,
        column_labels: Vec<String>,
        cells: Vec<Vec<u64>>,
    ) -> Result<Self, TableError> {
        if row_labels.is_empty() || column_labels.is_empty() {
            return Err(TableError::Empty);
        }
        if row_labels.len() != cells.len() {
            return Err(TableError::RowLabels {
                labels: row_labels.len(),
                rows: cells.len(),
            });
        }
        if let Some((row, counts)) = cells
            .iter()
            .enumerate()
            .find(|(_, counts)| counts.len() != column_labels.len())
        {
            return Err(TableError::RowWidth {
                row,
                width: counts.len(),
                columns: column_labels.len(),
            });
        }
        // Every total is at most the grand total, so this one check keeps
        // every sum exact.
        cells
            .iter()
            .flatten()
            .try_fold(0u64, |sum, &count| sum.checked_add(count))
            .ok_or(TableError::TooLarge)?;
        Ok(Self {
            row_labels,
            column_labels,
            cells,
        })
    }

    /// A single list of counts with its total: a one-row table whose row is
    /// labelled `label`.
    pub fn list(
        label: impl Into<String>,
        labels: Vec<String>,
        counts: Vec<u64>,
    ) -> Result<Self, TableError> {
        Self::new(vec![label.into()], labels, vec![counts])
    }

    /// How many rows of cells (the totals row not counted).
    pub fn rows(&self) -> usize {
        self.row_labels.len()
    }

    /// How many columns of cells (the totals column not counted).
    pub fn columns(&self) -> usize {
        self.column_labels.len()
    }

    /// One label per row, e.g. the schools.
    pub fn row_labels(&self) -> &[String] {
        &self.row_labels
    }

    /// One label per column, e.g. the subgroups.
    pub fn column_labels(&self) -> &[String] {
        &self.column_labels
    }

    /// The count at `position`, total or cell; `None` outside the table.
    pub fn get(&self, position: Position) -> Option<u64> {
        let (row, col) = position.slot(self.rows(), self.columns())?;
        // A slot of the bordered grid sums the cells of its row (all rows
        // for the totals row) and its column (all columns for the totals
        // column).
        let span = |index: usize, len: usize| {
            if index == len {
                0..len
            } else {
                index..index + 1
            }
        };
        let rows = span(row, self.rows());
        Some(
            self.cells[rows]
                .iter()
                .flat_map(|counts| &counts[span(col, self.columns())])
                .sum(),
        )
    }

    /// The bordered grid: cells, row totals in an added last column, column
    /// totals and the grand total in an added last row.
    fn bordered(&self) -> Vec<Vec<u64>> {
        let mut grid: Vec<Vec<u64>> = self
            .cells
            .iter()
            .map(|row| {
                let mut line = row.clone();
                line.push(row.iter().sum());
                line
            })
            .collect();
        let totals = (0..=self.columns())
            .map(|col| grid.iter().map(|line| line[col]).sum())
            .collect();
        grid.push(totals);
        grid
    }
}

/// Why a slot is withheld.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    /// The count itself is small.
    Primary,
    /// Withheld so that a small count cannot be worked back out.
    Complementary,
}

/// A slot as the report prints it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cell {
    /// Printed as is.
    Published(u64),
    /// Printed as one symbol whatever the reason (see the module notes).
    Suppressed { reason: Reason },
}

impl Cell {
    /// The printed count, if it is printed.
    pub fn published(self) -> Option<u64> {
        match self {
            Cell::Published(count) => Some(count),
            Cell::Suppressed { .. } => None,
        }
    }

    /// Whether the slot is withheld, for either reason.
    pub fn is_suppressed(self) -> bool {
        matches!(self, Cell::Suppressed { .. })
    }
}

/// A table as the report may print it. Only `suppress` makes one, so every
/// printed value is true and the withheld ones satisfy the rule it records.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SuppressedTable {
    row_labels: Vec<String>,
    column_labels: Vec<String>,
    rule: SuppressionRule,
    /// The bordered grid, as for `CountTable::bordered`.
    grid: Vec<Vec<Cell>>,
}

impl SuppressedTable {
    /// How many rows of cells (the totals row not counted).
    pub fn rows(&self) -> usize {
        self.row_labels.len()
    }

    /// How many columns of cells (the totals column not counted).
    pub fn columns(&self) -> usize {
        self.column_labels.len()
    }

    /// One label per row, e.g. the schools.
    pub fn row_labels(&self) -> &[String] {
        &self.row_labels
    }

    /// One label per column, e.g. the subgroups.
    pub fn column_labels(&self) -> &[String] {
        &self.column_labels
    }

    /// The rule the table was suppressed under.
    pub fn rule(&self) -> SuppressionRule {
        self.rule
    }

    /// The slot at `position`; `None` outside the table.
    pub fn get(&self, position: Position) -> Option<Cell> {
        let (row, col) = position.slot(self.rows(), self.columns())?;
        Some(self.grid[row][col])
    }

    /// Every withheld slot, cells row by row, each row's total after its
    /// cells, the column totals and the grand total last.
    pub fn suppressed(&self) -> Vec<Position> {
        slots(&self.grid)
            .filter(|&(row, col)| self.grid[row][col].is_suppressed())
            .map(|slot| Position::of_slot(slot, self.rows(), self.columns()))
            .collect()
    }

    /// What a reader knows: the printed values, `None` where withheld.
    fn known(&self) -> Vec<Vec<Option<u64>>> {
        self.grid
            .iter()
            .map(|line| line.iter().map(|cell| cell.published()).collect())
            .collect()
    }
}

/// A single list of counts with its total, as the report prints it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SuppressedList {
    /// One label per count.
    pub labels: Vec<String>,
    /// The counts, in the order given.
    pub counts: Vec<Cell>,
    /// Their sum.
    pub total: Cell,
}

/// Withholds a single list of counts and its total: the one-row case of
/// `suppress` (the column totals of a one-row table repeat its cells, so
/// leaving them out prints nothing new).
pub fn suppress_list(
    labels: Vec<String>,
    counts: Vec<u64>,
    rule: SuppressionRule,
) -> Result<SuppressedList, TableError> {
    let table = suppress(&CountTable::list("", labels, counts)?, rule);
    let row = &table.grid[0];
    Ok(SuppressedList {
        counts: row[..table.columns()].to_vec(),
        total: row[table.columns()],
        labels: table.column_labels,
    })
}

/// Withholds every small count (primary suppression), then complements
/// until no withheld slot can be pinned to one value (see the module notes
/// for exactly what a reader is assumed to know). Deterministic: the same
/// table and rule always give the same output.
///
/// Complements are chosen to keep the table useful: the smallest printed
/// non-zero count of the line that needs one, preferring a count whose
/// other line needs one too (so a lone small cell costs a rectangle of four,
/// not a chain), ties broken by position. Totals are complements only when a
/// line has nothing smaller to give.
pub fn suppress(table: &CountTable, rule: SuppressionRule) -> SuppressedTable {
    let truth = table.bordered();
    let lines = lines(truth.len(), truth[0].len());
    let least = rule.least_withheld();
    let mut hidden = primary(&truth, rule);
    while let Some((row, col)) = next_complement(&truth, &hidden, &lines, least) {
        hidden[row][col] = Some(Reason::Complementary);
    }
    SuppressedTable {
        row_labels: table.row_labels.clone(),
        column_labels: table.column_labels.clone(),
        rule,
        grid: publish(&truth, &hidden),
    }
}

/// A withheld slot an attacker pinned to one value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Disclosure {
    /// The withheld slot.
    pub position: Position,
    /// The value worked out; for a table `suppress` made, the true count.
    pub value: i128,
}

/// Tries to recover withheld slots from what `published` prints, as a
/// reader could: every row, column, totals-row and totals-column equation,
/// printed values known, withheld ones unknown, solved by exact Gaussian
/// elimination. A withheld slot is disclosed when the equations fix it
/// alone. The attacker also uses the rule: where an equation's unknowns all
/// count the same way and sum to their least possible total (0, or one per
/// unknown when zeros are printed), each is at its least, and elimination
/// runs again with those known. Sound (all it reports is true), but not
/// every nonnegativity argument is tried; `unprotected` is the exact check.
/// For a table from `suppress`, the answer is empty.
pub fn attack(published: &SuppressedTable) -> Vec<Disclosure> {
    disclosures(&published.known(), published.rule.least_withheld())
        .into_iter()
        .map(|(slot, value)| Disclosure {
            position: Position::of_slot(slot, published.rows(), published.columns()),
            value,
        })
        .collect()
}

/// The withheld slots of `published` that a reader who knows the rule could
/// pin to one value: no other table of whole counts (nonnegative, and at
/// least 1 where withheld when zeros are printed) agrees with everything
/// printed and differs there. Exact, using the true counts of `table`, which
/// `published` must have been made from. Empty for a table from `suppress`.
pub fn unprotected(
    table: &CountTable,
    published: &SuppressedTable,
) -> Result<Vec<Position>, TableError> {
    let truth = table.bordered();
    if !made_from(&truth, &published.grid) {
        return Err(TableError::NotThisTable);
    }
    let hidden = withheld(&published.grid);
    let least = published.rule.least_withheld();
    Ok(hidden_slots(&hidden)
        .filter(|&slot| !has_alternative(&truth, &hidden, least, slot))
        .map(|slot| Position::of_slot(slot, table.rows(), table.columns()))
        .collect())
}

/// A share computed from two printed slots, e.g. students proficient over
/// students tested.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Rate {
    /// A fraction between 0 and 1 when the numerator is part of the
    /// denominator.
    Published(f64),
    /// A count it needs is withheld, so the rate is too: numerator over
    /// printed denominator would give the hidden numerator back.
    Suppressed,
    /// The denominator is a printed zero.
    Undefined,
}

impl Rate {
    /// The rate as a percentage, if it is printed.
    pub fn percent(self) -> Option<f64> {
        match self {
            Rate::Published(share) => Some(share * 100.0),
            Rate::Suppressed | Rate::Undefined => None,
        }
    }
}

/// `numerator / denominator`, withheld when either is. A rate from two
/// printed counts reveals nothing the table does not already print.
pub fn rate(numerator: Cell, denominator: Cell) -> Rate {
    match (numerator, denominator) {
        (Cell::Published(_), Cell::Published(0)) => Rate::Undefined,
        (Cell::Published(top), Cell::Published(bottom)) => {
            Rate::Published(top as f64 / bottom as f64)
        }
        _ => Rate::Suppressed,
    }
}

/// Which slots of the bordered grid are withheld, and why.
type Hidden = Vec<Vec<Option<Reason>>>;

/// One equation of the bordered grid: `members` sum to `total`.
struct Line {
    members: Vec<Slot>,
    total: Slot,
}

impl Line {
    fn slots(&self) -> impl Iterator<Item = Slot> + '_ {
        self.members.iter().copied().chain([self.total])
    }
}

/// Every line of a bordered grid `height` by `width`: its rows (indices `0
/// .. height`) then its columns (indices `height ..`).
fn lines(height: usize, width: usize) -> Vec<Line> {
    let rows = (0..height).map(|row| Line {
        members: (0..width - 1).map(|col| (row, col)).collect(),
        total: (row, width - 1),
    });
    let columns = (0..width).map(|col| Line {
        members: (0..height - 1).map(|row| (row, col)).collect(),
        total: (height - 1, col),
    });
    rows.chain(columns).collect()
}

/// The two lines through `slot`: its row's index and its column's.
fn lines_through((row, col): Slot, height: usize) -> [usize; 2] {
    [row, height + col]
}

fn slots<T>(grid: &[Vec<T>]) -> impl Iterator<Item = Slot> + '_ {
    grid.iter()
        .enumerate()
        .flat_map(|(row, line)| (0..line.len()).map(move |col| (row, col)))
}

fn hidden_slots(hidden: &Hidden) -> impl Iterator<Item = Slot> + '_ {
    slots(hidden).filter(|&(row, col)| hidden[row][col].is_some())
}

fn is_hidden(hidden: &Hidden, (row, col): Slot) -> bool {
    hidden[row][col].is_some()
}

fn hidden_in(line: &Line, hidden: &Hidden) -> usize {
    line.slots().filter(|&slot| is_hidden(hidden, slot)).count()
}

fn primary(truth: &[Vec<u64>], rule: SuppressionRule) -> Hidden {
    truth
        .iter()
        .map(|line| {
            line.iter()
                .map(|&count| rule.is_small(count).then_some(Reason::Primary))
                .collect()
        })
        .collect()
}

fn publish(truth: &[Vec<u64>], hidden: &Hidden) -> Vec<Vec<Cell>> {
    truth
        .iter()
        .zip(hidden)
        .map(|(counts, reasons)| {
            counts
                .iter()
                .zip(reasons)
                .map(|(&count, reason)| match reason {
                    Some(reason) => Cell::Suppressed { reason: *reason },
                    None => Cell::Published(count),
                })
                .collect()
        })
        .collect()
}

fn withheld(grid: &[Vec<Cell>]) -> Hidden {
    grid.iter()
        .map(|line| {
            line.iter()
                .map(|cell| match cell {
                    Cell::Suppressed { reason } => Some(*reason),
                    Cell::Published(_) => None,
                })
                .collect()
        })
        .collect()
}

/// Whether `grid` is `truth` with some slots withheld.
fn made_from(truth: &[Vec<u64>], grid: &[Vec<Cell>]) -> bool {
    truth.len() == grid.len()
        && truth.iter().zip(grid).all(|(counts, cells)| {
            counts.len() == cells.len()
                && counts
                    .iter()
                    .zip(cells)
                    .all(|(&count, cell)| cell.published().is_none_or(|shown| shown == count))
        })
}

/// The next slot to withhold as a complement, or `None` when the table is
/// safe. A line with a single withheld slot gives it away by subtraction,
/// so those are mended first, cheaply; then the exact checks run (the
/// attacker and `has_alternative`), which catch what "two per line" misses.
fn next_complement(
    truth: &[Vec<u64>],
    hidden: &Hidden,
    lines: &[Line],
    least: u64,
) -> Option<Slot> {
    if let Some(index) = (0..lines.len()).find(|&i| hidden_in(&lines[i], hidden) == 1) {
        return complement_for_line(truth, hidden, lines, index);
    }
    let exposed = first_exposed(truth, hidden, least)?;
    complement_for_exposed(truth, hidden, least, exposed)
}

/// Candidates a complement may be taken from: printed and non-zero. A zero
/// is never taken, so that when zeros are printed a reader knows exactly
/// this about a withheld slot: it is at least 1 (which the checks assume).
/// A sometimes-withheld zero would add knowledge the checks do not model
/// ("0, or else at least the threshold"). One is always at hand: a line
/// whose one withheld slot is non-zero has another non-zero slot, and once
/// every non-zero slot is withheld, nothing is exposed (see
/// `has_alternative`: the four corners of any withheld cell can all rise).
fn candidates<'a>(
    truth: &'a [Vec<u64>],
    hidden: &'a Hidden,
    slots: impl Iterator<Item = Slot> + 'a,
) -> impl Iterator<Item = Slot> + 'a {
    slots.filter(move |&slot| !is_hidden(hidden, slot) && truth[slot.0][slot.1] > 0)
}

/// The complement for a line with one withheld slot: the smallest printed
/// non-zero count of the line, preferring one whose other line also has a
/// single withheld slot (it mends both).
fn complement_for_line(
    truth: &[Vec<u64>],
    hidden: &Hidden,
    lines: &[Line],
    index: usize,
) -> Option<Slot> {
    let height = truth.len();
    let other_line_needs_one = |slot: Slot| {
        lines_through(slot, height)
            .into_iter()
            .filter(|&other| other != index)
            .any(|other| hidden_in(&lines[other], hidden) == 1)
    };
    candidates(truth, hidden, lines[index].slots())
        .min_by_key(|&slot| (!other_line_needs_one(slot), truth[slot.0][slot.1], slot))
}

/// The first withheld slot (by position) with no alternative value. The
/// attacker can only find such slots, so it is run only when none is left,
/// as a second opinion that costs one elimination per table.
fn first_exposed(truth: &[Vec<u64>], hidden: &Hidden, least: u64) -> Option<Slot> {
    let pinned = hidden_slots(hidden).find(|&slot| !has_alternative(truth, hidden, least, slot));
    if pinned.is_some() {
        return pinned;
    }
    let known: Vec<Vec<Option<u64>>> = truth
        .iter()
        .zip(hidden)
        .map(|(counts, reasons)| {
            counts
                .iter()
                .zip(reasons)
                .map(|(&count, reason)| reason.is_none().then_some(count))
                .collect()
        })
        .collect();
    disclosures(&known, least).first().map(|&(slot, _)| slot)
}

/// A complement for a withheld slot that is still exposed: from its own row
/// and column, the smallest printed non-zero count that gives it an
/// alternative value, else the smallest (the loop goes on from there). If
/// both its lines are already withheld, from anywhere in the table.
fn complement_for_exposed(
    truth: &[Vec<u64>],
    hidden: &Hidden,
    least: u64,
    exposed: Slot,
) -> Option<Slot> {
    let (row, col) = exposed;
    let own_lines = (0..truth[0].len())
        .map(move |c| (row, c))
        .chain((0..truth.len()).map(move |r| (r, col)));
    let mut near: Vec<Slot> = candidates(truth, hidden, own_lines).collect();
    if near.is_empty() {
        near = candidates(truth, hidden, slots(truth)).collect();
    }
    near.sort_by_key(|&slot| (truth[slot.0][slot.1], slot));
    near.dedup();
    let mends = |&slot: &Slot| {
        let mut trial = hidden.clone();
        trial[slot.0][slot.1] = Some(Reason::Complementary);
        has_alternative(truth, &trial, least, exposed)
    };
    near.iter()
        .copied()
        .find(mends)
        .or_else(|| near.first().copied())
}

/// Whether some other table of whole counts agrees with every printed value
/// of `truth` under `hidden`, keeps every withheld count at least `least`,
/// and gives `slot` a different value.
///
/// Why a cycle search is exact: give the totals a minus sign (the grand
/// total keeps its plus) and every line of the bordered grid sums to zero;
/// the withheld slots are then the edges of a bipartite graph between its
/// rows and its columns, and the difference between two agreeing tables is
/// a circulation on it. An integer circulation splits into simple cycles
/// that each move every edge by one in the same direction as the whole, so
/// an alternative exists exactly when some cycle through `slot` can move
/// each of its slots by one, up or down as the signs dictate, without taking
/// a count below `least`. Such a cycle is a step across `slot` followed by a
/// path back that does not use `slot`.
fn has_alternative(truth: &[Vec<u64>], hidden: &Hidden, least: u64, slot: Slot) -> bool {
    [true, false].into_iter().any(|row_to_col| {
        can_step(truth, least, slot, row_to_col)
            && path_back(truth, hidden, least, slot, row_to_col)
    })
}

/// A node of the bipartite graph: a row or a column of the bordered grid.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Node {
    Row(usize),
    Column(usize),
}

/// Whether a cycle may cross `slot` going from its row to its column
/// (`row_to_col`) or back. One way adds one to the count, the other takes
/// one away (which way depends on the slot being a row or column total,
/// whose sign is flipped); taking away needs the count above `least`.
fn can_step(truth: &[Vec<u64>], least: u64, (row, col): Slot, row_to_col: bool) -> bool {
    let in_last_row = row == truth.len() - 1;
    let in_last_col = col == truth[0].len() - 1;
    let margin = in_last_row != in_last_col;
    let adds = row_to_col != margin;
    adds || truth[row][col] > least
}

/// Breadth-first search for a way back from the far end of `slot` to its
/// near end along withheld slots other than `slot`.
fn path_back(
    truth: &[Vec<u64>],
    hidden: &Hidden,
    least: u64,
    slot: Slot,
    row_to_col: bool,
) -> bool {
    let (height, width) = (truth.len(), truth[0].len());
    let (start, goal) = if row_to_col {
        (Node::Column(slot.1), Node::Row(slot.0))
    } else {
        (Node::Row(slot.0), Node::Column(slot.1))
    };
    let mut seen_rows = vec![false; height];
    let mut seen_cols = vec![false; width];
    let mut queue = VecDeque::from([start]);
    let usable = |s: Slot, forward: bool| {
        s != slot && is_hidden(hidden, s) && can_step(truth, least, s, forward)
    };
    while let Some(node) = queue.pop_front() {
        if node == goal {
            return true;
        }
        match node {
            Node::Row(row) => {
                for col in (0..width).filter(|&c| usable((row, c), true)) {
                    if !std::mem::replace(&mut seen_cols[col], true) {
                        queue.push_back(Node::Column(col));
                    }
                }
            }
            Node::Column(col) => {
                for row in (0..height).filter(|&r| usable((r, col), false)) {
                    if !std::mem::replace(&mut seen_rows[row], true) {
                        queue.push_back(Node::Row(row));
                    }
                }
            }
        }
    }
    false
}

/// One linear equation over the withheld slots: `coeffs · x = rhs`.
#[derive(Clone, Debug)]
struct Equation {
    coeffs: Vec<i128>,
    rhs: i128,
}

impl Equation {
    fn unit(unknowns: usize, index: usize, value: i128) -> Self {
        let mut coeffs = vec![0; unknowns];
        coeffs[index] = 1;
        Self { coeffs, rhs: value }
    }

    /// `self ← self·p − pivot·a`, which clears column `col`; then divided
    /// by the common factor, so numbers stay small (exact, no fractions).
    fn eliminate(&mut self, pivot: &Equation, col: usize) {
        let (p, a) = (pivot.coeffs[col], self.coeffs[col]);
        for (c, q) in self.coeffs.iter_mut().zip(&pivot.coeffs) {
            *c = *c * p - q * a;
        }
        self.rhs = self.rhs * p - pivot.rhs * a;
        let common = self
            .coeffs
            .iter()
            .chain([&self.rhs])
            .fold(0, |g, &v| gcd(g, v));
        if common > 1 {
            self.coeffs.iter_mut().for_each(|c| *c /= common);
            self.rhs /= common;
        }
    }

    /// The unknown this equation fixes on its own, with its value.
    fn solved(&self) -> Option<(usize, i128)> {
        let mut nonzero = self.coeffs.iter().enumerate().filter(|(_, c)| **c != 0);
        let (index, &coeff) = nonzero.next()?;
        if nonzero.next().is_some() || self.rhs % coeff != 0 {
            return None;
        }
        Some((index, self.rhs / coeff))
    }

    /// The unknowns pinned at `least` by this equation: when they all count
    /// the same way and their sum can only be met with each at its least.
    fn at_least_bound(&self, least: i128) -> Vec<usize> {
        let sign = match self.coeffs.iter().find(|c| **c != 0) {
            Some(c) => c.signum(),
            None => return Vec::new(),
        };
        if self.coeffs.iter().any(|c| c.signum() == -sign) {
            return Vec::new();
        }
        let smallest: i128 = self.coeffs.iter().map(|c| c * sign * least).sum();
        if self.rhs * sign != smallest {
            return Vec::new();
        }
        (0..self.coeffs.len())
            .filter(|&i| self.coeffs[i] != 0)
            .collect()
    }
}

fn gcd(a: i128, b: i128) -> i128 {
    let (mut a, mut b) = (a.abs(), b.abs());
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// The attacker behind `attack`, on the reader's view of the bordered grid
/// (`None` where withheld): the withheld slots it pins, with their values,
/// by position.
fn disclosures(known: &[Vec<Option<u64>>], least: u64) -> Vec<(Slot, i128)> {
    let unknowns: Vec<Slot> = slots(known)
        .filter(|&(row, col)| known[row][col].is_none())
        .collect();
    let mut equations = margin_equations(known, &unknowns);
    let mut pinned: Vec<Option<i128>> = vec![None; unknowns.len()];
    loop {
        let mut reduced = equations.clone();
        reduce(&mut reduced, unknowns.len());
        for (index, value) in reduced.iter().filter_map(Equation::solved) {
            pinned[index] = Some(value);
        }
        let mut fresh: Vec<usize> = equations
            .iter()
            .chain(&reduced)
            .flat_map(|eq| eq.at_least_bound(i128::from(least)))
            .filter(|&index| pinned[index].is_none())
            .collect();
        if fresh.is_empty() {
            break;
        }
        fresh.sort_unstable();
        fresh.dedup();
        for index in fresh {
            pinned[index] = Some(i128::from(least));
            equations.push(Equation::unit(unknowns.len(), index, i128::from(least)));
        }
    }
    unknowns
        .into_iter()
        .zip(pinned)
        .filter_map(|(slot, value)| Some((slot, value?)))
        .collect()
}

/// One equation per line that has a withheld slot: withheld members count
/// +1, a withheld total −1, and the printed values move to the right side.
fn margin_equations(known: &[Vec<Option<u64>>], unknowns: &[Slot]) -> Vec<Equation> {
    let index_of = |slot: Slot| unknowns.binary_search(&slot).ok();
    lines(known.len(), known[0].len())
        .iter()
        .filter(|line| line.slots().any(|slot| index_of(slot).is_some()))
        .map(|line| {
            let mut eq = Equation {
                coeffs: vec![0; unknowns.len()],
                rhs: 0,
            };
            let signed = line
                .members
                .iter()
                .map(|&slot| (slot, 1))
                .chain([(line.total, -1)]);
            for ((row, col), sign) in signed {
                match known[row][col] {
                    Some(value) => eq.rhs -= sign * i128::from(value),
                    None => {
                        if let Some(index) = index_of((row, col)) {
                            eq.coeffs[index] += sign;
                        }
                    }
                }
            }
            eq
        })
        .collect()
}

/// Gauss–Jordan elimination in place, fraction-free: afterwards each pivot
/// column is zero outside its pivot row. An unknown is fixed by the system
/// exactly when its pivot row has no other non-zero coefficient (the unit
/// vector is then in the row space).
fn reduce(rows: &mut [Equation], unknowns: usize) {
    let mut next = 0;
    for col in 0..unknowns {
        if next == rows.len() {
            break;
        }
        let Some(found) = (next..rows.len()).find(|&r| rows[r].coeffs[col] != 0) else {
            continue;
        };
        rows.swap(next, found);
        let pivot = rows[next].clone();
        for (r, row) in rows.iter_mut().enumerate() {
            if r != next && row.coeffs[col] != 0 {
                row.eliminate(&pivot, col);
            }
        }
        next += 1;
    }
}

/// Hides exactly `positions`, as a naive page would: for tests of the
/// attacker and the audit, never for printing.
#[cfg(test)]
fn hide(table: &CountTable, rule: SuppressionRule, positions: &[Position]) -> SuppressedTable {
    let truth = table.bordered();
    let mut hidden: Hidden = truth.iter().map(|l| vec![None; l.len()]).collect();
    for position in positions {
        if let Some((row, col)) = position.slot(table.rows(), table.columns()) {
            let small = rule.is_small(truth[row][col]);
            hidden[row][col] = Some(if small {
                Reason::Primary
            } else {
                Reason::Complementary
            });
        }
    }
    SuppressedTable {
        row_labels: table.row_labels.clone(),
        column_labels: table.column_labels.clone(),
        rule,
        grid: publish(&truth, &hidden),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeMap, BTreeSet};

    const P: Cell = Cell::Suppressed {
        reason: Reason::Primary,
    };
    const C: Cell = Cell::Suppressed {
        reason: Reason::Complementary,
    };

    fn n(count: u64) -> Cell {
        Cell::Published(count)
    }

    fn labels(prefix: &str, count: usize) -> Vec<String> {
        (0..count).map(|i| format!("{prefix}{i}")).collect()
    }

    fn table(cells: Vec<Vec<u64>>) -> CountTable {
        CountTable::new(labels("r", cells.len()), labels("c", cells[0].len()), cells).unwrap()
    }

    fn cell(row: usize, col: usize) -> Position {
        Position::Cell { row, col }
    }

    /// Every position: cells row by row, then row totals, column totals and
    /// the grand total.
    fn positions(rows: usize, cols: usize) -> Vec<Position> {
        let cells = (0..rows).flat_map(|row| (0..cols).map(move |col| cell(row, col)));
        cells
            .chain((0..rows).map(Position::RowTotal))
            .chain((0..cols).map(Position::ColumnTotal))
            .chain([Position::GrandTotal])
            .collect()
    }

    /// The table as printed: its rows each with the row total last, then
    /// the column totals with the grand total last.
    fn printed(s: &SuppressedTable) -> Vec<Vec<Cell>> {
        let (rows, cols) = (s.rows(), s.columns());
        let mut out: Vec<Vec<Cell>> = (0..rows)
            .map(|row| {
                (0..cols)
                    .map(|col| s.get(cell(row, col)).unwrap())
                    .chain([s.get(Position::RowTotal(row)).unwrap()])
                    .collect()
            })
            .collect();
        out.push(
            (0..cols)
                .map(|col| s.get(Position::ColumnTotal(col)).unwrap())
                .chain([s.get(Position::GrandTotal).unwrap()])
                .collect(),
        );
        out
    }

    fn list_of(counts: &[u64], rule: SuppressionRule) -> SuppressedList {
        suppress_list(labels("g", counts.len()), counts.to_vec(), rule).unwrap()
    }

    // ----- hand examples -------------------------------------------------

    #[test]
    fn a_lone_small_cell_costs_a_rectangle_and_the_totals_stay() {
        let t = table(vec![vec![4, 20, 30], vec![15, 25, 35], vec![40, 45, 50]]);
        let s = suppress(&t, SuppressionRule::new(10));
        assert_eq!(
            printed(&s),
            vec![
                vec![P, C, n(30), n(54)],
                vec![C, C, n(35), n(75)],
                vec![n(40), n(45), n(50), n(135)],
                vec![n(59), n(90), n(115), n(264)],
            ]
        );
        assert_eq!(attack(&s), vec![]);
        assert_eq!(unprotected(&t, &s).unwrap(), vec![]);
    }

    #[test]
    fn the_attacker_recovers_a_lone_withheld_cell_of_a_naive_page() {
        let t = table(vec![vec![4, 20, 30], vec![15, 25, 35], vec![40, 45, 50]]);
        let naive = hide(&t, SuppressionRule::new(10), &[cell(0, 0)]);
        assert_eq!(
            attack(&naive),
            vec![Disclosure {
                position: cell(0, 0),
                value: 4
            }]
        );
        assert_eq!(unprotected(&t, &naive).unwrap(), vec![cell(0, 0)]);
    }

    /// Two small blocks joined by one small cell: every line withholds two
    /// or more, yet the joining cell is fixed by the equations.
    fn two_blocks_and_a_bridge() -> CountTable {
        table(vec![
            vec![3, 4, 5, 50, 60],
            vec![6, 7, 40, 55, 65],
            vec![45, 50, 2, 3, 70],
            vec![48, 52, 4, 6, 75],
        ])
    }

    fn small_cells_of_two_blocks() -> Vec<Position> {
        let small = [
            (0, 0),
            (0, 1),
            (0, 2),
            (1, 0),
            (1, 1),
            (2, 2),
            (2, 3),
            (3, 2),
            (3, 3),
        ];
        small.iter().map(|&(r, c)| cell(r, c)).collect()
    }

    #[test]
    fn the_attacker_sees_through_lines_that_each_withhold_two() {
        let t = two_blocks_and_a_bridge();
        let naive = hide(&t, SuppressionRule::new(10), &small_cells_of_two_blocks());
        // No line has a single withheld slot, so "one per line" is satisfied.
        let hidden_per_row: Vec<usize> = (0..4)
            .map(|r| {
                (0..5)
                    .filter(|&c| naive.get(cell(r, c)).unwrap().is_suppressed())
                    .count()
            })
            .collect();
        assert_eq!(hidden_per_row, vec![3, 2, 2, 2]);
        assert_eq!(
            attack(&naive),
            vec![Disclosure {
                position: cell(0, 2),
                value: 5
            }]
        );
    }

    #[test]
    fn suppression_goes_past_two_per_line_when_the_algebra_demands() {
        let t = two_blocks_and_a_bridge();
        let s = suppress(&t, SuppressionRule::new(10));
        let mut expected = small_cells_of_two_blocks();
        expected.push(cell(1, 2));
        expected.sort();
        let mut got = s.suppressed();
        got.sort();
        assert_eq!(got, expected);
        assert_eq!(s.get(cell(1, 2)), Some(C));
        assert_eq!(attack(&s), vec![]);
        assert_eq!(unprotected(&t, &s).unwrap(), vec![]);
    }

    #[test]
    fn a_list_withholds_its_small_count_and_the_next_smallest() {
        let list = list_of(&[4, 50, 60], SuppressionRule::new(10));
        assert_eq!(list.counts, vec![P, C, n(60)]);
        assert_eq!(list.total, n(114));
        assert_eq!(list.labels, labels("g", 3));
    }

    #[test]
    fn two_ones_in_a_list_cost_a_third_count_when_zeros_are_printed() {
        // With zeros printed a withheld count is at least 1, so two
        // withheld counts summing to 2 would both be 1.
        let rule = SuppressionRule::new(10);
        let t = CountTable::list("all", labels("g", 3), vec![1, 1, 50]).unwrap();
        let naive = hide(&t, rule, &[cell(0, 0), cell(0, 1)]);
        let found: Vec<(Position, i128)> = attack(&naive)
            .iter()
            .map(|d| (d.position, d.value))
            .collect();
        assert_eq!(found, vec![(cell(0, 0), 1), (cell(0, 1), 1)]);

        let list = list_of(&[1, 1, 50], rule);
        assert_eq!(list.counts, vec![P, P, C]);
        assert_eq!(list.total, n(52));

        // Where zeros are withheld too, 0 + 2 is possible: no third count.
        let zeros_withheld = SuppressionRule {
            threshold: 10,
            suppress_zero: true,
        };
        let list = list_of(&[1, 1, 50], zeros_withheld);
        assert_eq!(list.counts, vec![P, P, n(50)]);
        assert_eq!(list.total, n(52));
    }

    #[test]
    fn zero_is_printed_unless_the_rule_withholds_it() {
        let list = list_of(&[0, 5, 50], SuppressionRule::new(10));
        assert_eq!(list.counts, vec![n(0), P, C]);
        assert_eq!(list.total, n(55));

        let rule = SuppressionRule {
            threshold: 10,
            suppress_zero: true,
        };
        let list = list_of(&[0, 5, 50], rule);
        assert_eq!(list.counts, vec![P, P, n(50)]);
        assert_eq!(list.total, n(55));
    }

    #[test]
    fn a_small_total_is_withheld_as_primary() {
        let t = table(vec![vec![3, 4], vec![20, 30]]);
        let s = suppress(&t, SuppressionRule::new(10));
        assert_eq!(
            printed(&s),
            vec![vec![P, P, P], vec![C, C, C], vec![n(23), n(34), n(57)],]
        );
        assert_eq!(attack(&s), vec![]);
    }

    #[test]
    fn a_table_of_one_small_count_is_withheld_whole() {
        let s = suppress(&table(vec![vec![5]]), SuppressionRule::new(10));
        assert_eq!(printed(&s), vec![vec![P, P], vec![P, P]]);
        assert_eq!(attack(&s), vec![]);
    }

    #[test]
    fn a_table_without_small_counts_is_printed_whole() {
        let t = table(vec![vec![0, 12], vec![30, 0]]);
        let s = suppress(&t, SuppressionRule::new(10));
        assert_eq!(s.suppressed(), vec![]);
        assert_eq!(s.get(Position::GrandTotal), Some(n(42)));
        assert_eq!(t.get(Position::RowTotal(1)), Some(30));
        assert_eq!(s.get(cell(2, 0)), None);
    }

    #[test]
    fn a_rate_from_a_withheld_count_is_withheld() {
        assert_eq!(rate(n(3), n(12)), Rate::Published(0.25));
        assert_eq!(rate(n(3), n(12)).percent(), Some(25.0));
        assert_eq!(rate(P, n(12)), Rate::Suppressed);
        assert_eq!(rate(n(3), C), Rate::Suppressed);
        assert_eq!(rate(P, n(0)), Rate::Suppressed);
        assert_eq!(rate(n(0), n(0)), Rate::Undefined);
        assert_eq!(rate(P, C).percent(), None);
    }

    #[test]
    fn malformed_tables_are_refused() {
        let one = || labels("x", 1);
        assert_eq!(
            CountTable::new(vec![], one(), vec![]),
            Err(TableError::Empty)
        );
        assert_eq!(
            CountTable::new(labels("r", 2), one(), vec![vec![1]]),
            Err(TableError::RowLabels { labels: 2, rows: 1 })
        );
        assert_eq!(
            CountTable::new(labels("r", 2), one(), vec![vec![1], vec![1, 2]]),
            Err(TableError::RowWidth {
                row: 1,
                width: 2,
                columns: 1
            })
        );
        assert_eq!(
            CountTable::new(one(), labels("c", 2), vec![vec![u64::MAX, 1]]),
            Err(TableError::TooLarge)
        );
    }

    #[test]
    fn the_audit_refuses_a_table_it_was_not_made_from() {
        let s = suppress(&table(vec![vec![4, 20]]), SuppressionRule::new(10));
        assert_eq!(
            unprotected(&table(vec![vec![4, 21]]), &s),
            Err(TableError::NotThisTable)
        );
        assert_eq!(
            unprotected(&table(vec![vec![4, 20, 1]]), &s),
            Err(TableError::NotThisTable)
        );
    }

    /// Two ones at opposite corners of a six-cycle of withheld cells: every
    /// line withholds two, no equation fixes a cell, and the Gaussian
    /// attacker finds nothing; but with zeros printed each withheld cell is
    /// at least 1, the cycle can only move by taking one from a 1, so all six
    /// are pinned. The exact audit (and brute force) see it, which is why
    /// `suppress` is driven by the audit and not by the attacker alone.
    #[test]
    fn the_audit_sees_what_elimination_misses_and_suppression_avoids_it() {
        let t = table(vec![vec![1, 30, 40], vec![50, 20, 1], vec![35, 60, 25]]);
        let rule = SuppressionRule::new(10);
        let cycle = [
            cell(0, 0),
            cell(0, 1),
            cell(1, 1),
            cell(1, 2),
            cell(2, 2),
            cell(2, 0),
        ];
        let naive = hide(&t, rule, &cycle);
        assert_eq!(attack(&naive), vec![]);
        assert_eq!(unprotected(&t, &naive).unwrap(), naive.suppressed());
        for (p, values) in brute_force(&naive, 1, 61) {
            assert_eq!(values, BTreeSet::from([t.get(p).unwrap() as i64]));
        }

        let s = suppress(&t, rule);
        assert_eq!(
            printed(&s),
            vec![
                vec![P, n(30), C, n(71)],
                vec![C, n(20), P, n(71)],
                vec![n(35), n(60), n(25), n(120)],
                vec![n(86), n(110), n(66), n(262)],
            ]
        );
        assert_eq!(unprotected(&t, &s).unwrap(), vec![]);
    }

    // ----- randomized ----------------------------------------------------

    /// xorshift64: seeded, so every run tries the same tables.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            let mut x = self.0;
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            self.0 = x;
            x
        }

        fn below(&mut self, bound: u64) -> u64 {
            self.next() % bound
        }

        /// Many zeros and small counts, some at or above the usual 10.
        fn count(&mut self, largest: u64) -> u64 {
            match self.below(20) {
                0..=5 => 0,
                6..=12 => 1 + self.below(9),
                _ => 10 + self.below(largest - 9),
            }
        }

        fn table(&mut self, max_side: u64, largest: u64) -> CountTable {
            let rows = 1 + self.below(max_side) as usize;
            let cols = 1 + self.below(max_side) as usize;
            let cells = (0..rows)
                .map(|_| {
                    // One row in six is a whole small group.
                    let small_row = self.below(6) == 0;
                    (0..cols)
                        .map(|_| {
                            if small_row {
                                self.below(10)
                            } else {
                                self.count(largest)
                            }
                        })
                        .collect()
                })
                .collect();
            table(cells)
        }

        fn rule(&mut self) -> SuppressionRule {
            let thresholds = [10, 10, 10, 10, 5, 3, 11, 2, 1];
            SuppressionRule {
                threshold: thresholds[self.below(thresholds.len() as u64) as usize],
                suppress_zero: self.below(5) == 0,
            }
        }
    }

    fn least(rule: SuppressionRule) -> i64 {
        if rule.suppress_zero { 0 } else { 1 }
    }

    /// Exhaustive search over the withheld values, each in `least..=cap`,
    /// for every assignment agreeing with the printed values. Built on the
    /// public view alone, not on the module's equations. An equation with one
    /// open unknown sets it (the only value that can agree), which keeps the
    /// search small without skipping any solution.
    struct Search {
        equations: Vec<(Vec<(usize, i64)>, i64)>,
        least: i64,
        cap: i64,
        values: Vec<Option<i64>>,
        seen: Vec<BTreeSet<i64>>,
    }

    impl Search {
        fn run(&mut self) {
            if self.seen.iter().all(|s| s.len() >= 2) {
                return;
            }
            let mut trail = Vec::new();
            if self.propagate(&mut trail) {
                match self.values.iter().position(Option::is_none) {
                    None => {
                        for (seen, value) in self.seen.iter_mut().zip(&self.values) {
                            seen.insert(value.unwrap());
                        }
                    }
                    Some(open) => {
                        for value in self.least..=self.cap {
                            self.values[open] = Some(value);
                            self.run();
                        }
                        self.values[open] = None;
                    }
                }
            }
            for index in trail {
                self.values[index] = None;
            }
        }

        /// False when some equation cannot hold.
        fn propagate(&mut self, trail: &mut Vec<usize>) -> bool {
            loop {
                let mut changed = false;
                for e in 0..self.equations.len() {
                    let (terms, rhs) = &self.equations[e];
                    let mut sum = 0;
                    let mut open = Vec::new();
                    for &(index, coeff) in terms {
                        match self.values[index] {
                            Some(value) => sum += coeff * value,
                            None => open.push((index, coeff)),
                        }
                    }
                    match open[..] {
                        [] if sum != *rhs => return false,
                        [(index, coeff)] => {
                            let rest = rhs - sum;
                            let value = rest / coeff;
                            if rest % coeff != 0 || value < self.least || value > self.cap {
                                return false;
                            }
                            self.values[index] = Some(value);
                            trail.push(index);
                            changed = true;
                        }
                        _ => {}
                    }
                }
                if !changed {
                    return true;
                }
            }
        }
    }

    /// For each withheld position, the values it takes across all tables
    /// agreeing with `s` (stops early once every one has two).
    fn brute_force(s: &SuppressedTable, least: i64, cap: i64) -> BTreeMap<Position, BTreeSet<i64>> {
        let (rows, cols) = (s.rows(), s.columns());
        let mut lines: Vec<Vec<(Position, i64)>> = Vec::new();
        for row in 0..rows {
            let members = (0..cols).map(|col| (cell(row, col), 1));
            lines.push(members.chain([(Position::RowTotal(row), -1)]).collect());
        }
        for col in 0..cols {
            let members = (0..rows).map(|row| (cell(row, col), 1));
            lines.push(members.chain([(Position::ColumnTotal(col), -1)]).collect());
        }
        let row_totals = (0..rows).map(|row| (Position::RowTotal(row), 1));
        lines.push(row_totals.chain([(Position::GrandTotal, -1)]).collect());
        let col_totals = (0..cols).map(|col| (Position::ColumnTotal(col), 1));
        lines.push(col_totals.chain([(Position::GrandTotal, -1)]).collect());

        let unknowns = s.suppressed();
        let equations = lines
            .iter()
            .map(|line| {
                let mut terms = Vec::new();
                let mut rhs = 0;
                for &(position, coeff) in line {
                    match s.get(position).unwrap() {
                        Cell::Published(value) => rhs -= coeff * value as i64,
                        Cell::Suppressed { .. } => {
                            let index = unknowns.iter().position(|&u| u == position).unwrap();
                            terms.push((index, coeff));
                        }
                    }
                }
                (terms, rhs)
            })
            .collect();
        let mut search = Search {
            equations,
            least,
            cap,
            values: vec![None; unknowns.len()],
            seen: vec![BTreeSet::new(); unknowns.len()],
        };
        search.run();
        unknowns.into_iter().zip(search.seen).collect()
    }

    /// The search bound: one above the largest withheld count, so the unit
    /// steps that make a count ambiguous stay inside it.
    fn cap(t: &CountTable, withheld: &[Position]) -> i64 {
        let largest = withheld.iter().map(|&p| t.get(p).unwrap()).max();
        largest.unwrap_or(0) as i64 + 1
    }

    #[test]
    fn random_tables_withhold_every_small_count_and_give_nothing_away() {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let (mut complements, mut naive_leaks) = (0, 0);
        for case in 0..600 {
            let t = rng.table(6, 80);
            let rule = rng.rule();
            let s = suppress(&t, rule);
            let mut small = Vec::new();
            for p in positions(t.rows(), t.columns()) {
                let truth = t.get(p).unwrap();
                match s.get(p).unwrap() {
                    // (d) printed values are the true counts.
                    Cell::Published(shown) => assert_eq!(shown, truth, "case {case} {p:?}"),
                    // (a) small counts are withheld as primary.
                    Cell::Suppressed {
                        reason: Reason::Primary,
                    } => assert!(rule.is_small(truth), "case {case} {p:?}"),
                    Cell::Suppressed {
                        reason: Reason::Complementary,
                    } => {
                        assert!(!rule.is_small(truth) && truth > 0, "case {case} {p:?}");
                        complements += 1;
                    }
                }
                if rule.is_small(truth) {
                    assert_eq!(s.get(p), Some(P), "case {case} {p:?}");
                    small.push(p);
                }
            }
            // (b) the attacker recovers nothing; the exact audit agrees.
            assert_eq!(attack(&s), vec![], "case {case}: {t:?} {rule:?}");
            assert_eq!(unprotected(&t, &s).unwrap(), vec![], "case {case}");
            // (e) deterministic.
            assert_eq!(suppress(&t, rule), s, "case {case}");
            if !attack(&hide(&t, rule, &small)).is_empty() {
                naive_leaks += 1;
            }
        }
        // The cases exercised complements, and primary-only pages leak.
        assert!(complements > 500, "{complements}");
        assert!(naive_leaks > 200, "{naive_leaks}");
    }

    /// Tables up to 3 by 3 with counts up to 20, every suppressed table
    /// whose withheld counts are at most 99 (about 900 of the 1500): every
    /// agreeing table of whole counts is enumerated, and each withheld slot
    /// must take two values or more across them.
    #[test]
    fn brute_force_finds_two_values_for_every_withheld_count() {
        let mut rng = Rng(0x2545_F491_4F6C_DD1D);
        let mut checked = 0;
        for case in 0..1500 {
            let t = rng.table(3, 20);
            let rule = rng.rule();
            let s = suppress(&t, rule);
            let withheld = s.suppressed();
            let cap = cap(&t, &withheld);
            if withheld.is_empty() || cap > 100 {
                continue;
            }
            // (c) with nonnegativity alone, and with the rule's bound.
            for least in [0, least(rule)] {
                for (p, values) in brute_force(&s, least, cap) {
                    assert!(
                        values.len() >= 2,
                        "case {case}: {p:?} only {values:?} in {t:?} {rule:?}"
                    );
                }
            }
            checked += 1;
        }
        assert!(checked >= 800, "{checked}");
    }

    /// Random withheld slots, not chosen by `suppress`: the exact audit
    /// flags exactly the slots brute force pins, and everything the
    /// attacker reports is pinned, at its true value.
    #[test]
    fn the_audit_is_exact_and_the_attacker_sound_against_brute_force() {
        let mut rng = Rng(0xD1B5_4A32_D192_ED03);
        let (mut checked, mut attacked) = (0, 0);
        for case in 0..1500 {
            let t = rng.table(3, 20);
            let rule = rng.rule();
            let withheld: Vec<Position> = positions(t.rows(), t.columns())
                .into_iter()
                .filter(|&p| rule.suppress_zero || t.get(p).unwrap() > 0)
                .filter(|_| rng.below(5) < 2)
                .collect();
            let cap = cap(&t, &withheld);
            if withheld.is_empty() || withheld.len() > 10 || cap > 60 {
                continue;
            }
            let s = hide(&t, rule, &withheld);
            let values = brute_force(&s, least(rule), cap);
            // The search stops early only once every slot has two values,
            // so a slot with one value was searched in full: its truth.
            for (p, seen) in &values {
                let truth = t.get(*p).unwrap() as i64;
                assert!(
                    seen.len() >= 2 || seen == &BTreeSet::from([truth]),
                    "case {case}"
                );
            }
            let pinned: Vec<Position> = s
                .suppressed()
                .into_iter()
                .filter(|p| values[p].len() == 1)
                .collect();
            assert_eq!(
                unprotected(&t, &s).unwrap(),
                pinned,
                "case {case}: {t:?} {rule:?}"
            );
            let disclosures = attack(&s);
            for d in &disclosures {
                assert!(pinned.contains(&d.position), "case {case}: {d:?}");
                assert_eq!(
                    d.value,
                    i128::from(t.get(d.position).unwrap()),
                    "case {case}"
                );
            }
            checked += 1;
            attacked += usize::from(!disclosures.is_empty());
        }
        assert!(checked >= 500, "{checked}");
        assert!(attacked >= 100, "{attacked}");
    }

    /// The bordered-grid edge a position is: its row and its column.
    fn edge(p: Position, rows: usize, cols: usize) -> (usize, usize) {
        match p {
            Position::Cell { row, col } => (row, col),
            Position::RowTotal(row) => (row, cols),
            Position::ColumnTotal(col) => (rows, col),
            Position::GrandTotal => (rows, cols),
        }
    }

    /// Whether removing `e` disconnects its row from its column in the
    /// graph whose edges are the withheld slots.
    fn is_bridge(edges: &[(usize, usize)], e: (usize, usize)) -> bool {
        let (start, goal) = (e.0, 1000 + e.1);
        let mut seen = BTreeSet::from([start]);
        let mut stack = vec![start];
        while let Some(node) = stack.pop() {
            for &(r, c) in edges.iter().filter(|&&x| x != e) {
                let (a, b) = (r, 1000 + c);
                let next = if node == a {
                    b
                } else if node == b {
                    a
                } else {
                    continue;
                };
                if seen.insert(next) {
                    stack.push(next);
                }
            }
        }
        !seen.contains(&goal)
    }

    /// Linear algebra alone (no count is zero here, so the rule's bound
    /// never applies): the Gaussian attacker finds exactly the withheld
    /// slots on no cycle of withheld slots, the classical criterion for a
    /// two-way table, and their true values.
    #[test]
    fn the_linear_attacker_finds_exactly_the_bridges() {
        let mut rng = Rng(0x0123_4567_89AB_CDEF);
        let rule = SuppressionRule {
            threshold: 10,
            suppress_zero: true,
        };
        let mut bridges_seen = 0;
        for case in 0..500 {
            let t = rng.table(5, 60);
            let (rows, cols) = (t.rows(), t.columns());
            let withheld: Vec<Position> = positions(rows, cols)
                .into_iter()
                .filter(|&p| t.get(p).unwrap() > 0)
                .filter(|_| rng.below(5) < 2)
                .collect();
            let s = hide(&t, rule, &withheld);
            let edges: Vec<(usize, usize)> =
                withheld.iter().map(|&p| edge(p, rows, cols)).collect();
            let bridges: Vec<Position> = withheld
                .iter()
                .copied()
                .filter(|&p| is_bridge(&edges, edge(p, rows, cols)))
                .collect();
            let found = attack(&s);
            let found_at: BTreeSet<Position> = found.iter().map(|d| d.position).collect();
            let bridges: BTreeSet<Position> = bridges.into_iter().collect();
            assert_eq!(found_at, bridges, "case {case}: {t:?} {withheld:?}");
            for d in found {
                assert_eq!(d.value, i128::from(t.get(d.position).unwrap()));
            }
            bridges_seen += bridges.len();
        }
        assert!(bridges_seen > 300, "{bridges_seen}");
    }
}
