//! Demo data of each profile, one case for each path of the seeds: for `card-issuer`,
//! people and company cards, one for each recovery and registration path; for
//! `telco-sme`, companies with their contracts and lines, loaded through the import (X7);
//! for `property-management`, a property with its administrator, units and contracts.
//! The local gateway loads them at start (once per store) and prints them; tests use them
//! too.

use varco_domain::accounts::provision_cardholder;
use varco_domain::cards::{CardValidity, NewCard, NewCardholder};
use varco_domain::companies::{provision_company_card, NewCompanyCard};
use varco_domain::issuer::CardIssuer;
use varco_domain::keys::{self, purpose};
use varco_domain::migration::{legacy_key, provision_legacy, LegacyAccount};
use varco_domain::store::Index;
use varco_domain::types::{
    check_character, BirthDate, CardNumber, Email, FiscalCode, Key6, Password, PhoneNumber,
    RegistrationCode, SecurityAnswer,
};
use varco_domain::{Deps, Error};

pub struct DemoCard {
    pub number: &'static str,
    pub key6: Option<&'static str>,
    /// The transaction-alert phone: a certified phone.
    pub alert_phone: Option<&'static str>,
}

pub struct DemoPerson {
    pub name: &'static str,
    /// The fiscal code without its check character (added when parsed).
    pub fiscal_code_base: &'static str,
    pub birth_date: &'static str,
    pub email: &'static str,
    pub password: &'static str,
    pub question: Option<(&'static str, &'static str)>,
    pub cards: &'static [DemoCard],
    pub about: &'static str,
}

impl DemoPerson {
    pub fn fiscal_code(&self) -> String {
        format!(
            "{}{}",
            self.fiscal_code_base,
            check_character(self.fiscal_code_base)
        )
    }

    pub fn key6_card(&self) -> Option<&DemoCard> {
        self.cards.iter().find(|c| c.key6.is_some())
    }

    fn to_new(&self) -> Result<NewCardholder, Error> {
        let internal = |e: varco_domain::types::ParseError| {
            Error::Internal(format!("demo data of {}: {e}", self.name).into())
        };
        Ok(NewCardholder {
            email: Email::parse(self.email).map_err(internal)?,
            display_name: self.name.to_string(),
            fiscal_code: FiscalCode::parse(&self.fiscal_code()).map_err(internal)?,
            birth_date: BirthDate::parse(self.birth_date).map_err(internal)?,
            password: Some(Password::parse(self.password).map_err(internal)?),
            security_question: match self.question {
                Some((id, answer)) => Some((
                    id.to_string(),
                    SecurityAnswer::parse(answer).map_err(internal)?,
                )),
                None => None,
            },
            cards: self
                .cards
                .iter()
                .map(|c| {
                    Ok(NewCard {
                        number: CardNumber::parse(c.number).map_err(internal)?,
                        key6: c.key6.map(Key6::parse).transpose().map_err(internal)?,
                        alert_phone: c
                            .alert_phone
                            .map(PhoneNumber::parse)
                            .transpose()
                            .map_err(internal)?,
                    })
                })
                .collect::<Result<_, Error>>()?,
        })
    }
}

pub const MARIO: DemoPerson = DemoPerson {
    name: "Mario Rossi",
    fiscal_code_base: "RSSMRA80A01H501",
    birth_date: "1980-01-01",
    email: "mario.rossi@example.com",
    password: "Lampone-Azzurro-42",
    question: Some(("first_dog", "Fido")),
    cards: &[DemoCard {
        number: "4111111111111111",
        key6: Some("482913"),
        alert_phone: Some("+393401234544"),
    }],
    about: "Key6 and security question, one certified phone",
};

pub const GIULIA: DemoPerson = DemoPerson {
    name: "Giulia Bianchi",
    fiscal_code_base: "BNCGLI85M52F205",
    birth_date: "1985-08-12",
    email: "giulia.bianchi@example.com",
    password: "Mirtillo-Verde-17",
    question: None,
    cards: &[
        DemoCard {
            number: "5555555555554444",
            key6: Some("130572"),
            alert_phone: Some("+393471112233"),
        },
        DemoCard {
            number: "4012888888881881",
            key6: None,
            alert_phone: Some("+41791234567"),
        },
    ],
    about: "Key6 only, two certified phones (prefix + number)",
};

