//! One method per endpoint, so that tests read as the scenario, and the messages a test
//! reads back.

use super::*;

impl TestApp {
    pub async fn post(&self, path: &str, body: Value) -> Answer {
        self.request(reqwest::Method::POST, path, Some(body), &[])
            .await
    }

    /// A solved captcha, as a client computes it.
    pub async fn captcha(&self) -> String {
        let challenge = self.post("/captcha", json!({})).await.text("challenge");
        format!("{challenge}:{}", solve(&challenge, CAPTCHA_BITS))
    }

    pub async fn start_recovery_with(
        &self,
        kind: &str,
        fiscal_code: &str,
        birth_date: &str,
    ) -> Answer {
        let captcha = self.captcha().await;
        self.post("/recoveries", json!({ "kind": kind, "fiscal_code": fiscal_code, "birth_date": birth_date, "captcha": captcha })).await
    }

    pub async fn start_recovery(&self, kind: &str, person: &DemoPerson) -> Answer {
        self.start_recovery_with(kind, &person.fiscal_code(), person.birth_date)
            .await
    }

    /// Starts a recovery that must start, and returns its flow id.
    pub async fn flow(&self, kind: &str, person: &DemoPerson) -> String {
        let started = self.start_recovery(kind, person).await;
        assert_eq!(started.status, 201, "{}", started.body);
        started.text("flow_id")
    }

    pub async fn key6(&self, flow: &str, card: &str, key6: &str) -> Answer {
        self.post(
            &format!("/recoveries/{flow}/key6"),
            json!({ "card_number": card, "key6": key6 }),
        )
        .await
    }

    pub async fn security_answer(&self, flow: &str, answer: &str) -> Answer {
        self.post(
            &format!("/recoveries/{flow}/security-answer"),
            json!({ "answer": answer }),
        )
        .await
    }

    pub async fn recovery_password(&self, flow: &str, password: &str) -> Answer {
        self.post(
            &format!("/recoveries/{flow}/password"),
            json!({ "password": password }),
        )
        .await
    }

    pub async fn phone(&self, flow: &str, phone: &str) -> Answer {
        self.post(
            &format!("/recoveries/{flow}/phone"),
            json!({ "phone": phone }),
        )
        .await
    }

    pub async fn login(&self, email: &str, password: &str) -> Answer {
        self.post("/sessions", json!({ "email": email, "password": password }))
            .await
    }

    pub async fn me(&self, token: &str) -> Answer {
        self.request(
            reqwest::Method::GET,
            "/me",
            None,
            &[("authorization", &format!("Bearer {token}"))],
        )
        .await
    }

    pub async fn change_password(&self, token: &str, body: Value) -> Answer {
        self.request(
            reqwest::Method::PUT,
            "/me/password",
            Some(body),
            &[("authorization", &format!("Bearer {token}"))],
        )
        .await
    }

    /// A POST with the session's bearer token.
    pub async fn post_as(&self, token: &str, path: &str, body: Value) -> Answer {
        self.request(
            reqwest::Method::POST,
            path,
            Some(body),
            &[("authorization", &format!("Bearer {token}"))],
        )
        .await
    }

    /// A request without a body, with the session's bearer token.
    pub async fn as_user(&self, method: reqwest::Method, token: &str, path: &str) -> Answer {
        self.request(
            method,
            path,
            None,
            &[("authorization", &format!("Bearer {token}"))],
        )
        .await
    }

    /// N4 end to end: registers the holder of a demo company card as its Administrator,
    /// with `phone`, `email` and `password`; answers the session's access token.
    pub async fn register_administrator(
        &self,
        card: &varco_functions::demo::DemoCompanyCard,
        phone: &str,
        email: &str,
        password: &str,
    ) -> String {
        let started = self
            .start_registration(card, card.registration_code, phone)
            .await;
        assert_eq!(started.status, 201, "{}", started.body);
        let flow = started.text("flow_id");
        let code = code_in(&self.the_sms().await);
        let confirmed = self.registration_code(&flow, &code).await;
        assert_eq!(confirmed.status, 200, "{}", confirmed.body);
        let session = self.registration_credentials(&flow, email, password).await;
        assert_eq!(session.status, 201, "{}", session.body);
        session.text("access_token")
    }

