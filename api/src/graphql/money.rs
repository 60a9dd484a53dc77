//! Money in GraphQL: whole cents as an integer, never a float.
use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};
use leeway_machines::domain::money::Cents as DomainCents;
use serde::{Deserialize, Serialize};

/// An amount of money in whole US cents: `140000000` is $1,400,000.00.
/// Written as a JSON integer (beyond GraphQL's 32-bit `Int`, so that an
/// appropriation of any size fits; exact up to 2^53 in JavaScript). Never
/// negative where a person gives it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Cents(pub i64);

/// An amount of money in whole US cents: `140000000` is $1,400,000.00. A
/// JSON integer, exact up to 2^53; never negative where a person gives it.
#[Scalar(name = "Cents")]
impl ScalarType for Cents {
    fn parse(value: Value) -> InputValueResult<Self> {
        let Value::Number(n) = &value else {
            return Err(InputValueError::expected_type(value));
        };
        let cents = n
            .as_i64()
            .ok_or_else(|| InputValueError::custom("give whole cents, as an integer"))?;
        DomainCents::parse_amount("amount", cents)
            .map(|c| Cents(c.get()))
            .map_err(InputValueError::custom)
    }

    fn to_value(&self) -> Value {
        Value::Number(self.0.into())
    }
}

impl From<DomainCents> for Cents {
    fn from(c: DomainCents) -> Self {
        Cents(c.get())
    }
}

impl From<Cents> for DomainCents {
    fn from(c: Cents) -> Self {
        DomainCents(c.0)
    }
}
