//! `leeway import people FILE`: the state's people, from a CSV file with
//! the header `id,name,email,organisation_id,roles,affiliations`.
//!
//! `roles` lists one or more roles separated by `;`, the first being the
//! one a request acts in unless its `Leeway-Role` header names another.
//! `affiliations` lists ties that recuse a reviewer, as `kind:organisation`
//! separated by `;` (e.g. `former_employer:KY-165; board_seat:KY-034`).
//!
//! Upserts by id, all or nothing, audited with the file's hash (see
//! `import_file`). A person missing from a later file is only reported,
//! and deactivated with `--deactivate-missing`: they then cannot sign in,
//! be assigned or be emailed by role, and stay named on the cases and in
//! the audit trail where they acted. One who reappears is active again.
use crate::import_file::{self, ImportError, RowError};
use crate::import_progress::Progress;
use chrono::Utc;
use leeway_entities::{organisation, user, user_affiliation, user_role};
use leeway_machines::domain::actor::Role;
use leeway_machines::domain::affiliation::AffiliationKind;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set, TransactionTrait};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

pub const HEADER: [&str; 6] = [
    "id",
    "name",
    "email",
    "organisation_id",
    "roles",
    "affiliations",
];

/// One person as the file states them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Person {
    pub id: String,
    pub name: String,
    pub email: String,
    pub organisation_id: String,
    /// At least one; the first is the default.
    pub roles: Vec<Role>,
    pub affiliations: BTreeSet<(String, AffiliationKind)>,
}

/// A person's further roles and ties, as stored.
#[derive(Default)]
struct Stored {
    roles: BTreeSet<Role>,
    affiliations: BTreeSet<(String, AffiliationKind)>,
}

impl Person {
    pub fn role(&self) -> Role {
        self.roles[0]
    }

    fn further_roles(&self) -> BTreeSet<Role> {
        self.roles[1..].iter().copied().collect()
    }

    fn matches(&self, u: &user::Model, stored: Option<&Stored>) -> bool {
        let empty = Stored::default();
        let stored = stored.unwrap_or(&empty);
        u.deactivated_at.is_none()
            && u.name == self.name
            && u.email == self.email
            && u.organisation_id == self.organisation_id
            && u.role == self.role().as_str()
            && stored.roles == self.further_roles()
            && stored.affiliations == self.affiliations
    }
}

/// What importing a file would change.
#[derive(Debug)]
pub struct PeoplePlan {
    pub sha256: String,
    pub added: Vec<Person>,
    /// Including people deactivated before whom the file lists again.
    pub changed: Vec<Person>,
    pub unchanged: usize,
    /// Active people the file does not list.
    pub missing: Vec<String>,
    /// Whether `missing` are to be deactivated.
    pub deactivate_missing: bool,
}

impl PeoplePlan {
    pub fn summary(&self) -> String {
        let missing = if self.deactivate_missing {
            "to deactivate"
        } else {
            "not in the file, kept (--deactivate-missing deactivates them)"
        };
        format!(
            "{} person(s) to add, {} to change, {} unchanged, {} {missing} (file SHA-256 {}).",
            self.added.len(),
            self.changed.len(),
            self.unchanged,
            self.missing.len(),
            self.sha256
        )
    }
}

fn person(r: &import_file::Row<'_>) -> Result<Person, String> {
    let id = r.required(0)?;
    let name = r.required(1)?;
    let email = r.required(2)?.to_ascii_lowercase();
    let well_formed = email
        .split_once('@')
        .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.'))
        && !email.contains(char::is_whitespace);
    if !well_formed {
        return Err(format!("`{email}` is not an email address"));
    }
    let organisation_id = r.required(3)?;
    let mut roles = Vec::new();
    for raw in r.raw(4).split(';').map(str::trim).filter(|s| !s.is_empty()) {
        let role = Role::parse_person_role(raw).ok_or_else(|| {
            let roles: Vec<&str> = Role::ALL
                .into_iter()
                .filter(|r| *r != Role::System)
                .map(Role::as_str)
                .collect();
            format!("the role `{raw}` is not one of {}", roles.join(", "))
        })?;
        if roles.contains(&role) {
            return Err(format!("the role {raw} is given twice"));
        }
        roles.push(role);
    }
    if roles.is_empty() {
        return Err("the roles are empty; give at least one".into());
    }
    let mut affiliations = BTreeSet::new();
    for raw in r.raw(5).split(';').map(str::trim).filter(|s| !s.is_empty()) {
        let (kind, org) = raw
            .split_once(':')
            .map(|(k, o)| (k.trim(), o.trim()))
            .filter(|(_, o)| !o.is_empty())
            .ok_or_else(|| format!("the affiliation `{raw}` must be written kind:organisation"))?;
        let kind = AffiliationKind::parse(kind).ok_or_else(|| {
            let kinds: Vec<&str> = AffiliationKind::ALL.iter().map(|k| k.as_str()).collect();
            format!(
                "the affiliation kind `{kind}` is not one of {}",
                kinds.join(", ")
            )
        })?;
        affiliations.insert((org.to_string(), kind));
    }
    Ok(Person {
        id,
        name,
        email,
        organisation_id,
        roles,
        affiliations,
    })
}

