//! One function per kind of row: each parses its row, compares it with what is stored, and
//! writes what changed.

use super::*;
use crate::records::contracts::{Contract, LegalRepresentative, Line};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct CompanyRow {
    id: String,
    name: String,
    vat_number: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct CompanyCardRow {
    company_id: String,
    number: String,
    holder_name: String,
    valid_until: String,
    blocked_on: Option<String>,
    registration_code: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ContractRow {
    company_id: String,
    contract_id: String,
    legal_representative: RawRepresentative,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct LineRow {
    company_id: String,
    number: String,
    puk: Option<String>,
    data_only: bool,
    referent: Option<String>,
    /// T4: what prefills the referent's association: their email and role.
    #[serde(default)]
    referent_email: Option<String>,
    #[serde(default)]
    referent_role: Option<String>,
}

/// C3: a unit of a property (`property-management`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct UnitRow {
    company_id: String,
    unit_id: String,
    name: String,
}

/// C3: a contract of a unit, naming its contact and the role it gives.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct UnitContractRow {
    company_id: String,
    contract_id: String,
    unit_id: String,
    role: String,
    contact: Contact,
    starts_on: String,
    ends_on: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct LegacyAccountRow {
    company_id: String,
    username: String,
    password_hash: String,
    name: String,
    role: String,
    card_number: Option<String>,
    /// The person's mobile: the migration code goes there (and only there).
    #[serde(default)]
    mobile: Option<String>,
}

pub(super) async fn company(
    deps: &Deps,
    row: CompanyRow,
    digest: String,
) -> Result<Outcome, RowError> {
    let CompanyRow {
        id,
        name,
        vat_number,
    } = row;
    let id = identifier("id", &id)?;
    let vat_number = vat_number
        .map(|v| VatNumber::parse(&v).map_err(RowError::field("vat_number")))
        .transpose()?;
    let existing = deps.store.get(&keys::company(&id)).await?;
    if same_row(&existing, &digest) {
        return Ok(Outcome::Unchanged);
    }
    // The operator's data names the company; its administrators' own policy stays.
    let second_factor = existing
        .as_ref()
        .map(Item::parse::<Company>)
        .transpose()?
        .map(|c| c.second_factor)
        .unwrap_or_default();
    let company = Company {
        id: id.clone(),
        name,
        vat_number: vat_number.map(|v| v.as_str().to_string()),
        import_digest: Some(digest),
        second_factor,
    };
    let vat = company.vat_number.as_deref().map(keys::vat_index);
    let index = |item: &mut Item| item.gsi2 = vat;
    store_indexed_row(
        deps,
        keys::company(&id),
        &existing,
        &company,
        index,
        Vec::new(),
    )
    .await
}

pub(super) async fn company_card(
    deps: &Deps,
    row: CompanyCardRow,
    digest: String,
) -> Result<Outcome, RowError> {
    let CompanyCardRow {
        company_id: company,
        number,
        holder_name,
        valid_until,
        blocked_on,
        registration_code,
    } = row;
    let random = deps.random.as_ref();
    let number = CardNumber::parse(&number).map_err(RowError::field("number"))?;
    let validity = CardValidity {
        valid_until: date("valid_until", &valid_until)?.end_of_day_utc(),
        blocked_at: blocked_on
            .map(|d| date("blocked_on", &d).map(|d| d.days_since_epoch() * DAY))
            .transpose()?,
    };
    let registration_code = registration_code
        .map(|c| RegistrationCode::parse(&c).map_err(RowError::field("registration_code")))
        .transpose()?;
    let lookup = deps.pepper.lookup(purpose::CARD, number.digits());
    let (existing, company) = read_with_company(deps, &keys::card(&lookup), &company).await?;
    let card: Option<Card> = parse_opt(&existing)?;
    if card
        .as_ref()
        .and_then(|c| c.company.as_ref())
        .and_then(|c| c.import_digest.as_deref())
        == Some(digest.as_str())
    {
        return Ok(Outcome::Unchanged);
    }
    let previous = card.as_ref().and_then(|c| c.company.clone());
    let changed_validity = previous.as_ref().is_some_and(|p| p.validity != validity);
    let doc = Card {
        account_id: card.as_ref().and_then(|c| c.account_id.clone()),
        last4: number.last4().to_string(),
        key6_hash: card.as_ref().and_then(|c| c.key6_hash.clone()),
        company: Some(CompanyCard {
            company_id: company.id.clone(),
            company_name: company.name.clone(),
            holder_name,
            validity,
            registration_code_hash: registration_code.map(|c| deps.hasher.hash(c.expose(), random)),
            import_digest: Some(digest),
        }),
    };
    let outcome = store_row(deps, keys::card(&lookup), &existing, &doc).await?;
    if changed_validity {
        update_card_roles(deps, &lookup, validity).await?;
    }
    Ok(outcome)
}

pub(super) async fn contract(
    deps: &Deps,
    row: ContractRow,
    digest: String,
) -> Result<Outcome, RowError> {
    let ContractRow {
        company_id: company,
        contract_id,
        legal_representative: raw,
    } = row;
    if contract_id.is_empty() || contract_id.len() > 64 {
        return Err(RowError::new(
            "invalid_field",
            "contract_id: 1 to 64 characters",
        ));
    }
    let fiscal_code =
        FiscalCode::parse(&raw.fiscal_code).map_err(RowError::field("fiscal_code"))?;
    let birth_date = date("birth_date", &raw.birth_date)?;
    let email = Email::parse(&raw.email).map_err(RowError::field("email"))?;
    let mobile = raw
        .mobile
        .map(|m| PhoneNumber::parse(&m).map_err(RowError::field("mobile")))
        .transpose()?;
    let key = keys::contract(&company, &contract_id);
    let (existing, company_read) = read_with_company(deps, &key, &company).await?;
    if same_row(&existing, &digest) {
        return Ok(Outcome::Unchanged);
    }
    let contract = Contract {
        company_id: company,
        contract_id,
        legal_representative: LegalRepresentative {
            name: raw.name,
            surname: raw.surname,
            birth_date,
            fiscal_code_lookup: deps
                .pepper
                .lookup(purpose::FISCAL_CODE, fiscal_code.as_str()),
            email: email.as_str().to_string(),
            mobile_on_file: mobile.as_ref().map(|m| phone_on_file(deps, m)),
            mobile: mobile.map(|m| m.e164().to_string()),
        },
        import_digest: Some(digest),
    };
    // T1: the legal representative of a company's first contract is registered.
    let registration = match deps.profile.legal_rep_registration {
        Some(_) => {
            let username = crate::flows::legal_rep::username_for(&email)?;
            let claim = deps
                .store
                .get(&keys::login_claim(&keys::username_login_key(
                    username.as_str(),
                )))
                .await?;
            crate::flows::legal_rep::register(
                deps,
                &company_read.id,
                &company_read.name,
                &contract.legal_representative,
                claim.as_ref(),
                deps.clock.now(),
            )
            .await?
        }
        None => Vec::new(),
    };
    // W2 finds a VAT's contracts in one query.
    let vat = company_read.vat_number.as_deref().map(keys::vat_index);
    let index = |item: &mut Item| item.gsi2 = vat;
    store_indexed_row(deps, key, &existing, &contract, index, registration).await
}

pub(super) async fn line(deps: &Deps, row: LineRow, digest: String) -> Result<Outcome, RowError> {
    let LineRow {
        company_id: company,
        number,
        puk,
        data_only,
        referent,
        referent_email,
        referent_role,
    } = row;
    let random = deps.random.as_ref();
    let number = PhoneNumber::parse(&number).map_err(RowError::field("number"))?;
    if let Some(puk) = &puk {
        if !(4..=16).contains(&puk.len()) || !puk.chars().all(|c| c.is_ascii_digit()) {
            return Err(RowError::new("invalid_field", "puk: 4 to 16 digits"));
        }
    }
    let referent_email = referent_email
        .map(|e| Email::parse(&e).map_err(RowError::field("referent_email")))
        .transpose()?;
    if let Some(role) = &referent_role {
        if deps.profile.role(role).is_none() {
            return Err(RowError::new(
                "unknown_role",
                format!("referent_role: the profile has no role `{role}`"),
            ));
        }
    }
    let lookup = deps.pepper.lookup(purpose::PHONE, number.e164());
    let key = keys::line(&lookup);
    let company_line_key = keys::company_line(&company, &lookup);
    let mut items = deps
        .store
        .get_many(&[
            key.clone(),
            keys::company(&company),
            company_line_key.clone(),
        ])
        .await?
        .into_iter();
    let existing = items.next().flatten();
    let company = known_company(&items.next().flatten(), &company)?;
    let company_line = items.next().flatten();
    // (A line imported before the company's list of lines existed gets its entry.)
    if same_row(&existing, &digest) && company_line.is_some() {
        return Ok(Outcome::Unchanged);
    }
    let mut also = vec![Write::upsert(
        company_line.as_ref(),
        Item::new(
            company_line_key,
            &CompanyLine {
                number: number.e164().to_string(),
                data_only,
                referent: referent.clone().map(|name| Referent {
                    name,
                    email: referent_email.map(|e| e.as_str().to_string()),
                    role: referent_role,
                }),
            },
        ),
    )];
    // A line moved to another company leaves the first one's list.
    let previous: Option<Line> = parse_opt(&existing)?;
    if let Some(previous) = previous.filter(|p| p.company_id != company.id) {
        also.push(Write::delete(
            keys::company_line(&previous.company_id, &lookup),
            Condition::None,
        ));
    }
    let line = Line {
        company_id: company.id,
        company_name: company.name,
        number: number.e164().to_string(),
        hint: number.hint(),
        puk_hash: puk.map(|p| deps.hasher.hash(&p, random)),
        data_only,
        referent,
        import_digest: Some(digest),
    };
    store_indexed_row(deps, key, &existing, &line, |_| {}, also).await
}

pub(super) async fn unit(deps: &Deps, row: UnitRow, digest: String) -> Result<Outcome, RowError> {
    let UnitRow {
        company_id: property,
        unit_id,
        name,
    } = row;
    Profile::section(&deps.profile.units)?;
    let unit_id = identifier("unit_id", &unit_id)?;
    if name.trim().is_empty() || name.len() > 200 {
        return Err(RowError::new("invalid_field", "name: 1 to 200 characters"));
    }
    let key = keys::unit(&property, &unit_id);
    let (existing, property) = read_with_company(deps, &key, &property).await?;
    if same_row(&existing, &digest) {
        return Ok(Outcome::Unchanged);
    }
    let unit = Unit {
        property_id: property.id,
        unit_id,
        name,
        import_digest: Some(digest),
    };
    store_row(deps, key, &existing, &unit).await
}

pub(super) async fn unit_contract(
    deps: &Deps,
    row: UnitContractRow,
    digest: String,
) -> Result<Outcome, RowError> {
    let UnitContractRow {
        company_id: property,
        contract_id,
        unit_id,
        role,
        contact,
        starts_on,
        ends_on,
    } = row;
    let settings = Profile::section(&deps.profile.units)?;
    let contract_id = identifier("contract_id", &contract_id)?;
    if !settings.contract_roles.contains(&role) {
        return Err(RowError::new(
            "unknown_role",
            format!("role: one of {:?}", settings.contract_roles),
        ));
    }
    let email = Email::parse(&contact.email).map_err(RowError::field("contact.email"))?;
    if contact.name.trim().is_empty() || contact.name.len() > 200 {
        return Err(RowError::new(
            "invalid_field",
            "contact.name: 1 to 200 characters",
        ));
    }
    let starts = date("starts_on", &starts_on)?;
    let ends = ends_on.as_deref().map(|d| date("ends_on", d)).transpose()?;
    if ends.is_some_and(|end| end < starts) {
        return Err(RowError::new(
            "invalid_field",
            "ends_on: on or after starts_on",
        ));
    }
    let key = keys::unit_contract(&property, &contract_id);
    let mut items = deps
        .store
        .get_many(&[
            key.clone(),
            keys::company(&property),
            keys::unit(&property, &unit_id),
        ])
        .await?
        .into_iter();
    let existing = items.next().flatten();
    let property = known_company(&items.next().flatten(), &property)?;
    if items.next().flatten().is_none() {
        return Err(RowError::new(
            "unknown_unit",
            format!("unit_id: no unit `{unit_id}`: import its `unit` row first"),
        ));
    }
    if same_row(&existing, &digest) {
        return Ok(Outcome::Unchanged);
    }
    let contract = UnitContract {
        property_id: property.id,
        contract_id,
        unit_id,
        role,
        contact: Contact {
            name: contact.name,
            email: email.as_str().to_string(),
        },
        starts_on: starts.to_string(),
        ends_on: ends.map(|e| e.to_string()),
        starts_at: starts.days_since_epoch() * DAY,
        ends_at: ends.map(BirthDate::end_of_day_utc),
        import_digest: Some(digest),
    };
    store_row(deps, key, &existing, &contract).await
}

pub(super) async fn legacy_account(
    deps: &Deps,
    row: LegacyAccountRow,
    digest: String,
) -> Result<Outcome, RowError> {
    let LegacyAccountRow {
        company_id: company,
        username,
        password_hash,
        name,
        role,
        card_number,
        mobile,
    } = row;
    let mobile = mobile
        .map(|m| PhoneNumber::parse(&m).map(|p| p.e164().to_string()))
        .transpose()
        .map_err(RowError::field("mobile"))?;
    if username.is_empty() || username.len() > 128 {
        return Err(RowError::new(
            "invalid_field",
            "username: 1 to 128 characters",
        ));
    }
    if !password_hash.starts_with("pbkdf2_sha256$") {
        return Err(RowError::new(
            "invalid_field",
            "password_hash: the old portal's `pbkdf2_sha256$<iterations>$<salt>$<hash>`",
        ));
    }
    let profile_role = deps.profile.role(&role).ok_or_else(|| {
        RowError::new("unknown_role", format!("the profile has no role `{role}`"))
    })?;
    let card_lookup = match (card_number, profile_role.needs_valid_card) {
        (Some(number), _) => Some(
            deps.pepper.lookup(
                purpose::CARD,
                CardNumber::parse(&number)
                    .map_err(RowError::field("card_number"))?
                    .digits(),
            ),
        ),
        (None, true) => {
            return Err(RowError::new(
                "card_required",
                format!("card_number: role `{role}` needs a company card"),
            ))
        }
        (None, false) => None,
    };
    let key = legacy_key(deps, &username);
    let mut wanted = vec![key.clone(), keys::company(&company)];
    wanted.extend(card_lookup.as_deref().map(keys::card));
    let mut items = deps.store.get_many(&wanted).await?.into_iter();
    let existing = items.next().flatten();
    let company = known_company(&items.next().flatten(), &company)?;
    let previous: Option<LegacyAccount> = parse_opt(&existing)?;
    if previous.as_ref().is_some_and(|p| p.migrated_to.is_some()) || same_row(&existing, &digest) {
        // A migrated user lives in the new portal now: the old row changes nothing.
        return Ok(Outcome::Unchanged);
    }
    let card = match &card_lookup {
        Some(_) => {
            let card: Option<Card> = parse_opt(&items.next().flatten())?;
            let company_card = card.and_then(|c| c.company).ok_or_else(|| {
                RowError::new(
                    "unknown_card",
                    "card_number: no such company card: import its `company_card` row first",
                )
            })?;
            Some(company_card.validity)
        }
        None => None,
    };
    let legacy = LegacyAccount {
        username,
        password_hash: Some(password_hash),
        display_name: name,
        role,
        company_id: company.id,
        company_name: company.name,
        card,
        card_lookup,
        migrated_to: None,
        import_digest: Some(digest),
        mobile,
    };
    store_row(deps, key, &existing, &legacy).await
}

/// A company card's validity changed: every account whose role rests on it gets the new
/// validity in its membership (N3), so that login and the grace period see it.
async fn update_card_roles(
    deps: &Deps,
    card_lookup: &str,
    validity: CardValidity,
) -> Result<(), RowError> {
    let links = deps
        .store
        .query(&keys::card(card_lookup).pk, keys::CARD_ROLE_PREFIX, 100)
        .await?;
    for link in links {
        let role: CardRole = link.parse()?;
        let Some(item) = deps.store.get(&keys::account(&role.account_id)).await? else {
            continue;
        };
        let mut account: Account = item.parse()?;
        for membership in &mut account.memberships {
            if membership.company_id == role.company_id && membership.card.is_some() {
                membership.card = Some(validity);
            }
        }
        // The link moves to the hour the new grace period ends.
        let link = Write::put(crate::records::cards::card_role_item(
            deps,
            card_lookup,
            &role.account_id,
            &role.company_id,
            Some(validity),
        ));
        deps.store
            .write(vec![Write::replace(&item, &account), link])
            .await?;
    }
    Ok(())
}
