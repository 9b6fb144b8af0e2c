//! X1: the infrastructure template agrees with the route table. Every step of every flow is
//! its own Lambda function behind its route, and each function is granted what its step does
//! and nothing more.

use serde_norway::Value;
use std::collections::{BTreeMap, BTreeSet};
use varco_functions::routes::routes;

pub struct Function {
    pub logical_id: String,
    /// The function's name (`VARCO_FUNCTION`): a step's, a job's, `deliver-messages` ...
    pub name: String,
    pub route: Option<(String, String)>,
    /// (action, resource): resources as `table`, `index/gsi1`, `secret:<name>` (the secret of
    /// a key under the deployment's prefix), `*`, or as written.
    pub grants: BTreeSet<(String, String)>,
    /// (action, resource) taken out of the grants by `Deny` statements.
    pub denials: BTreeSet<(String, String)>,
}

fn template() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../infra/template.yaml");
    serde_norway::from_str(&std::fs::read_to_string(path).expect("infra/template.yaml"))
        .expect("the template is YAML")
}

/// A policy resource in a comparable form.
fn resource(value: &Value) -> String {
    match value {
        Value::Tagged(tagged) => {
            let tag = tagged.tag.to_string();
            match (tag.trim_start_matches('!'), tagged.value.as_str()) {
                ("GetAtt", Some("Table.Arn")) => "table".into(),
                ("Sub", Some(sub)) if sub.starts_with("${Table.Arn}/") => {
                    sub.trim_start_matches("${Table.Arn}/").into()
                }
                ("Sub", Some(sub)) if sub.contains(":secretsmanager:") => {
                    let prefix = ":secret:${SecretsPrefix}/";
                    match sub.split_once(prefix) {
                        Some((_, name)) if name.ends_with("-??????") => {
                            format!("secret:{}", name.trim_end_matches("-??????"))
                        }
                        _ => format!("!Sub {sub:?}"),
                    }
                }
                (tag, value) => format!("!{tag} {value:?}"),
            }
        }
        Value::String(s) => s.clone(),
        other => format!("{other:?}"),
    }
}

pub fn functions() -> Vec<Function> {
    let template = template();
    let mut out = Vec::new();
    for (id, resource_value) in template["Resources"].as_mapping().unwrap() {
        if resource_value["Type"].as_str() != Some("AWS::Serverless::Function") {
            continue;
        }
        let properties = &resource_value["Properties"];
        let route = properties["Events"]
            .as_mapping()
            .into_iter()
            .flatten()
            .find_map(|(_, event)| {
                (event["Type"].as_str() == Some("HttpApi")).then(|| {
                    (
                        event["Properties"]["Method"].as_str().unwrap().to_string(),
                        event["Properties"]["Path"].as_str().unwrap().to_string(),
                    )
                })
            });
        let (mut grants, mut denials) = (BTreeSet::new(), BTreeSet::new());
        for policy in properties["Policies"].as_sequence().into_iter().flatten() {
            for statement in policy["Statement"].as_sequence().into_iter().flatten() {
                let into = match statement["Effect"].as_str() {
                    Some("Allow") => &mut grants,
                    Some("Deny") => &mut denials,
                    other => panic!("{id:?}: a statement's effect is {other:?}"),
                };
                let resources = match &statement["Resource"] {
                    Value::Sequence(list) => list.iter().map(resource).collect(),
                    one => vec![resource(one)],
                };
                for action in statement["Action"].as_sequence().unwrap() {
                    for on in &resources {
                        into.insert((action.as_str().unwrap().to_string(), on.clone()));
                    }
                }
            }
        }
        out.push(Function {
            logical_id: id.as_str().unwrap().to_string(),
            name: properties["Environment"]["Variables"]["VARCO_FUNCTION"]
                .as_str()
                .expect("every function is named by VARCO_FUNCTION")
                .to_string(),
            route,
            grants,
            denials,
        });
    }
    out
}

/// The DynamoDB grants of each function, by name.
pub fn dynamodb_grants() -> BTreeMap<String, BTreeSet<(String, String)>> {
    functions()
        .into_iter()
        .map(|f| {
            (
                f.name,
                f.grants
                    .into_iter()
                    .filter(|(action, _)| action.starts_with("dynamodb:"))
                    .collect(),
            )
        })
        .collect()
}