pub const LUCA: DemoPerson = DemoPerson {
    name: "Luca Verdi",
    fiscal_code_base: "VRDLCU75C15F205",
    birth_date: "1975-03-15",
    email: "luca.verdi@googlemail.com",
    password: "Castagna-Rossa-88",
    question: Some(("birth_town", "Bergamo")),
    cards: &[DemoCard {
        number: "378282246310005",
        key6: None,
        alert_phone: Some("+393209876543"),
    }],
    about: "security question only",
};

pub const ANNA: DemoPerson = DemoPerson {
    name: "Anna Neri",
    fiscal_code_base: "NRENNA90T60L219",
    birth_date: "1990-12-20",
    email: "anna.neri@example.com",
    password: "Ciliegia-Nera-23",
    question: None,
    cards: &[DemoCard {
        number: "6011111111111117",
        key6: None,
        alert_phone: Some("+393331234567"),
    }],
    about: "neither Key6 nor question: email recovery by password only",
};

pub const PAOLO: DemoPerson = DemoPerson {
    name: "Paolo Gallo",
    fiscal_code_base: "GLLPLA70E10A944",
    birth_date: "1970-05-10",
    email: "paolo.gallo@example.com",
    password: "Melograno-Blu-65",
    question: None,
    cards: &[DemoCard {
        number: "3530111333300000",
        key6: Some("777111"),
        alert_phone: None,
    }],
    about: "no certified phone: told to call customer service",
};

pub const PEOPLE: [&DemoPerson; 5] = [&MARIO, &GIULIA, &LUCA, &ANNA, &PAOLO];

/// A company card, with the registration code printed on its letter (N4).
pub struct DemoCompanyCard {
    pub company_id: &'static str,
    pub company_name: &'static str,
    pub number: &'static str,
    pub holder_name: &'static str,
    pub registration_code: &'static str,
    /// Unix seconds.
    pub valid_until: i64,
    pub blocked_at: Option<i64>,
    pub about: &'static str,
}

/// 2029-12-31T23:59:59Z.
const END_OF_2029: i64 = 1_893_455_999;

pub const ACME_CARD: DemoCompanyCard = DemoCompanyCard {
    company_id: "acme",
    company_name: "Acme Forniture Srl",
    number: "4000056655665556",
    holder_name: "Sara Conti",
    registration_code: "ACME-7K2Q-9XPL",
    valid_until: END_OF_2029,
    blocked_at: None,
    about: "a valid card: its holder registers as Administrator (N4)",
};

pub const BORGO_CARD: DemoCompanyCard = DemoCompanyCard {
    company_id: "borgo",
    company_name: "Borgo Logistica Spa",
    number: "5200828282828210",
    holder_name: "Davide Serra",
    registration_code: "BORGO-4M8R-2TWC",
    // 2026-06-30T23:59:59Z
    valid_until: 1_782_863_999,
    blocked_at: None,
    about: "an expired card: registration asks for a valid card",
};

pub const CIELO_CARD: DemoCompanyCard = DemoCompanyCard {
    company_id: "cielo",
    company_name: "Cielo Viaggi Srl",
    number: "4000002500003155",
    holder_name: "Elena Fabbri",
    registration_code: "CIELO-6H3N-5VBD",
    valid_until: END_OF_2029,
    // 2026-10-01T00:00:00Z
    blocked_at: Some(1_790_812_800),
    about: "a blocked card: registration asks for a valid card",
};

pub const DUNA_CARD: DemoCompanyCard = DemoCompanyCard {
    company_id: "duna",
    company_name: "Duna Energia Srl",
    number: "5105105105105100",
    holder_name: "Marco Villa",
    registration_code: "DUNA-3P7T-8KRE",
    valid_until: END_OF_2029,
    blocked_at: None,
    about: "a valid card of another company",
};

pub const COMPANY_CARDS: [&DemoCompanyCard; 4] = [&ACME_CARD, &BORGO_CARD, &CIELO_CARD, &DUNA_CARD];

/// A user of the old portal (N2), with the old username and password.
pub struct DemoLegacyUser {
    pub username: &'static str,
    pub password: &'static str,
    pub name: &'static str,
    pub role: &'static str,
    pub company_id: &'static str,
    pub company_name: &'static str,
    /// For an Administrator: the company card's validity (end, block).
    pub card: Option<(i64, Option<i64>)>,
    pub about: &'static str,
}

