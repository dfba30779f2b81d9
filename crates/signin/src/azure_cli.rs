//! "Use my Azure CLI sign-in", for people who already use `az`: the ARM token comes from
//! `az account get-access-token --resource https://management.azure.com/`, with no browser and no
//! client id. Azure CLI keeps its own refresh token; the app keeps only the access token and asks
//! `az` again once it expires. `az` prints the token on stdout, which is never logged.

use crate::{config::AzureCliConfig, oauth::unverified_claim, tokens::SignInMethod, Secret, StoredTokens};
use serde::Deserialize;
use std::{path::PathBuf, process::Stdio, time::Duration};

/// How long `az` may take (it may refresh its own token over the network).
const TIMEOUT: Duration = Duration::from_secs(60);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AzureCliError {
    #[error("Azure CLI (`{0}`) isn't installed on this computer")]
    NotFound(String),
    /// `az` answered, but nobody is logged in to it (or the login expired).
    #[error("Azure CLI isn't signed in: {0}")]
    NotSignedIn(String),
    #[error("Azure CLI couldn't give a token: {0}")]
    Failed(String),
}

/// What `az account get-access-token` prints (`--output json`).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AzToken {
    /// A `Secret` from the moment it is read, like every token.
    access_token: Secret,
    /// Unix seconds; newer versions of `az` print it beside `expiresOn`.
    #[serde(default, rename = "expires_on")]
    expires_on: Option<u64>,
}

/// Where `program` is: a path that exists, or a name found on `PATH` (with Windows' `.cmd`
/// and `.exe` forms).
pub fn find(program: &str) -> Option<PathBuf> {
    let as_path = PathBuf::from(program);
    if as_path.components().count() > 1 {
        return as_path.is_file().then_some(as_path);
    }
    let names: Vec<String> =
        if cfg!(windows) { vec![format!("{program}.cmd"), format!("{program}.exe")] } else { vec![program.to_owned()] };
    std::env::split_paths(&std::env::var_os("PATH")?)
        .flat_map(|dir| names.iter().map(move |n| dir.join(n)))
        .find(|candidate| candidate.is_file())
}

/// Asks Azure CLI for an access token for `config.resource`.
///
/// # Errors
/// [`AzureCliError`]: not installed, not signed in, or anything else `az` said went wrong.
pub async fn access_token(config: &AzureCliConfig) -> Result<StoredTokens, AzureCliError> {
    let program = find(&config.program).ok_or_else(|| AzureCliError::NotFound(config.program.clone()))?;
    let run = tokio::process::Command::new(&program)
        .args(["account", "get-access-token", "--resource", &config.resource, "--output", "json"])
        .stdin(Stdio::null())
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(TIMEOUT, run)
        .await
        .map_err(|_| AzureCliError::Failed(format!("it didn't answer in {} seconds", TIMEOUT.as_secs())))?
        .map_err(|e| AzureCliError::Failed(e.to_string()))?;
    if !output.status.success() {
        let said = String::from_utf8_lossy(&output.stderr);
        let first =
            said.lines().map(|l| l.trim().trim_start_matches("ERROR:").trim()).find(|l| !l.is_empty()).unwrap_or("no message");
        let message = first.chars().take(300).collect::<String>();
        return Err(if said.contains("az login") { AzureCliError::NotSignedIn(message) } else { AzureCliError::Failed(message) });
    }
    let token: AzToken = serde_json::from_slice(&output.stdout)
        .map_err(|e| AzureCliError::Failed(format!("it printed something this app can't read ({})", e.classify_name())))?;
    // The expiry: what `az` says, else the token's own `exp`, else a few minutes (a guess that
    // errs on the short side: the app asks `az` again sooner, never later).
    let exp_secs = token.expires_on.or_else(|| unverified_number(token.access_token.expose(), "exp"));
    let expires_at = match exp_secs {
        Some(secs) => secs.saturating_mul(1000),
        None => vocab::now_millis() + 5 * 60 * 1000,
    };
    let claim = |k: &str| unverified_claim(token.access_token.expose(), k);
    Ok(StoredTokens {
        name: claim("name"),
        email: claim("upn").or_else(|| claim("unique_name")).or_else(|| claim("preferred_username")),
        access_token: token.access_token,
        refresh_token: None,
        expires_at: Some(expires_at),
        id_token: None,
        method: SignInMethod::AzureCli,
    })
}

/// A numeric claim of a JWT, read without verifying it (only to know when to ask `az` again).
fn unverified_number(jwt: &str, key: &str) -> Option<u64> {
    use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
    let payload = URL_SAFE_NO_PAD.decode(jwt.split('.').nth(1)?.trim_end_matches('=')).ok()?;
    serde_json::from_slice::<serde_json::Value>(&payload).ok()?.get(key)?.as_u64()
}

/// serde_json errors name what went wrong without quoting the input (which holds the token).
trait Classify {
    fn classify_name(&self) -> &'static str;
}

impl Classify for serde_json::Error {
    fn classify_name(&self) -> &'static str {
        match self.classify() {
            serde_json::error::Category::Io => "a read error",
            serde_json::error::Category::Syntax => "not JSON",
            serde_json::error::Category::Data => "no access token in it",
            serde_json::error::Category::Eof => "cut short",
        }
    }
}