/// The template's function for a step, as it is added: its name, route and the secrets of
/// its keys (its DynamoDB actions are left for the budget test to name).
fn function_block(route: &varco_functions::routes::Route) -> String {
    let name = route.step.name();
    let logical: String = name
        .split('-')
        .map(|word| word[..1].to_uppercase() + &word[1..])
        .collect();
    let mut block = format!(
        "  {logical}Function:\n    Type: AWS::Serverless::Function\n    Properties:\n      \
         FunctionName: !Sub varco-${{Environment}}-{name}\n      \
         Environment: {{ Variables: {{ VARCO_FUNCTION: {name} }} }}\n      Events:\n        \
         Api: {{ Type: HttpApi, Properties: {{ ApiId: !Ref HttpApi, Method: {}, Path: \"{}\" }} }}\n      \
         Policies:\n        - Statement:\n            \
         - {{ Effect: Allow, Action: [dynamodb:GetItem], Resource: !GetAtt Table.Arn }}\n",
        route.method, route.path
    );
    if route.keys.iter().next().is_some() {
        block.push_str(
            "            - Effect: Allow\n              Action: [secretsmanager:GetSecretValue]\n              Resource:\n",
        );
        for key in route.keys.iter() {
            block.push_str(&format!(
                "                - !Sub \"arn:${{AWS::Partition}}:secretsmanager:${{AWS::Region}}:${{AWS::AccountId}}:secret:${{SecretsPrefix}}/{}-??????\"\n",
                key.name()
            ));
        }
    }
    block
}

#[test]
fn x1_every_step_is_its_own_function_behind_its_route() {
    let functions = functions();
    let in_template: BTreeSet<(String, String, String)> = functions
        .iter()
        .filter_map(|f| {
            f.route
                .clone()
                .map(|(method, path)| (f.name.clone(), method, path))
        })
        .collect();
    let in_route_table: BTreeSet<(String, String, String)> = routes()
        .iter()
        .map(|r| {
            (
                r.step.name().to_string(),
                r.method.to_string(),
                r.path.to_string(),
            )
        })
        .collect();
    let missing: Vec<String> = routes()
        .iter()
        .filter(|r| {
            let line = (
                r.step.name().to_string(),
                r.method.to_string(),
                r.path.to_string(),
            );
            !in_template.contains(&line)
        })
        .map(function_block)
        .collect();
    assert!(
        missing.is_empty(),
        "steps of the route table without their function in infra/template.yaml; add \
         (the DynamoDB actions are the ones `budget::` then names):\n\n{}",
        missing.join("\n")
    );
    let unrouted: Vec<_> = in_template.difference(&in_route_table).collect();
    assert!(
        unrouted.is_empty(),
        "functions of the template whose route is not in the route table: {unrouted:?}"
    );

    let names: BTreeSet<String> = functions.iter().map(|f| f.name.clone()).collect();
    assert_eq!(names.len(), functions.len(), "two functions share a name");
    let varco_functions: BTreeSet<String> = varco_functions::catalog::function_names()
        .into_iter()
        .map(str::to_string)
        .collect();
    assert_eq!(
        names, varco_functions,
        "every function of Varco is in the template, and the template has no other"
    );
    let globals = &template()["Globals"]["Function"];
    assert_eq!(
        globals["CodeUri"].as_str(),
        Some("../target/lambda/varco-lambda/"),
        "every function runs the one binary that ./scripts/build-lambdas builds"
    );
}

#[test]
fn only_the_outbox_sender_may_send_sms_or_email_and_nothing_is_granted_on_everything() {
    for function in functions() {
        let sends = function
            .grants
            .iter()
            .any(|(action, _)| action.starts_with("sns:") || action.starts_with("ses:"));
        assert_eq!(
            sends,
            function.name == "deliver-messages",
            "{} and SNS/SES",
            function.logical_id
        );
        assert!(
            function
                .grants
                .iter()
                .all(|(_, on)| on != "*" || function.name == "deliver-messages"),
            "{}: a grant on *",
            function.logical_id
        );
    }
}