const FIUME: (&str, &str) = ("fiume", "Fiume Costruzioni Srl");

const fn fiume(
    username: &'static str,
    password: &'static str,
    name: &'static str,
    role: &'static str,
    about: &'static str,
) -> DemoLegacyUser {
    DemoLegacyUser {
        username,
        password,
        name,
        role,
        company_id: FIUME.0,
        company_name: FIUME.1,
        card: None,
        about,
    }
}

pub const FRANCA: DemoLegacyUser = DemoLegacyUser {
    card: Some((END_OF_2029, None)),
    ..fiume(
        "f.ricci",
        "Vecchia-Password-1",
        "Franca Ricci",
        "administrator",
        "Administrator with a valid card",
    )
};
pub const GIORGIO: DemoLegacyUser = fiume(
    "G.Moretti",
    "Vecchia-Password-2",
    "Giorgio Moretti",
    "supervisor",
    "Supervisor (usernames are case-sensitive)",
);
pub const HANA: DemoLegacyUser = fiume(
    "h.costa",
    "Vecchia-Password-3",
    "Hana Costa",
    "monitoring",
    "Monitoring",
);
pub const IVO: DemoLegacyUser = fiume(
    "i.lombardi",
    "Vecchia-Password-4",
    "Ivo Lombardi",
    "support",
    "Support: no access any more",
);
pub const LIA: DemoLegacyUser = fiume(
    "l.greco",
    "Vecchia-Password-5",
    "Lia Greco",
    "user",
    "plain User: sent to the cardholder area",
);
pub const MARTA: DemoLegacyUser = DemoLegacyUser {
    username: "m.bruno",
    password: "Vecchia-Password-6",
    name: "Marta Bruno",
    role: "administrator",
    company_id: "gelso",
    company_name: "Gelso Trasporti Srl",
    // Blocked on 2026-10-01: within the 90-day grace until 2026-12-30.
    card: Some((END_OF_2029, Some(1_790_812_800))),
    about: "Administrator whose card was blocked on 2026-10-01 (grace until 2026-12-30)",
};
pub const NINO: DemoLegacyUser = DemoLegacyUser {
    username: "n.sala",
    password: "Vecchia-Password-7",
    name: "Nino Sala",
    role: "administrator",
    company_id: "larice",
    company_name: "Larice Arredi Srl",
    // Expired on 2026-06-30: the grace ended on 2026-09-28.
    card: Some((1_782_863_999, None)),
    about: "Administrator whose card expired on 2026-06-30, past the grace",
};

pub const LEGACY_USERS: [&DemoLegacyUser; 7] =
    [&FRANCA, &GIORGIO, &HANA, &IVO, &LIA, &MARTA, &NINO];

/// The demo users' old hashes, as `legacy::hash` makes them with the dummy verification's
/// iterations (`legacy::DUMMY_ITERATIONS`, 100,000) and the salt `demo-<username>`: written out, because computing them took most of the local
/// gateway's start (a test recomputes them).
const LEGACY_PASSWORD_HASHES: [(&str, &str); 7] = [
    (
        "f.ricci",
        "pbkdf2_sha256$100000$demo-f.ricci$KYggBiQWGTQHFpQCjh7Rgg8z5HjDk4l7MSrNKVJ0i18=",
    ),
    (
        "G.Moretti",
        "pbkdf2_sha256$100000$demo-G.Moretti$C4Dx40c36cmAL1weeAf8FpPem2hp6YVZ4d5DUqj8yhA=",
    ),
    (
        "h.costa",
        "pbkdf2_sha256$100000$demo-h.costa$oFmdbA9YH9HLoMvFsmF4FX86HJa89dAXvRj5Rt7panc=",
    ),
    (
        "i.lombardi",
        "pbkdf2_sha256$100000$demo-i.lombardi$aSz/jLxj1fD1ppaN/pgBblJkQw1R5ExTDmbitEwIS5Q=",
    ),
    (
        "l.greco",
        "pbkdf2_sha256$100000$demo-l.greco$UPaNBbUNRTboRaBI765kFFUmKigIIpuVGSgcENVA6Z8=",
    ),
    (
        "m.bruno",
        "pbkdf2_sha256$100000$demo-m.bruno$b/TlQwr68qPb2kEVuEa9SAqU1R+cvpPgQ5pWlo9UcFo=",
    ),
    (
        "n.sala",
        "pbkdf2_sha256$100000$demo-n.sala$ZFcxz1iy4M8AdbNAqqUoTDyCQjcQuqXIoKZfGL70nXI=",
    ),
];

