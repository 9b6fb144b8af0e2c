//! Demo people of the `card-issuer` profile, one for each recovery path of the seeds. The
//! local gateway loads them at start (once per store) and prints them; tests use them too.

use varco_domain::accounts::{provision_cardholder, NewCard, NewCardholder};
use varco_domain::keys::{self, purpose};
use varco_domain::store::Index;
use varco_domain::types::{
    check_character, BirthDate, CardNumber, Email, FiscalCode, Key6, Password, PhoneNumber,
    SecurityAnswer,
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

/// Writes the demo people a store does not hold yet; returns how many were added.
pub async fn seed(deps: &Deps) -> Result<usize, Error> {
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
    Ok(added)
}

/// The demo people as a table for the terminal.
pub fn describe() -> String {
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
    out
}
