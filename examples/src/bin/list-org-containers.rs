//! Lists every container package of an organization with its version count.
//!
//! `GITHUB_TOKEN=... list-org-containers ORG` (a token with `read:packages`); set
//! `GITHUB_API_URL` for GitHub Enterprise Server.

use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [org] = args.as_slice() else {
        eprintln!("usage: list-org-containers ORG");
        return ExitCode::from(2);
    };
    let result = async {
        let client = examples::client_from_env(github_packages::Pacing::new())?;
        examples::list_org_containers(&client, org, &mut std::io::stdout()).await
    };
    match result.await {
        Ok(_) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}
