//! What Varco says to people, in Italian (default) and English.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    It,
    En,
}

impl Lang {
    /// The first supported language of an `Accept-Language` header; Italian otherwise.
    pub fn from_accept_language(header: Option<&str>) -> Lang {
        let Some(header) = header else {
            return Lang::It;
        };
        let mut ranked: Vec<(f32, &str)> = header
            .split(',')
            .filter_map(|part| {
                let mut pieces = part.trim().split(';');
                let tag = pieces.next()?.trim();
                let q = pieces
                    .find_map(|p| {
                        p.trim()
                            .strip_prefix("q=")
                            .and_then(|q| q.parse::<f32>().ok())
                    })
                    .unwrap_or(1.0);
                Some((q, tag))
            })
            .collect();
        ranked.sort_by(|a, b| b.0.partial_cmp(&a.0).unwrap_or(std::cmp::Ordering::Equal));
        for (_, tag) in ranked {
            let primary = tag.split('-').next().unwrap_or("").to_ascii_lowercase();
            match primary.as_str() {
                "it" => return Lang::It,
                "en" => return Lang::En,
                _ => {}
            }
        }
        Lang::It
    }
}

/// What a security notice tells the person (M9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Notice {
    AuthenticatorAdded,
    AuthenticatorRemoved,
    /// By an administrator of their company (M6).
    AuthenticatorRemovedByAdministrator,
    RecoveryCodeUsed {
        left: usize,
    },
    RecoveryCodesRenewed,
    PasskeyAdded,
    PasskeyRemoved,
    /// By the operator's support, at the person's request (M6).
    SecondFactorRemovedBySupport,
}

impl Notice {
    /// The sentence, in Italian and in English.
    fn text(self) -> (String, String) {
        match self {
            Notice::AuthenticatorAdded => ("la verifica in due passaggi è stata attivata sul tuo account.".into(), "two-step verification was turned on for your account.".into()),
            Notice::AuthenticatorRemoved => ("la verifica in due passaggi è stata disattivata sul tuo account.".into(), "two-step verification was turned off for your account.".into()),
            Notice::AuthenticatorRemovedByAdministrator => ("un amministratore della tua azienda ha rimosso la verifica in due passaggi dal tuo account: ora accedi con la password, poi attivala di nuovo.".into(), "an administrator of your company removed two-step verification from your account: log in with your password, then set it up again.".into()),
            Notice::RecoveryCodeUsed { left } => (format!("un codice di recupero è stato usato per accedere al tuo account; ne restano {left}."), format!("a recovery code was used to log in to your account; {left} are left.")),
            Notice::SecondFactorRemovedBySupport => ("l'assistenza ha rimosso, su tua richiesta, la verifica in due passaggi dal tuo account: ora accedi con la password, poi attivala di nuovo.".into(), "customer support removed two-step verification from your account at your request: log in with your password, then set it up again.".into()),
            Notice::PasskeyAdded => ("una nuova passkey è stata aggiunta al tuo account.".into(), "a new passkey was added to your account.".into()),
            Notice::PasskeyRemoved => ("una passkey è stata rimossa dal tuo account.".into(), "a passkey was removed from your account.".into()),
            Notice::RecoveryCodesRenewed => ("sono stati creati nuovi codici di recupero per il tuo account; quelli di prima non valgono più.".into(), "new recovery codes were made for your account; the earlier ones no longer work.".into()),
        }
    }
}

/// A message's content before rendering. Holds secrets (a temporary password) until the
/// message is delivered, then the outbox drops it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "template", rename_all = "snake_case")]
pub enum Template {
    TemporaryPassword {
        password: String,
        valid_hours: i64,
    },
    LoginEmail {
        email: String,
    },
    VerificationCode {
        code: String,
        valid_minutes: i64,
    },
    /// W2: the link that activates a registration; the first access sets the password.
    ActivationLink {
        link: String,
        valid_hours: i64,
    },
    /// T1: the username of an account the operator registered, with the link of its first
    /// access while it has no password yet.
    Username {
        username: String,
        link: Option<String>,
        valid_hours: i64,
    },
    /// M9: a change to how the person logs in, so that one they did not make is noticed.
    SecurityNotice {
        notice: Notice,
    },
    /// N3: an Administrator's access ended with the company card's grace period.
    AdministratorRevoked {
        company: String,
        grace_days: i64,
    },
    /// N5, C1, T3: an invitation to a company with a role, its code and link.
    Invitation {
        company: String,
        role: String,
        link: String,
        code: String,
        valid_days: i64,
        /// N5: a temporary password follows by SMS.
        temporary_password_by_sms: bool,
        /// T3: the username the account will log in with, where it is not the email.
        #[serde(default)]
        username: Option<String>,
    },
}

impl std::fmt::Debug for Template {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl Template {
    pub fn name(&self) -> &'static str {
        match self {
            Template::TemporaryPassword { .. } => "temporary_password",
            Template::LoginEmail { .. } => "login_email",
            Template::VerificationCode { .. } => "verification_code",
            Template::ActivationLink { .. } => "activation_link",
            Template::Username { .. } => "username",
            Template::Invitation { .. } => "invitation",
            Template::AdministratorRevoked { .. } => "administrator_revoked",
            Template::SecurityNotice { .. } => "security_notice",
        }
    }

