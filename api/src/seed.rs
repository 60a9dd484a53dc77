//! Demo data: one state agency, four districts and a charter (enough to
//! fill the demo network's three seats and start its wait list), schools,
//! a person in every role, fixed demo tokens, and a provision catalog.
//! The demo profile's network opens when Leeway starts.
use crate::auth;
use chrono::{NaiveDate, Utc};
use leeway_entities::{organisation, provision, user};
use leeway_machines::domain::actor::Role;
use leeway_machines::domain::duration::ClockDuration;
use leeway_machines::domain::money::Cents;
use leeway_machines::grant::terms::{
    Appropriation, Criterion, Eligibility, GrantProgramTerms, Phase,
};
use sea_orm::{ActiveModelTrait, ConnectionTrait, DbErr, EntityTrait, Set};

pub struct DemoUser {
    pub id: &'static str,
    pub name: &'static str,
    pub role: Role,
    pub organisation: &'static str,
    /// A fixed token so the README walk-through can be pasted as is.
    pub token: &'static str,
}

pub const DEMO_USERS: &[DemoUser] = &[
    DemoUser {
        id: "dana",
        name: "Dana Diaz",
        role: Role::DistrictApplicant,
        organisation: "riverbend",
        token: "demo-district-applicant",
    },
    DemoUser {
        id: "raj",
        name: "Raj Patel",
        role: Role::DistrictAuthorizedRep,
        organisation: "riverbend",
        token: "demo-district-rep",
    },
    DemoUser {
        id: "hana",
        name: "Hana Kim",
        role: Role::DistrictAuthorizedRep,
        organisation: "hillcrest",
        token: "demo-other-district-rep",
    },
    DemoUser {
        id: "lena",
        name: "Lena Novak",
        role: Role::DistrictAuthorizedRep,
        organisation: "lakeside",
        token: "demo-lakeside-rep",
    },
    DemoUser {
        id: "omar",
        name: "Omar Haddad",
        role: Role::DistrictAuthorizedRep,
        organisation: "summit-academy",
        token: "demo-summit-rep",
    },
    DemoUser {
        id: "pia",
        name: "Pia Larsen",
        role: Role::DistrictAuthorizedRep,
        organisation: "pinecrest",
        token: "demo-pinecrest-rep",
    },
    DemoUser {
        id: "rita",
        name: "Rita Okafor",
        role: Role::SeaReviewer,
        organisation: "sea",
        token: "demo-reviewer",
    },
    DemoUser {
        id: "sam",
        name: "Sam Lindqvist",
        role: Role::SeaReviewer,
        organisation: "sea",
        token: "demo-reviewer-2",
    },
    DemoUser {
        id: "alex",
        name: "Alex Moreau",
        role: Role::SeaApprover,
        organisation: "sea",
        token: "demo-approver",
    },
    DemoUser {
        id: "fern",
        name: "Fern Walsh",
        role: Role::FiscalOfficer,
        organisation: "sea",
        token: "demo-fiscal",
    },
    DemoUser {
        id: "lee",
        name: "Sen. Lee Carter",
        role: Role::Legislator,
        organisation: "legislature",
        token: "demo-legislator",
    },
    DemoUser {
        id: "ava",
        name: "Ava Brooks",
        role: Role::Auditor,
        organisation: "sea",
        token: "demo-auditor",
    },
    DemoUser {
        id: "root",
        name: "Leeway Admin",
        role: Role::Admin,
        organisation: "sea",
        token: "demo-admin",
    },
];

struct Org(
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
    Option<i32>,
    &'static str,
);