impl DemoLegacyUser {
    fn password_hash(&self) -> &'static str {
        LEGACY_PASSWORD_HASHES
            .iter()
            .find(|(username, _)| *username == self.username)
            .map(|(_, hash)| *hash)
            .expect("every demo user has its hash")
    }

    fn to_legacy(&self) -> LegacyAccount {
        LegacyAccount {
            username: self.username.to_string(),
            password_hash: Some(self.password_hash().to_string()),
            display_name: self.name.to_string(),
            role: self.role.to_string(),
            company_id: self.company_id.to_string(),
            company_name: self.company_name.to_string(),
            card: self.card.map(|(valid_until, blocked_at)| CardValidity {
                valid_until,
                blocked_at,
            }),
            card_lookup: None,
            migrated_to: None,
            mobile: None,
            import_digest: None,
        }
    }
}

impl DemoCompanyCard {
    fn to_new(&self) -> Result<NewCompanyCard, Error> {
        let internal = |e: varco_domain::types::ParseError| {
            Error::Internal(format!("demo data of {}: {e}", self.company_name).into())
        };
        Ok(NewCompanyCard {
            company_id: self.company_id.to_string(),
            company_name: self.company_name.to_string(),
            number: CardNumber::parse(self.number).map_err(internal)?,
            holder_name: self.holder_name.to_string(),
            validity: CardValidity {
                valid_until: self.valid_until,
                blocked_at: self.blocked_at,
            },
            registration_code: Some(
                RegistrationCode::parse(self.registration_code).map_err(internal)?,
            ),
        })
    }
}

/// Writes the demo people a store does not hold yet; returns how many were added.
/// Loads the demo data of the deps' profile; returns how many records were added now.
pub async fn seed(deps: &Deps) -> Result<usize, Error> {
    match deps.profile.name.as_str() {
        "card-issuer" => seed_card_issuer(deps).await,
        "telco-sme" => import_demo(deps, &telco_jsonl()).await,
        "telco-legal-rep" => import_demo(deps, &legal_rep_jsonl()).await,
        "property-management" => import_demo(deps, &property_jsonl()).await,
        _ => Ok(0),
    }
}

async fn import_demo(deps: &Deps, jsonl: &str) -> Result<usize, Error> {
    let report = varco_domain::import::import(deps, jsonl).await;
    if report.failed > 0 {
        return Err(Error::Internal(
            format!("the demo data did not import: {:?}", report.rows).into(),
        ));
    }
    Ok(report.created)
}

/// The demo data of a profile, as a table for the terminal.
pub fn describe(profile: &str) -> String {
    match profile {
        "card-issuer" => describe_card_issuer(),
        "telco-sme" => describe_telco(),
        "telco-legal-rep" => describe_legal_rep(),
        "property-management" => describe_property(),
        other => format!("(no demo data for profile {other})"),
    }
}

/// R8 in the local gateway and in tests: the card issuer's Key6 service, answering with the
/// demo cards' Key6 codes (on AWS: `varco_third_party::HttpIssuer`).
pub struct DemoIssuer;

#[async_trait::async_trait]
impl CardIssuer for DemoIssuer {
    async fn key6(&self, card: &CardNumber) -> Result<Option<Key6>, Error> {
        let key6 = PEOPLE
            .iter()
            .flat_map(|person| person.cards)
            .find(|demo| demo.number == card.digits())
            .and_then(|demo| demo.key6);
        key6.map(Key6::parse)
            .transpose()
            .map_err(|e| Error::Internal(Box::new(e)))
    }
}