    /// Runs a scheduled job as its schedule would over the time the clock moved: until it
    /// says it finished. Answers the items it changed.
    pub async fn run_job_until_finished(&self, job: varco_functions::catalog::Job) -> u64 {
        let mut changed = 0;
        loop {
            let report = invoke_job(&self.deps, job).await.unwrap();
            changed += report["changed"].as_u64().unwrap();
            if report["finished"] == true {
                return changed;
            }
        }
    }

    pub async fn refresh(&self, refresh_token: &str) -> Answer {
        self.post(
            "/sessions/refresh",
            json!({ "refresh_token": refresh_token }),
        )
        .await
    }

    pub async fn logout(&self, token: &str) -> Answer {
        self.request(
            reqwest::Method::DELETE,
            "/sessions/current",
            None,
            &[("authorization", &format!("Bearer {token}"))],
        )
        .await
    }

    /// Logs in with what must work; returns the session.
    pub async fn session(&self, email: &str, password: &str) -> Answer {
        let session = self.login(email, password).await;
        assert_eq!(session.status, 201, "{}", session.body);
        session
    }

    /// N4's first step with a company card of the demo data and a mobile.
    pub async fn start_registration(
        &self,
        card: &varco_functions::demo::DemoCompanyCard,
        registration_code: &str,
        phone: &str,
    ) -> Answer {
        let captcha = self.captcha().await;
        self.post(
            "/registrations",
            json!({ "card_number": card.number, "registration_code": registration_code, "phone": phone, "captcha": captcha }),
        )
        .await
    }

    pub async fn registration_code(&self, flow: &str, code: &str) -> Answer {
        self.post(
            &format!("/registrations/{flow}/code"),
            json!({ "code": code }),
        )
        .await
    }

    pub async fn resend_registration_code(&self, flow: &str, phone: &str) -> Answer {
        self.post(
            &format!("/registrations/{flow}/code/resend"),
            json!({ "phone": phone }),
        )
        .await
    }

    pub async fn registration_credentials(
        &self,
        flow: &str,
        email: &str,
        password: &str,
    ) -> Answer {
        self.post(
            &format!("/registrations/{flow}/credentials"),
            json!({ "email": email, "password": password }),
        )
        .await
    }

    /// N2's first step: old username and password, a mobile and the new login email.
    pub async fn start_migration(
        &self,
        username: &str,
        password: &str,
        phone: &str,
        email: &str,
    ) -> Answer {
        let captcha = self.captcha().await;
        self.post(
            "/migrations",
            json!({ "username": username, "password": password, "phone": phone, "email": email, "captcha": captcha }),
        )
        .await
    }

    pub async fn migration_code(&self, flow: &str, code: &str, new_password: &str) -> Answer {
        self.post(
            &format!("/migrations/{flow}/code"),
            json!({ "code": code, "new_password": new_password }),
        )
        .await
    }

    pub async fn resend_migration_code(&self, flow: &str, phone: &str) -> Answer {
        self.post(
            &format!("/migrations/{flow}/code/resend"),
            json!({ "phone": phone }),
        )
        .await
    }

    /// Runs the outbox sender once, as the stream would; returns what it sent now.
    /// W2: starts a User Admin registration with the legal representative's data, changed
    /// by `edit` (a field to change and its value, or nothing).
    pub async fn start_vat_registration(
        &self,
        contract: &varco_functions::demo::DemoContract,
        edit: Option<(&str, &str)>,
    ) -> Answer {
        let captcha = self.captcha().await;
        let mut body = json!({
            "vat_number": contract.vat_number, "name": contract.name, "surname": contract.surname,
            "birth_date": contract.birth_date, "fiscal_code": contract.fiscal_code,
            "email": contract.email, "mobile": contract.mobile, "captcha": captcha
        });
        if let Some((field, value)) = edit {
            body[field] = json!(value);
        }
        self.post("/user-admin-registrations", body).await
    }

