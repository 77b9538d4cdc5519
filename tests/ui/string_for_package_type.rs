// A package type is a `PackageType`, not a string: a typo cannot reach the server.
async fn delete(client: &github_packages::Client) {
    let _ = client.delete_package_for_org("octo-org", "container", "hello_docker").await;
}

fn main() {
    let _ = delete;
}
