//! Ties between a person and an organisation they do not work for, which
//! make them unfit to review that organisation's application.
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AffiliationKind {
    FormerEmployer,
    BoardSeat,
    FamilyMember,
    FinancialInterest,
    Other,
}

impl AffiliationKind {
    pub const ALL: [AffiliationKind; 5] = [
        AffiliationKind::FormerEmployer,
        AffiliationKind::BoardSeat,
        AffiliationKind::FamilyMember,
        AffiliationKind::FinancialInterest,
        AffiliationKind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AffiliationKind::FormerEmployer => "former_employer",
            AffiliationKind::BoardSeat => "board_seat",
            AffiliationKind::FamilyMember => "family_member",
            AffiliationKind::FinancialInterest => "financial_interest",
            AffiliationKind::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<AffiliationKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_reads_back_as_itself() {
        for k in AffiliationKind::ALL {
            assert_eq!(AffiliationKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(AffiliationKind::parse("cousin"), None);
    }
}
