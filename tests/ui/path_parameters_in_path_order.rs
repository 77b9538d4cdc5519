// Path parameters come in the order of the path, `/orgs/{org}/packages/{package_type}/...`:
// swapping the organization and the package type does not compile.
async fn get(client: &github_packages::Client) {
    let _ = client
        .get_package_for_organization(github_packages::PackageType::Npm, "octo-org", "pkg")
        .await;
}

fn main() {
    let _ = get;
}