async fn seed_card_issuer(deps: &Deps) -> Result<usize, Error> {
    let mut added = 0;
    for person in PEOPLE {
        let lookup = deps
            .pepper
            .lookup(purpose::FISCAL_CODE, &person.fiscal_code());
        if !deps
            .store
            .query_index(Index::Gsi2, &keys::fiscal_code_index(&lookup), 1)
            .await?
            .is_empty()
        {
            continue;
        }
        deps.store
            .write(provision_cardholder(deps, &person.to_new()?))
            .await?;
        added += 1;
    }
    for card in COMPANY_CARDS {
        let new = card.to_new()?;
        let key = keys::card(&deps.pepper.lookup(purpose::CARD, new.number.digits()));
        if deps.store.get(&key).await?.is_some() {
            continue;
        }
        deps.store
            .write(provision_company_card(deps, &new, true))
            .await?;
        added += 1;
    }
    // The old hashes are deterministic (fixed demo salts): computed once per process.
    static LEGACY: std::sync::OnceLock<Vec<LegacyAccount>> = std::sync::OnceLock::new();
    let legacy_users = LEGACY.get_or_init(|| LEGACY_USERS.iter().map(|u| u.to_legacy()).collect());
    for user in legacy_users {
        if deps
            .store
            .get(&legacy_key(deps, &user.username))
            .await?
            .is_some()
        {
            continue;
        }
        deps.store.write(vec![provision_legacy(deps, user)]).await?;
        added += 1;
    }
    Ok(added)
}

fn describe_card_issuer() -> String {
    let mut out = String::from("Demo people (profile card-issuer):\n");
    for p in PEOPLE {
        out.push_str(&format!("\n  {} — {}\n", p.name, p.about));
        out.push_str(&format!(
            "    fiscal code {}  birth date {}\n",
            p.fiscal_code(),
            p.birth_date
        ));
        out.push_str(&format!("    login {}  password {}\n", p.email, p.password));
        if let Some((question, answer)) = p.question {
            out.push_str(&format!("    security question {question}: {answer}\n"));
        }
        for c in p.cards {
            out.push_str(&format!(
                "    card {}  Key6 {}  alert phone {}\n",
                c.number,
                c.key6.unwrap_or("-"),
                c.alert_phone.unwrap_or("- (not certified)")
            ));
        }
    }
    out.push_str(
        "\nDemo company cards (N4: register an Administrator with POST /registrations):\n",
    );
    for c in COMPANY_CARDS {
        out.push_str(&format!("\n  {} — {}\n", c.company_name, c.about));
        out.push_str(&format!(
            "    card {}  holder {}  registration code {}\n",
            c.number, c.holder_name, c.registration_code
        ));
    }
    out.push_str("\nUsers of the old portal (N2: migrate with POST /migrations):\n\n");
    for u in LEGACY_USERS {
        out.push_str(&format!(
            "  {:<11} {:<19} {} ({}) — {}\n",
            u.username, u.password, u.name, u.company_name, u.about
        ));
    }
    out
}

/// A company of the telco demo, with its contract's legal representative.
pub struct DemoContract {
    pub company_id: &'static str,
    pub company_name: &'static str,
    pub vat_number: &'static str,
    pub contract_id: &'static str,
    pub name: &'static str,
    pub surname: &'static str,
    pub birth_date: &'static str,
    pub fiscal_code: &'static str,
    pub email: &'static str,
    pub mobile: &'static str,
    pub about: &'static str,
}

/// W2: Marco registers as Officine Nord's User Admin.
pub const NORD: DemoContract = DemoContract {
    company_id: "nord",
    company_name: "Officine Nord Srl",
    vat_number: "04812230151",
    contract_id: "C-100",
    name: "Marco",
    surname: "Bianchi",
    birth_date: "1975-03-14",
    fiscal_code: "BNCMRC75C14F205W",
    email: "marco.bianchi@officinenord.example",
    mobile: "+393475550201",
    about: "W2: register the User Admin with POST /user-admin-registrations",
};

/// W2: a second company, for one User Admin per VAT.
pub const LAGO: DemoContract = DemoContract {
    company_id: "lago",
    company_name: "Lago Tech Srl",
    vat_number: "02907760157",
    contract_id: "C-200",
    name: "Giulia",
    surname: "Ferri",
    birth_date: "1982-11-02",
    fiscal_code: "FRRGLI82S42H501O",
    email: "giulia.ferri@lagotech.example",
    mobile: "+393475550301",
    about: "W2: a second company",
};

pub const CONTRACTS: &[&DemoContract] = &[&NORD, &LAGO];

/// A mobile line of a demo company.
pub struct DemoLine {
    pub company_id: &'static str,
    pub number: &'static str,
    pub puk: &'static str,
    pub data_only: bool,
    pub referent: Option<&'static str>,
    pub about: &'static str,
}