    /// Subject (for email) and body.
    pub fn render(&self, portal: &str, lang: Lang) -> (String, String) {
        match (self, lang) {
            (Template::TemporaryPassword { password, valid_hours }, Lang::It) => (
                format!("{portal}: password provvisoria"),
                format!("{portal}: la tua password provvisoria è {password} (valida {valid_hours} ore, una sola volta). Accedi e scegli una nuova password."),
            ),
            (Template::TemporaryPassword { password, valid_hours }, Lang::En) => (
                format!("{portal}: temporary password"),
                format!("{portal}: your temporary password is {password} (valid {valid_hours} hours, once). Log in and choose a new password."),
            ),
            (Template::LoginEmail { email }, Lang::It) => (
                format!("{portal}: email di accesso"),
                format!("{portal}: l'indirizzo email con cui accedi al portale è {email}."),
            ),
            (Template::LoginEmail { email }, Lang::En) => (
                format!("{portal}: login email"),
                format!("{portal}: the email address you log in with is {email}."),
            ),
            (Template::ActivationLink { link, valid_hours }, Lang::It) => (
                format!("{portal}: attiva il tuo profilo"),
                format!("{portal}: i dati sono corretti. Per attivare il profilo apri {link} (valido {valid_hours} ore): al primo accesso scegli username e password."),
            ),
            (Template::ActivationLink { link, valid_hours }, Lang::En) => (
                format!("{portal}: activate your profile"),
                format!("{portal}: your data is correct. To activate your profile open {link} (valid {valid_hours} hours): at the first access choose a username and password."),
            ),
            (Template::Username { username, link: Some(link), valid_hours }, Lang::It) => (
                format!("{portal}: benvenuto, ecco la tua username"),
                format!("{portal}: la tua username è {username}. Per il primo accesso apri {link} (valido {valid_hours} ore): riceverai un codice di verifica e sceglierai la password."),
            ),
            (Template::Username { username, link: Some(link), valid_hours }, Lang::En) => (
                format!("{portal}: welcome, here is your username"),
                format!("{portal}: your username is {username}. For your first access open {link} (valid {valid_hours} hours): you will get a verification code and choose your password."),
            ),
            (Template::Username { username, link: None, .. }, Lang::It) => (
                format!("{portal}: la tua username"),
                format!("{portal}: la tua username è {username}. Se non ricordi la password, usa \"Recupera Password\"."),
            ),
            (Template::Username { username, link: None, .. }, Lang::En) => (
                format!("{portal}: your username"),
                format!("{portal}: your username is {username}. If you do not remember the password, use \"Recover password\"."),
            ),
            (Template::Invitation { company, role, link, code, valid_days, temporary_password_by_sms, username }, Lang::It) => (
                format!("{portal}: sei stato invitato in {company}"),
                format!("{portal}: sei stato invitato ad accedere per {company} con il profilo {role}. Apri {link} oppure inserisci il codice {code} (valido {valid_days} giorni).{}{}",
                    username.as_ref().map(|u| format!(" La tua username sarà {u}.")).unwrap_or_default(),
                    if *temporary_password_by_sms { " Riceverai via SMS una password provvisoria: ti servirà con il codice, poi sceglierai la tua password." } else { "" }),
            ),
            (Template::Invitation { company, role, link, code, valid_days, temporary_password_by_sms, username }, Lang::En) => (
                format!("{portal}: you are invited to {company}"),
                format!("{portal}: you are invited to act for {company} as {role}. Open {link} or enter the code {code} (valid {valid_days} days).{}{}",
                    username.as_ref().map(|u| format!(" Your username will be {u}.")).unwrap_or_default(),
                    if *temporary_password_by_sms { " A temporary password follows by SMS: you will need it with the code, then you choose your password." } else { "" }),
            ),
            (Template::AdministratorRevoked { company, grace_days }, Lang::It) => (
                format!("{portal}: accesso da Amministratore terminato"),
                format!("{portal}: la carta aziendale su cui si basava il tuo accesso da Amministratore per {company} è scaduta o bloccata da più di {grace_days} giorni, e l'accesso è terminato. Con una carta valida, un nuovo Amministratore può registrarsi per l'azienda."),
            ),
            (Template::AdministratorRevoked { company, grace_days }, Lang::En) => (
                format!("{portal}: Administrator access ended"),
                format!("{portal}: the company card your Administrator access for {company} rested on expired or was blocked more than {grace_days} days ago, and the access has ended. With a valid card, a new Administrator can register for the company."),
            ),
            (Template::SecurityNotice { notice }, lang) => {
                let (it, en) = notice.text();
                let (subject, body) = match lang {
                    Lang::It => ("avviso di sicurezza", it),
                    Lang::En => ("security notice", en),
                };
                let tail = match lang {
                    Lang::It => "Se non sei stato tu, cambia la password e contatta l'assistenza.",
                    Lang::En => "If it was not you, change your password and contact support.",
                };
                (format!("{portal}: {subject}"), format!("{portal}: {body} {tail}"))
            }
            (Template::VerificationCode { code, valid_minutes }, Lang::It) => (
                format!("{portal}: codice di verifica"),
                format!("{portal}: il tuo codice di verifica è {code} (valido {valid_minutes} minuti). Non comunicarlo a nessuno."),
            ),
            (Template::VerificationCode { code, valid_minutes }, Lang::En) => (
                format!("{portal}: verification code"),
                format!("{portal}: your verification code is {code} (valid {valid_minutes} minutes). Do not share it with anyone."),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_the_best_supported_language() {
        assert_eq!(Lang::from_accept_language(None), Lang::It);
        assert_eq!(Lang::from_accept_language(Some("en-GB,en;q=0.9")), Lang::En);
        assert_eq!(
            Lang::from_accept_language(Some("fr-FR, en;q=0.5, it;q=0.8")),
            Lang::It
        );
        assert_eq!(Lang::from_accept_language(Some("de")), Lang::It);
    }

    #[test]
    fn debug_of_a_template_shows_no_secret() {
        let t = Template::TemporaryPassword {
            password: "Xy7pQ2mK9wRt".into(),
            valid_hours: 24,
        };
        assert!(!format!("{t:?}").contains("Xy7pQ2mK9wRt"));
    }
}