    pub async fn activate(
        &self,
        flow: &str,
        token: &str,
        username: &str,
        password: &str,
    ) -> Answer {
        self.post(
            &format!("/user-admin-registrations/{flow}/activation"),
            json!({ "token": token, "username": username, "password": password }),
        )
        .await
    }

    /// W7: starts registering a line with an email.
    pub async fn start_line_registration(&self, line: &str, email: &str) -> Answer {
        let captcha = self.captcha().await;
        self.post(
            "/line-registrations",
            json!({ "line": line, "email": email, "captcha": captcha }),
        )
        .await
    }

    /// A step of a line registration: `POST /line-registrations/{flow}/<segment>`.
    pub async fn line_step(&self, flow: &str, segment: &str, body: Value) -> Answer {
        self.post(&format!("/line-registrations/{flow}/{segment}"), body)
            .await
    }

    /// W7 from start to end for a voice line: the start, the SMS's code and the password;
    /// the last answer (a session, when it went through).
    pub async fn register_line(&self, line: &str, email: &str, password: &str) -> Answer {
        let started = self.start_line_registration(line, email).await;
        let code = code_in(&self.the_sms().await);
        let body = json!({ "code": code, "new_password": password });
        self.line_step(&started.text("flow_id"), "code", body).await
    }

    /// Login with a username or a line number.
    pub async fn login_as(&self, username: &str, password: &str) -> Answer {
        self.post(
            "/sessions",
            json!({ "username": username, "password": password }),
        )
        .await
    }

    pub async fn deliver_messages(&self) -> Vec<Outgoing> {
        let before = self.sent.0.lock().unwrap().len();
        let portal = self.deps.profile.display_name.clone();
        outbox::deliver_due(
            self.deps.store.as_ref(),
            (&self.sent, &self.deps.message_key),
            self.deps.clock.as_ref(),
            &portal,
            100,
        )
        .await
        .unwrap();
        self.sent.0.lock().unwrap()[before..].to_vec()
    }

    /// The messages waiting in the outbox, as stored.
    pub async fn pending_messages(&self) -> Vec<varco_domain::base::store::Item> {
        let pending = varco_domain::base::keys::OUTBOX_PENDING;
        self.deps
            .store
            .query_index(varco_domain::base::store::Index::Gsi1, pending, 100)
            .await
            .unwrap()
    }

    /// Runs the outbox sender once with another sender (one that fails, say).
    pub async fn deliver_messages_with(&self, sender: &dyn Sender) -> Vec<outbox::Delivery> {
        let portal = self.deps.profile.display_name.clone();
        outbox::deliver_due(
            self.deps.store.as_ref(),
            (sender, &self.deps.message_key),
            self.deps.clock.as_ref(),
            &portal,
            100,
        )
        .await
        .unwrap()
    }

    /// Everything the sender has sent in this app so far.
    pub fn sent_messages(&self) -> Vec<Outgoing> {
        self.sent.0.lock().unwrap().clone()
    }

    /// The one SMS sent now, after delivering the outbox.
    pub async fn the_sms(&self) -> Outgoing {
        let sent = self.deliver_messages().await;
        assert_eq!(sent.len(), 1, "expected one SMS, got {sent:?}");
        sent.into_iter().next().unwrap()
    }

    /// The one message delivered now, which must be an email.
    pub async fn the_email(&self) -> Outgoing {
        let sent = self.the_sms().await;
        assert_eq!(
            sent.channel,
            varco_domain::limits::outbox::Channel::Email,
            "{sent:?}"
        );
        sent
    }
}