pub const LINE_LUCA: DemoLine = DemoLine {
    company_id: "nord",
    number: "+393475550211",
    puk: "11223344",
    data_only: false,
    referent: Some("Luca Neri"),
    about: "W7: an employee registers it (code by SMS)",
};

pub const LINE_SARA: DemoLine = DemoLine {
    company_id: "nord",
    number: "+393475550212",
    puk: "22334455",
    data_only: false,
    referent: None,
    about: "W7: another voice line",
};

pub const LINE_DATA: DemoLine = DemoLine {
    company_id: "nord",
    number: "+393475550213",
    puk: "33445566",
    data_only: true,
    referent: None,
    about: "W7: a data-only SIM (PUK first, then the code by email)",
};

pub const LINE_SPARE: DemoLine = DemoLine {
    company_id: "nord",
    number: "+393475550214",
    puk: "44556677",
    data_only: false,
    referent: None,
    about: "W11: a second SIM to associate",
};

pub const LINE_LAGO: DemoLine = DemoLine {
    company_id: "lago",
    number: "+393475550311",
    puk: "55667788",
    data_only: false,
    referent: None,
    about: "W11: Lago Tech's line, not for Officine Nord's employees",
};

pub const LINES: &[&DemoLine] = &[&LINE_LUCA, &LINE_SARA, &LINE_DATA, &LINE_SPARE, &LINE_LAGO];

/// The telco demo data as the operator's import file (JSON Lines).
pub fn telco_jsonl() -> String {
    let mut rows = Vec::new();
    for c in CONTRACTS {
        rows.push(serde_json::json!({ "type": "company", "id": c.company_id, "name": c.company_name, "vat_number": c.vat_number }));
        rows.push(serde_json::json!({ "type": "contract", "company_id": c.company_id, "contract_id": c.contract_id, "legal_representative": { "name": c.name, "surname": c.surname, "birth_date": c.birth_date, "fiscal_code": c.fiscal_code, "email": c.email, "mobile": c.mobile } }));
    }
    for l in LINES {
        rows.push(serde_json::json!({ "type": "line", "company_id": l.company_id, "number": l.number, "puk": l.puk, "data_only": l.data_only, "referent": l.referent }));
    }
    rows.iter().map(|r| format!("{r}\n")).collect()
}

/// The `telco-legal-rep` demo data: the two companies and their contracts; Lago Tech's
/// legal representative has no mobile on file (T2: the code comes by a second email).
pub fn legal_rep_jsonl() -> String {
    let mut rows = Vec::new();
    for c in CONTRACTS {
        let mobile = (c.company_id != LAGO.company_id).then_some(c.mobile);
        rows.push(serde_json::json!({ "type": "company", "id": c.company_id, "name": c.company_name, "vat_number": c.vat_number }));
        rows.push(serde_json::json!({ "type": "contract", "company_id": c.company_id, "contract_id": c.contract_id, "legal_representative": { "name": c.name, "surname": c.surname, "birth_date": c.birth_date, "fiscal_code": c.fiscal_code, "email": c.email, "mobile": mobile } }));
    }
    // T4: Officine Nord's lines, to associate with employees; Luca Neri is the contract's
    // referent of his, which prefills his association.
    for l in [&LINE_LUCA, &LINE_SARA, &LINE_DATA] {
        let mut row = serde_json::json!({ "type": "line", "company_id": l.company_id, "number": l.number, "puk": l.puk, "data_only": l.data_only, "referent": l.referent });
        if l.number == LINE_LUCA.number {
            row["referent_email"] = serde_json::json!(LUCA_EMAIL);
            row["referent_role"] = serde_json::json!("user");
        }
        rows.push(row);
    }
    rows.iter().map(|r| format!("{r}\n")).collect()
}

/// T4: the email of Officine Nord's contract referent for Luca Neri's line.
pub const LUCA_EMAIL: &str = "luca.neri@officinenord.example";