/// Secrets by need: each function may read the secrets of the keys its step uses (the route
/// table's `keys`, which every acceptance test runs each step with, alone) and no other;
/// only the rotation may write, and only the token keys. The private signing keys are
/// readable only where tokens are signed; the key set and the discovery document read the
/// public keys, or nothing.
#[test]
fn each_function_may_read_the_secrets_of_its_own_keys_and_no_other() {
    use varco_functions::catalog::function_keys;
    use varco_functions::secrets::Key;
    let mut may_sign = BTreeSet::new();
    for function in functions() {
        let keys = function_keys(&function.name).expect("a function of Varco");
        let secrets = |verb: &str| -> BTreeSet<String> {
            function
                .grants
                .iter()
                .filter(|(action, _)| action == &format!("secretsmanager:{verb}"))
                .map(|(_, on)| on.clone())
                .collect()
        };
        let own: BTreeSet<String> = keys
            .iter()
            .map(|k| format!("secret:{}", k.name()))
            .collect();
        assert_eq!(secrets("GetSecretValue"), own, "{}", function.logical_id);
        let others: Vec<_> = function
            .grants
            .iter()
            .filter(|(action, _)| {
                action.starts_with("secretsmanager:")
                    && ![
                        "secretsmanager:GetSecretValue",
                        "secretsmanager:PutSecretValue",
                    ]
                    .contains(&action.as_str())
            })
            .collect();
        assert!(others.is_empty(), "{}: {others:?}", function.logical_id);
        let writes = secrets("PutSecretValue");
        if function.name == varco_functions::catalog::ROTATE_SIGNING_KEYS {
            assert_eq!(
                writes,
                BTreeSet::from([
                    "secret:signing-keys".to_string(),
                    "secret:verifying-keys".into()
                ])
            );
        } else {
            assert!(
                writes.is_empty(),
                "{} writes {writes:?}",
                function.logical_id
            );
        }
        if keys.has(Key::SigningKeys) {
            may_sign.insert(function.name.clone());
        }
    }
    for public in [
        "get-jwks",
        "get-openid-configuration",
        "get-account",
        "issue-captcha",
    ] {
        assert!(
            !may_sign.contains(public),
            "{public} reads the private keys"
        );
    }
    assert!(may_sign.contains("login") && may_sign.contains("refresh-session"));
}

/// X5: SMS go to phone numbers only. A publish to a number has no resource ARN, so SNS can
/// only be allowed on `*`; every topic and endpoint (all that has an ARN) is denied.
#[test]
fn x5_the_outbox_sender_publishes_to_phone_numbers_only() {
    let sender = functions()
        .into_iter()
        .find(|f| f.name == "deliver-messages")
        .expect("the outbox sender");
    let on_star: Vec<_> = sender.grants.iter().filter(|(_, on)| on == "*").collect();
    assert_eq!(on_star, [&("sns:Publish".to_string(), "*".to_string())]);
    assert!(
        sender
            .denials
            .iter()
            .any(|(action, on)| action == "sns:Publish"
                && on.contains("arn:${AWS::Partition}:sns:*:*:*")),
        "{:?}",
        sender.denials
    );
}

/// A message claimed by a delivery is not claimed again while that delivery may still be
/// running: the claim outlasts the sending function's timeout (the race itself:
/// `storage::x3_a_claimed_message_is_not_sent_twice_by_a_slow_delivery`). And a step gives up
/// on a dependency well inside its own timeout, even one that waits out two (the Key6
/// service, then DynamoDB), so the client gets `503`, not API Gateway's `504`.
#[test]
fn the_claim_outlasts_the_sending_functions_timeout() {
    let template = template();
    let timeout = |function: &str| {
        template["Resources"][function]["Properties"]["Timeout"]
            .as_i64()
            .or_else(|| template["Globals"]["Function"]["Timeout"].as_i64())
            .unwrap_or_else(|| panic!("a timeout for {function}"))
    };
    let sending = timeout("DeliverMessagesFunction");
    assert!(
        varco_domain::limits::outbox::CLAIM_SECONDS > sending,
        "claim {} s, function {sending} s",
        varco_domain::limits::outbox::CLAIM_SECONDS
    );
    let step = timeout("LoginFunction");
    let patience = varco_store_dynamodb::Patience::AWS.operation.as_secs() as i64;
    assert!(
        2 * patience < step,
        "two calls given up after {patience} s each end inside the step's {step} s"
    );
}

/// Every alarm that counts a log event (a metric filter on `$.event`) counts one the code
/// writes: an alarm on an event nobody logs would never fire.
#[test]
fn every_alarmed_log_event_is_one_the_code_writes() {
    let template = template();
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let mut code = String::new();
    for dir in ["shared", "functions/src"] {
        let mut stack = vec![std::path::Path::new(root).join(dir)];
        while let Some(path) = stack.pop() {
            if path.is_dir() {
                stack.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
            } else if path.extension().is_some_and(|e| e == "rs") {
                code.push_str(&std::fs::read_to_string(&path).unwrap());
            }
        }
    }
    let filters: Vec<String> = template["Resources"]
        .as_mapping()
        .unwrap()
        .values()
        .filter(|r| r["Type"].as_str() == Some("AWS::Logs::MetricFilter"))
        .filter_map(|r| r["Properties"]["FilterPattern"].as_str())
        .filter_map(|p| {
            Some(
                p.split("$.event = \"")
                    .nth(1)?
                    .split('"')
                    .next()?
                    .to_string(),
            )
        })
        .collect();
    assert!(filters.contains(&"login_failed".to_string()), "{filters:?}");
    for event in filters {
        assert!(
            code.contains(&format!("event = \"{event}\"")),
            "a metric filter counts `{event}`, which no code logs"
        );
    }
}