const ORGS: &[Org] = &[
    Org(
        "sea",
        "Demo State Department of Education",
        "sea",
        None,
        None,
        "{}",
    ),
    Org(
        "legislature",
        "Demo State Legislature, Education Committee",
        "legislature",
        None,
        None,
        "{}",
    ),
    Org(
        "riverbend",
        "Riverbend School District",
        "district",
        None,
        Some(4200),
        r#"{"english_learners":610,"students_with_disabilities":540,"economically_disadvantaged":1890}"#,
    ),
    Org(
        "hillcrest",
        "Hillcrest Community Schools",
        "district",
        None,
        Some(2100),
        r#"{"english_learners":120,"students_with_disabilities":260,"economically_disadvantaged":700,"race_american_indian_or_alaska_native":4,"race_black":180,"race_hispanic_or_latino":610,"race_native_hawaiian_or_pacific_islander":3,"race_white":1303}"#,
    ),
    Org(
        "lakeside",
        "Lakeside Unified School District",
        "district",
        None,
        Some(1800),
        r#"{"english_learners":95,"students_with_disabilities":210,"economically_disadvantaged":640,"race_american_indian_or_alaska_native":31,"race_black":95,"race_hispanic_or_latino":420,"race_white":1254}"#,
    ),
    Org(
        "summit-academy",
        "Summit Competency Academy (charter)",
        "charter",
        None,
        Some(450),
        r#"{"english_learners":8,"students_with_disabilities":52,"economically_disadvantaged":190}"#,
    ),
    Org(
        "pinecrest",
        "Pinecrest Joint School District",
        "district",
        None,
        Some(900),
        r#"{"english_learners":30,"students_with_disabilities":100,"economically_disadvantaged":410}"#,
    ),
    Org(
        "riverbend-high",
        "Riverbend High School",
        "school",
        Some("riverbend"),
        Some(1350),
        r#"{"english_learners":180,"students_with_disabilities":160,"economically_disadvantaged":600,"race_american_indian_or_alaska_native":22,"race_black":140,"race_hispanic_or_latino":470,"race_white":718}"#,
    ),
    Org(
        "riverbend-middle",
        "Riverbend Middle School",
        "school",
        Some("riverbend"),
        Some(980),
        r#"{"english_learners":150,"students_with_disabilities":120,"economically_disadvantaged":450,"race_american_indian_or_alaska_native":15,"race_black":96,"race_hispanic_or_latino":390,"race_white":479}"#,
    ),
    Org(
        "hillcrest-high",
        "Hillcrest High School",
        "school",
        Some("hillcrest"),
        Some(700),
        r#"{"english_learners":40,"students_with_disabilities":90,"economically_disadvantaged":230}"#,
    ),
];

struct Prov(
    &'static str,
    &'static str,
    &'static str,
    bool,
    Option<&'static str>,
);

const PROVISIONS: &[Prov] = &[
    Prov(
        "DS 22-7-101",
        "Minimum instructional time (seat time)",
        "instructional_time",
        true,
        None,
    ),
    Prov(
        "DS 22-7-205",
        "School calendar: minimum days of instruction",
        "calendar",
        true,
        None,
    ),
    Prov(
        "DS 22-9-106",
        "Class size and staffing ratios",
        "staffing",
        true,
        None,
    ),
    Prov(
        "DS 22-11-301",
        "Carnegie-unit graduation credits",
        "graduation",
        true,
        None,
    ),
    Prov(
        "DS 22-2-112",
        "Teacher licensure for career and technical courses",
        "educator_licensure",
        true,
        None,
    ),
    Prov(
        "DS 22-32-109",
        "Statewide assessment administration",
        "assessment_and_accountability",
        false,
        Some("state assessment and accountability are never waivable (ESSA)"),
    ),
    Prov(
        "DS 22-32-110",
        "Criminal background checks for school employees",
        "health_and_safety",
        false,
        Some("student health and safety, including background checks, is never waivable"),
    ),
    Prov(
        "DS 22-20-103",
        "Individualized education programs",
        "special_education",
        false,
        Some("special education rights are never waivable (IDEA)"),
    ),
    Prov(
        "DS 24-6-402",
        "Open meetings of local boards",
        "open_records_and_meetings",
        false,
        Some("open records and meetings laws are never waivable"),
    ),
    Prov(
        "DS 22-44-105",
        "School finance data and audits",
        "school_finance",
        false,
        Some("school finance reporting and audits are never waivable"),
    ),
];

