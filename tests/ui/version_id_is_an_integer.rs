// Package version ids are integers (64-bit: they are around 4e8 and growing).
async fn get(client: &github_packages::Client) {
    let _ = client
        .get_package_version_for_user("octocat", github_packages::PackageType::Npm, "pkg", "42")
        .await;
}

fn main() {
    let _ = get;
}