/// Checks the file against itself and the database, and compares it with
/// the people as they stand.
pub async fn plan(
    db: &DatabaseConnection,
    bytes: &[u8],
    deactivate_missing: bool,
) -> Result<PeoplePlan, ImportError> {
    let import_file::Parsed {
        good: rows,
        mut bad,
    } = import_file::rows(bytes, &HEADER, person)?;
    let organisations: HashSet<String> = organisation::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|o| o.id)
        .collect();
    let current: BTreeMap<String, user::Model> = user::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id.clone(), u))
        .collect();
    let email_holder: HashMap<&str, &str> = current
        .values()
        .map(|u| (u.email.as_str(), u.id.as_str()))
        .collect();
    let (mut ids, mut emails) = (HashSet::new(), HashSet::new());
    let mut people = Vec::new();
    for (line, p) in rows {
        let problem = if !ids.insert(p.id.clone()) {
            Some(format!("{} appears earlier in the file", p.id))
        } else if !emails.insert(p.email.clone()) {
            Some(format!(
                "{} is given to another person earlier in the file",
                p.email
            ))
        } else if !organisations.contains(&p.organisation_id) {
            Some(format!("there is no organisation `{}`", p.organisation_id))
        } else if let Some((org, _)) = p
            .affiliations
            .iter()
            .find(|(org, _)| !organisations.contains(org))
        {
            Some(format!("the affiliation names no organisation `{org}`"))
        } else if let Some(holder) = email_holder.get(p.email.as_str()).filter(|h| **h != p.id) {
            Some(format!(
                "{} belongs to `{holder}`; change or remove theirs in an import of its own first",
                p.email
            ))
        } else {
            None
        };
        match problem {
            Some(reason) => bad.push(RowError { line, reason }),
            None => people.push(p),
        }
    }
    import_file::all_good(bad)?;
    let mut stored: HashMap<String, Stored> = HashMap::new();
    for r in user_role::Entity::find().all(db).await? {
        if let Some(role) = Role::parse_person_role(&r.role) {
            stored.entry(r.user_id).or_default().roles.insert(role);
        }
    }
    for a in user_affiliation::Entity::find().all(db).await? {
        if let Some(kind) = AffiliationKind::parse(&a.kind) {
            stored
                .entry(a.user_id)
                .or_default()
                .affiliations
                .insert((a.organisation_id, kind));
        }
    }
    let mut plan = PeoplePlan {
        sha256: import_file::sha256(bytes),
        added: Vec::new(),
        changed: Vec::new(),
        unchanged: 0,
        missing: current
            .values()
            .filter(|u| u.deactivated_at.is_none() && !ids.contains(&u.id))
            .map(|u| u.id.clone())
            .collect(),
        deactivate_missing,
    };
    for p in people {
        match current.get(&p.id) {
            None => plan.added.push(p),
            Some(u) if p.matches(u, stored.get(&p.id)) => plan.unchanged += 1,
            Some(_) => plan.changed.push(p),
        }
    }
    Ok(plan)
}

/// Writes a plan, and its audit entry, in one transaction.
pub async fn apply(
    db: &DatabaseConnection,
    plan: &PeoplePlan,
    file: &str,
    by: &str,
    progress: &Progress,
) -> Result<(), ImportError> {
    let now = Utc::now();
    let model = |p: &Person| user::ActiveModel {
        id: Set(p.id.clone()),
        name: Set(p.name.clone()),
        email: Set(p.email.clone()),
        role: Set(p.role().as_str().to_string()),
        organisation_id: Set(p.organisation_id.clone()),
        created_at: Set(now),
        deactivated_at: Set(None),
    };
    let txn = db.begin().await?;
    for p in &plan.added {
        user::Entity::insert(model(p)).exec(&txn).await?;
        write_ties(&txn, p).await?;
        progress.step();
    }
    for p in &plan.changed {
        let mut m = model(p);
        m.created_at = sea_orm::ActiveValue::NotSet;
        user::Entity::update(m).exec(&txn).await?;
        write_ties(&txn, p).await?;
        progress.step();
    }
    if plan.deactivate_missing && !plan.missing.is_empty() {
        user::Entity::update_many()
            .col_expr(user::Column::DeactivatedAt, Expr::value(now))
            .filter(user::Column::Id.is_in(plan.missing.clone()))
            .exec(&txn)
            .await?;
    }
    import_file::record_import(&txn, "people", file, by, &plan.sha256, plan.summary()).await?;
    txn.commit().await?;
    progress.finish();
    Ok(())
}

/// Replaces a person's further roles and affiliations with the file's.
async fn write_ties<C: sea_orm::ConnectionTrait>(c: &C, p: &Person) -> Result<(), ImportError> {
    user_role::Entity::delete_many()
        .filter(user_role::Column::UserId.eq(p.id.as_str()))
        .exec(c)
        .await?;
    user_affiliation::Entity::delete_many()
        .filter(user_affiliation::Column::UserId.eq(p.id.as_str()))
        .exec(c)
        .await?;
    for role in p.further_roles() {
        user_role::Entity::insert(user_role::ActiveModel {
            user_id: Set(p.id.clone()),
            role: Set(role.as_str().to_string()),
        })
        .exec(c)
        .await?;
    }
    for (org, kind) in &p.affiliations {
        user_affiliation::Entity::insert(user_affiliation::ActiveModel {
            user_id: Set(p.id.clone()),
            organisation_id: Set(org.clone()),
            kind: Set(kind.as_str().to_string()),
        })
        .exec(c)
        .await?;
    }
    Ok(())
}
