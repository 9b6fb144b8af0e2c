//! The local gateway: `cargo run [-- --port 8080 --profile card-issuer --data .varco
//! --dynamodb http://127.0.0.1:8000 --captcha-difficulty 0]`; and the operator's data
//! import into the same store: `cargo run -- import FILE.jsonl [--data .varco ...]`; and a
//! deployment's keys, for its secrets: `cargo run -- new-keys` (a signing key to add to
//! them: `cargo run -- signing-key`; the public set of some: `cargo run -- public-keys <
//! signing-keys.json`); and the
//! `config.json` of the portal pages hosted apart from the API: `cargo run -- pages-config
//! https://API.EXAMPLE [--profile NAME]`.

use std::path::PathBuf;
use varco_functions::local::{import_file, run, BoxError, LocalOptions};

const USAGE: &str = "usage: varco [new-keys | signing-key | public-keys < SIGNING_KEYS | import FILE.jsonl | pages-config API_URL] [--port N] [--profile NAME] [--data DIR] [--dynamodb URL] [--captcha-difficulty BITS]";

/// What `varco` was asked to do besides serving.
enum Command {
    Serve,
    Import(PathBuf),
    PagesConfig(String),
}

fn options() -> Result<(Command, LocalOptions), String> {
    let mut options = LocalOptions {
        profile: std::env::var("VARCO_PROFILE").unwrap_or_else(|_| "card-issuer".into()),
        port: 8080,
        data_dir: PathBuf::from(".varco"),
        dynamodb: None,
        captcha_difficulty: 0,
    };
    let mut args = std::env::args().skip(1).peekable();
    let mut command = Command::Serve;
    if let Some(name @ ("import" | "pages-config")) = args.peek().map(String::as_str) {
        let name = name.to_string();
        args.next();
        let value = args
            .next()
            .ok_or_else(|| format!("{name} needs a value\n{USAGE}"))?;
        command = match name.as_str() {
            "import" => Command::Import(PathBuf::from(value)),
            _ => Command::PagesConfig(value),
        };
    }
    while let Some(flag) = args.next() {
        let mut value = || {
            args.next()
                .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))
        };
        match flag.as_str() {
            "--port" => {
                options.port = value()?
                    .parse()
                    .map_err(|_| format!("--port takes a number\n{USAGE}"))?
            }
            "--profile" => options.profile = value()?,
            "--data" => options.data_dir = PathBuf::from(value()?),
            "--dynamodb" => options.dynamodb = Some(value()?),
            "--captcha-difficulty" => {
                options.captcha_difficulty = value()?
                    .parse()
                    .map_err(|_| format!("--captcha-difficulty takes 0 to 32\n{USAGE}"))?
            }
            "-h" | "--help" => return Err(USAGE.to_string()),
            other => return Err(format!("unknown argument {other}\n{USAGE}")),
        }
    }
    Ok((command, options))
}

/// Writes a command's output; a reader that stopped reading (`varco new-keys | head`) is not
/// an error of the command, and no panic.
fn output(text: impl std::fmt::Display) -> Result<(), BoxError> {
    output_to(&mut std::io::stdout().lock(), text)
}

fn output_to(out: &mut impl std::io::Write, text: impl std::fmt::Display) -> Result<(), BoxError> {
    match writeln!(out, "{text}") {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        written => Ok(written?),
    }
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    if std::env::args().nth(1).as_deref() == Some("new-keys") {
        // A new deployment's keys: each member is a secret to create under its prefix.
        let now = varco_domain::base::clock::Clock::now(&varco_domain::base::clock::SystemClock);
        return output(varco_functions::secrets::new_keys(now));
    }
    if std::env::args().nth(1).as_deref() == Some("public-keys") {
        // The public key set of the signing keys on standard input (`signing-keys`).
        let text = std::io::read_to_string(std::io::stdin())?;
        let json = serde_json::from_str(&text).map_err(|_| "the input is not JSON")?;
        let ring = varco_functions::secrets::decode_signing_keys("the input", &json)?;
        return output(ring.jwks());
    }
    if std::env::args().nth(1).as_deref() == Some("signing-key") {
        // The secret's `signing_keys` of a new deployment: one key that signs at once.
        let now = varco_domain::base::clock::Clock::now(&varco_domain::base::clock::SystemClock);
        let keys = [varco_domain::base::tokens::StoredKey::generate(now.0)];
        return output(serde_json::to_string(&keys)?);
    }
    match options() {
        Ok((Command::Import(file), options)) => import_file(options, &file).await,
        Ok((Command::PagesConfig(api), options)) => {
            let profile = varco_domain::base::profile::Profile::builtin(&options.profile)?;
            let config = varco_functions::pages::config_json(&profile, api.trim_end_matches('/'));
            output(serde_json::to_string_pretty(&config)?)
        }
        Ok((Command::Serve, options)) => run(options).await,
        Err(message) => {
            eprintln!("{message}");
            std::process::exit(2)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::output_to;

    /// A reader that has gone (`| head`), or a disk that is full.
    struct Failing(std::io::ErrorKind);

    impl std::io::Write for Failing {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(self.0.into())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_reader_that_stopped_reading_ends_the_command_quietly_and_other_failures_are_errors() {
        assert!(output_to(&mut Failing(std::io::ErrorKind::BrokenPipe), "keys").is_ok());
        assert!(output_to(&mut Failing(std::io::ErrorKind::StorageFull), "keys").is_err());
        let mut written = Vec::new();
        output_to(&mut written, "keys").unwrap();
        assert_eq!(written, b"keys\n");
    }
}