pub async fn seed_demo<C: ConnectionTrait>(db: &C) -> Result<(), DbErr> {
    let now = Utc::now();
    for o in ORGS {
        if organisation::Entity::find_by_id(o.0)
            .one(db)
            .await?
            .is_some()
        {
            continue;
        }
        organisation::ActiveModel {
            id: Set(o.0.into()),
            name: Set(o.1.into()),
            kind: Set(o.2.into()),
            parent_id: Set(o.3.map(Into::into)),
            enrollment: Set(o.4),
            subgroups: Set(o.5.into()),
            equity_flags: Set("[]".into()),
            created_at: Set(now),
        }
        .insert(db)
        .await?;
    }
    for u in DEMO_USERS {
        if user::Entity::find_by_id(u.id).one(db).await?.is_none() {
            user::ActiveModel {
                id: Set(u.id.into()),
                name: Set(u.name.into()),
                email: Set(format!("{}@{}.demo.example", u.id, u.organisation)),
                role: Set(u.role.as_str().into()),
                organisation_id: Set(u.organisation.into()),
                created_at: Set(now),
                deactivated_at: Set(None),
            }
            .insert(db)
            .await?;
        }
        auth::issue_token(db, u.id, "demo", Some(u.token.to_string()))
            .await
            .map_err(|e| DbErr::Custom(e.message()))?;
    }
    let since = NaiveDate::from_ymd_opt(2000, 7, 1).unwrap_or_default();
    for p in PROVISIONS {
        if provision::Entity::find_by_id(p.0).one(db).await?.is_some() {
            continue;
        }
        provision::ActiveModel {
            citation: Set(p.0.into()),
            title: Set(p.1.into()),
            category: Set(p.2.into()),
            waivable: Set(p.3),
            non_waivable_reason: Set(p.4.map(Into::into)),
            effective_from: Set(since),
            effective_to: Set(None),
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

/// The demo's open grant program, after Idaho's $1.4M mastery-education
/// grants: any district may apply until two months before the fiscal year
/// (July to June) ends; grants run a year past it.
pub fn demo_grant_program(now: chrono::DateTime<chrono::Utc>) -> GrantProgramTerms {
    use chrono::{Datelike, Duration, TimeZone, Utc};
    let year = if now.month() >= 5 {
        now.year() + 1
    } else {
        now.year()
    };
    let lapses_at = Utc
        .with_ymd_and_hms(year, 6, 30, 23, 59, 59)
        .single()
        .unwrap_or(now + Duration::days(365));
    GrantProgramTerms {
        code: "DEMO-MASTERY".into(),
        name: "Demo Mastery Education Grants".into(),
        purpose: "Planning mastery-based, competency-based learning with teachers and families"
            .into(),
        appropriation: Appropriation {
            amount: Cents(140_000_000),
            fiscal_year: format!("FY{year}"),
            source:
                "Demo Laws ch. 12 (illustrative, after Idaho's mastery-education appropriation)"
                    .into(),
            lapses_at,
        },
        eligibility: Eligibility::AnyDistrict,
        min_award: Cents(1_000_000),
        max_award: Cents(20_000_000),
        phase: Phase::Planning,
        follows: None,
        rubric: vec![
            Criterion {
                id: "need".into(),
                name: "Need and students served".into(),
                max_points: 40,
                guidance: "Who the work serves, and how clearly the need is shown.".into(),
            },
            Criterion {
                id: "plan".into(),
                name: "Plan and measurable goals".into(),
                max_points: 40,
                guidance: "Whether the plan is sound and its goals can be measured.".into(),
            },
            Criterion {
                id: "budget".into(),
                name: "Budget".into(),
                max_points: 20,
                guidance: "Whether the costs are reasonable and tied to the plan.".into(),
            },
        ],
        equity_points: 5,
        window_opens: now - Duration::days(1),
        window_closes: lapses_at - Duration::days(60),
        reviewers_per_application: 2,
        period_ends: lapses_at + Duration::days(365),
        spend_by: lapses_at + Duration::days(365),
        report_every: ClockDuration::days(90),
    }
}