fn describe_legal_rep() -> String {
    let mut out = String::from(
        "Demo companies (profile telco-legal-rep): importing each contract registered its legal\n\
         representative (T1); the email with the username and the first-access link is printed\n\
         above (or ask again: POST /username-reminders).\n",
    );
    for c in CONTRACTS {
        let mobile = if c.company_id == LAGO.company_id {
            "no mobile on file: the code comes by a second email".to_string()
        } else {
            format!("mobile {}", c.mobile)
        };
        out.push_str(&format!(
            "\n  {} — legal representative {} {}\n    username {}  {}\n",
            c.company_name, c.name, c.surname, c.email, mobile
        ));
    }
    out.push_str(&format!(
        "\nOfficine Nord's lines (T4: GET /companies/nord/lines): {} (referent Luca Neri, {}), {}, {}.\n",
        LINE_LUCA.number, LUCA_EMAIL, LINE_SARA.number, LINE_DATA.number
    ));
    out
}

fn describe_telco() -> String {
    let mut out = String::from("Demo companies (profile telco-sme):\n");
    for c in CONTRACTS {
        out.push_str(&format!(
            "\n  {} — VAT {} — {}\n    legal representative {} {}, born {}, fiscal code {}\n    email {}  mobile {}\n",
            c.company_name, c.vat_number, c.about, c.name, c.surname, c.birth_date, c.fiscal_code, c.email, c.mobile
        ));
    }
    out.push_str("\nDemo lines:\n\n");
    for l in LINES {
        out.push_str(&format!(
            "  {}  PUK {}  {} — {}\n",
            l.number,
            l.puk,
            if l.data_only {
                "data only"
            } else {
                "voice    "
            },
            l.about
        ));
    }
    out.push_str(
        "\nAutologin (W9) of a registered line, as the operator's network gateway sends it (a proof\n\
         for the line and the moment, keyed with gateway_key of .varco/secrets.json):\n  \
         key=$(jq -r .gateway_key .varco/secrets.json | base64 -d | xxd -p -c 256); t=$(date +%s)\n  \
         proof=$(printf '393475550211\\n%s' \"$t\" | openssl dgst -sha256 -mac HMAC -macopt hexkey:$key | cut -d' ' -f2)\n  \
         curl -X POST localhost:8080/sessions/autologin -H 'x-msisdn: 393475550211' \\\n    \
         -H \"x-varco-gateway-time: $t\" -H \"x-varco-gateway-proof: $proof\"\n",
    );
    out
}

/// The `property-management` demo property: the import of its management contract registers
/// the administrator, Elena Galli (first access from the emailed link, code by SMS).
pub const VILLA_ROSA: DemoContract = DemoContract {
    company_id: "villa-rosa",
    company_name: "Condominio Villa Rosa",
    vat_number: "",
    contract_id: "M-1",
    name: "Elena",
    surname: "Galli",
    birth_date: "1979-06-21",
    fiscal_code: "GLLLNE79H61F205H",
    email: "elena.galli@studiogalli.example",
    mobile: "+393475550401",
    about: "the property administrator",
};

/// C2: a second property, with its own administrator, where Roberto owns a unit too.
pub const PARCO: DemoContract = DemoContract {
    company_id: "parco",
    company_name: "Residenza del Parco",
    vat_number: "",
    contract_id: "M-2",
    name: "Paolo",
    surname: "Marini",
    birth_date: "1968-02-09",
    fiscal_code: "MRNPLA68B09H501I",
    email: "paolo.marini@amministrazionimarini.example",
    mobile: "+393475550402",
    about: "C2: a second property's administrator",
};

pub const PROPERTIES: &[&DemoContract] = &[&VILLA_ROSA, &PARCO];

/// A unit of a demo property and one contract of it.
pub struct DemoUnitContract {
    pub property_id: &'static str,
    pub contract_id: &'static str,
    pub unit_id: &'static str,
    pub unit_name: &'static str,
    pub role: &'static str,
    pub contact_name: &'static str,
    pub contact_email: &'static str,
    pub starts_on: &'static str,
    pub ends_on: Option<&'static str>,
    pub about: &'static str,
}

pub const OWNER_A1: DemoUnitContract = DemoUnitContract {
    property_id: "villa-rosa",
    contract_id: "P-A1",
    unit_id: "A1",
    unit_name: "Scala A, interno 1",
    role: "owner",
    contact_name: "Roberto Sala",
    contact_email: "roberto.sala@googlemail.com",
    starts_on: "2019-05-01",
    ends_on: None,
    about: "C1, C6: an owner with an active contract, invited at @googlemail.com",
};

