//! How far an import's writes have got: a bar on a terminal, and on
//! anything else (a log, a CI job) a plain line at every tenth, so a long
//! import is never silent and never floods a log with redraws.
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, Ordering};

pub struct Progress {
    what: &'static str,
    total: u64,
    done: AtomicU64,
    shown: Shown,
}

enum Shown {
    Bar(ProgressBar),
    Lines,
    Hidden,
}

impl Progress {
    /// Shown on standard error: a bar when it is a terminal, else lines.
    pub fn on_stderr(what: &'static str, total: u64) -> Progress {
        let shown = if std::io::stderr().is_terminal() {
            let bar = ProgressBar::new(total);
            if let Ok(style) =
                ProgressStyle::with_template("{msg:>14} [{bar:40}] {pos}/{len} ({eta} left)")
            {
                bar.set_style(style.progress_chars("=> "));
            }
            bar.set_message(what);
            Shown::Bar(bar)
        } else {
            Shown::Lines
        };
        Progress {
            what,
            total,
            done: AtomicU64::new(0),
            shown,
        }
    }

    /// Counts without showing anything (tests, the GraphQL mutations).
    pub fn hidden() -> Progress {
        Progress {
            what: "",
            total: 0,
            done: AtomicU64::new(0),
            shown: Shown::Hidden,
        }
    }

    /// One more record written.
    pub fn step(&self) {
        let done = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        match &self.shown {
            Shown::Bar(bar) => bar.set_position(done),
            // At most ten lines, whatever the size of the file.
            Shown::Lines => {
                let total = self.total.max(1);
                if done * 10 / total != (done - 1) * 10 / total {
                    eprintln!("{}: {done}/{} written", self.what, self.total);
                }
            }
            Shown::Hidden => {}
        }
    }

    pub fn written(&self) -> u64 {
        self.done.load(Ordering::Relaxed)
    }

    pub fn finish(&self) {
        if let Shown::Bar(bar) = &self.shown {
            bar.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_every_step() {
        let p = Progress::hidden();
        for _ in 0..5 {
            p.step();
        }
        assert_eq!(p.written(), 5);
    }
}
