//! The `card-issuer` demo: people with cards, one for each recovery path; company cards,
//! one for each registration case; users of the old portal, one for each migration case.

use super::*;

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
        let internal = |e: varco_domain::base::types::ParseError| {
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
        let internal = |e: varco_domain::base::types::ParseError| {
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

pub(super) async fn seed_card_issuer(deps: &Deps) -> Result<usize, Error> {
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
    for user in LEGACY_USERS.iter().map(|u| u.to_legacy()) {
        if deps
            .store
            .get(&legacy_key(deps, &user.username))
            .await?
            .is_some()
        {
            continue;
        }
        deps.store
            .write(vec![provision_legacy(deps, &user)])
            .await?;
        added += 1;
    }
    Ok(added)
}

pub(super) fn describe_card_issuer() -> String {
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

#[cfg(test)]
mod tests {
    use super::*;
    use varco_domain::base::crypto::legacy;

    #[test]
    fn the_written_out_legacy_hashes_are_the_demo_users_passwords() {
        for user in LEGACY_USERS {
            let salt = format!("demo-{}", user.username);
            let hash = legacy::hash(user.password, &salt, legacy::DUMMY_ITERATIONS);
            assert_eq!(user.password_hash(), hash, "{}", user.username);
        }
    }
}
