//! The local gateway: `cargo run [-- --port 8080 --profile card-issuer --data .varco
//! --dynamodb http://127.0.0.1:8000 --captcha-difficulty 0]`; and the operator's data
//! import into the same store: `cargo run -- import FILE.jsonl [--data .varco ...]`; and a
//! deployment's first signing key, for its secret: `cargo run -- signing-key`.

use std::path::PathBuf;
use varco_functions::local::{import_file, run, BoxError, LocalOptions};

const USAGE: &str = "usage: varco [signing-key | import FILE.jsonl] [--port N] [--profile NAME] [--data DIR] [--dynamodb URL] [--captcha-difficulty BITS]";

fn options() -> Result<(Option<PathBuf>, LocalOptions), String> {
    let mut options = LocalOptions {
        profile: std::env::var("VARCO_PROFILE").unwrap_or_else(|_| "card-issuer".into()),
        port: 8080,
        data_dir: PathBuf::from(".varco"),
        dynamodb: None,
        captcha_difficulty: 0,
    };
    let mut args = std::env::args().skip(1).peekable();
    let mut import = None;
    if args.peek().map(String::as_str) == Some("import") {
        args.next();
        import = Some(PathBuf::from(
            args.next()
                .ok_or_else(|| format!("import needs a file\n{USAGE}"))?,
        ));
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
    Ok((import, options))
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    if std::env::args().nth(1).as_deref() == Some("signing-key") {
        // The secret's `signing_keys` of a new deployment: one key that signs at once.
        let now = varco_domain::clock::Clock::now(&varco_domain::clock::SystemClock);
        let keys = [varco_domain::tokens::StoredKey::generate(now.0)];
        println!("{}", serde_json::to_string(&keys)?);
        return Ok(());
    }
    match options() {
        Ok((Some(file), options)) => import_file(options, &file).await,
        Ok((None, options)) => run(options).await,
        Err(message) => {
            eprintln!("{message}");
            std::process::exit(2)
        }
    }
}
