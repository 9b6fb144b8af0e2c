//! The telco demos: `telco-sme` companies with their contracts and lines, and the
//! `telco-legal-rep` company, loaded through the import (X7).

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

pub(super) fn describe_legal_rep() -> String {
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

pub(super) fn describe_telco() -> String {
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
         for the request, the line and the moment, keyed with gateway_key of .varco/secrets.json):\n  \
         key=$(jq -r .gateway_key .varco/secrets.json | base64 -d | xxd -p -c 256); t=$(date +%s)\n  \
         proof=$(printf 'POST /sessions/autologin\\n393475550211\\n%s' \"$t\" | openssl dgst -sha256 -mac HMAC -macopt hexkey:$key | cut -d' ' -f2)\n  \
         curl -X POST localhost:8080/sessions/autologin -H 'x-msisdn: 393475550211' \\\n    \
         -H \"x-varco-gateway-time: $t\" -H \"x-varco-gateway-proof: $proof\"\n",
    );
    out
}