pub const TENANT_A2: DemoUnitContract = DemoUnitContract {
    property_id: "villa-rosa",
    contract_id: "L-A2",
    unit_id: "A2",
    unit_name: "Scala A, interno 2",
    role: "tenant",
    contact_name: "Chiara Riva",
    contact_email: "chiara.riva@example.it",
    starts_on: "2030-06-01",
    ends_on: Some("2034-05-31"),
    about: "C3: a tenant whose lease has not started: may register, sees the unit from its start",
};

pub const TENANT_B1: DemoUnitContract = DemoUnitContract {
    property_id: "villa-rosa",
    contract_id: "L-B1",
    unit_id: "B1",
    unit_name: "Scala B, interno 1",
    role: "tenant",
    contact_name: "Davide Greco",
    contact_email: "davide.greco@example.it",
    starts_on: "2021-01-01",
    ends_on: Some("2025-12-31"),
    about: "C3: a lease that has ended: its contact sees nothing of the unit",
};

/// C2: Roberto's flat in the second property: its invitation adds the property to his account.
pub const OWNER_P1: DemoUnitContract = DemoUnitContract {
    property_id: "parco",
    contract_id: "P-P1",
    unit_id: "P1",
    unit_name: "Palazzina 1, interno 4",
    role: "owner",
    contact_name: "Roberto Sala",
    contact_email: "roberto.sala@gmail.com",
    starts_on: "2022-03-01",
    ends_on: None,
    about: "C2: Roberto's second home: its invitation adds the property to his account",
};

pub const UNIT_CONTRACTS: &[&DemoUnitContract] = &[&OWNER_A1, &TENANT_A2, &TENANT_B1, &OWNER_P1];

/// The `property-management` demo data as the operator's import file: the properties, their
/// management contracts (which register the administrators), units and their contracts.
pub fn property_jsonl() -> String {
    let mut rows = Vec::new();
    for p in PROPERTIES {
        rows.push(
            serde_json::json!({ "type": "company", "id": p.company_id, "name": p.company_name }),
        );
        rows.push(serde_json::json!({ "type": "contract", "company_id": p.company_id, "contract_id": p.contract_id, "legal_representative": { "name": p.name, "surname": p.surname, "birth_date": p.birth_date, "fiscal_code": p.fiscal_code, "email": p.email, "mobile": p.mobile } }));
    }
    for c in UNIT_CONTRACTS {
        rows.push(serde_json::json!({ "type": "unit", "company_id": c.property_id, "unit_id": c.unit_id, "name": c.unit_name }));
        rows.push(serde_json::json!({ "type": "unit_contract", "company_id": c.property_id, "contract_id": c.contract_id, "unit_id": c.unit_id, "role": c.role, "contact": { "name": c.contact_name, "email": c.contact_email }, "starts_on": c.starts_on, "ends_on": c.ends_on }));
    }
    rows.iter().map(|r| format!("{r}\n")).collect()
}

fn describe_property() -> String {
    let mut out = String::from(
        "Demo properties (profile property-management): importing each management contract\n\
         registered its administrator (first access from the emailed link above, code by SMS).\n\
         The administrator invites each contract's contact:\n  \
         POST /companies/<property>/invitations {\"email\", \"display_name\", \"role\", \"unit_contract\"}\n",
    );
    for p in PROPERTIES {
        out.push_str(&format!(
            "\n  {} ({}) — administrator {} {}, username {}, mobile {}\n",
            p.company_name, p.company_id, p.name, p.surname, p.email, p.mobile
        ));
        for c in UNIT_CONTRACTS
            .iter()
            .filter(|c| c.property_id == p.company_id)
        {
            out.push_str(&format!(
                "    unit {} ({}), contract {} {}: {} <{}> from {}{}\n      {}\n",
                c.unit_id,
                c.unit_name,
                c.contract_id,
                c.role,
                c.contact_name,
                c.contact_email,
                c.starts_on,
                c.ends_on.map(|e| format!(" to {e}")).unwrap_or_default(),
                c.about
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use varco_domain::crypto::legacy;

    #[test]
    fn the_written_out_legacy_hashes_are_the_demo_users_passwords() {
        for user in LEGACY_USERS {
            let salt = format!("demo-{}", user.username);
            let hash = legacy::hash(user.password, &salt, legacy::DUMMY_ITERATIONS);
            assert_eq!(user.password_hash(), hash, "{}", user.username);
        }
    }
}
