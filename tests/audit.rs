//! `cargo xtask audit`: our fragment against GitHub's official description, both as the
//! packages subset and as the whole description; and a drifted copy that must fail.

use tests::{read, reference_dir, workspace_root};
use xtask::{audit, AuditJob};

#[test]
fn fragment_matches_the_packages_subset_but_for_allowed_differences() {
    let report = audit(&AuditJob::against(
        reference_dir().join("github-openapi/packages.yaml"),
    ))
    .unwrap();
    assert_all_explained(&report);
    assert_eq!(
        report.rows.len(),
        2,
        "the docker tag/tags fix:\n{}",
        report.table()
    );
}

#[test]
fn fragment_matches_the_whole_description_but_for_allowed_differences() {
    let report = audit(&AuditJob::against(
        reference_dir().join("github-openapi/api.github.com.json"),
    ))
    .unwrap();
    assert_all_explained(&report);
}

/// GitHub's next description is OpenAPI 3.1: the audit reads it in the 3.0 shape, so the
/// 3.1 rendition of each official description (`type` lists, `examples`, `const`...) differs
/// from our fragment exactly where the 3.0 original does.
#[test]
fn a_31_official_description_is_audited_as_its_30_original() {
    for official in [
        "github-openapi/packages.yaml",
        "github-openapi/api.github.com.json",
    ] {
        let original = reference_dir().join(official);
        let rendition = tests::openapi31::write_rendition(&original);
        let of_30 = audit(&AuditJob::against(&original)).unwrap();
        let of_31 = audit(&AuditJob::against(&rendition)).unwrap();
        std::fs::remove_file(&rendition).unwrap();
        assert_eq!(
            of_31.table(),
            of_30.table(),
            "{official}: the 3.1 rendition is audited differently"
        );
        assert_all_explained(&of_31);
    }
}

/// Every difference is in the allowlist, and every allowlist entry still matches one.
fn assert_all_explained(report: &spec_audit::Report) {
    assert_eq!(report.unexplained(), 0, "\n{}", report.table());
    assert!(
        report.stale.is_empty(),
        "stale allowlist entries: {:?}",
        report.stale
    );
}

#[test]
fn drift_is_reported() {
    let spec = read(workspace_root().join("spec/packages.yaml"));
    let drifted = spec
        .replacen(
            "      schema:\n        type: integer\n        default: 30\n",
            "      schema:\n        type: integer\n        default: 50\n",
            1,
        )
        .replacen(
            "          - active\n          - deleted\n          default: active",
            "          - active\n          default: active",
            1,
        )
        .replacen(
            "operationId: packages/restore-package-for-user\n",
            "operationId: packages/restore-user-package\n",
            1,
        );
    assert_ne!(drifted, spec);
    let path = std::env::temp_dir().join(format!("drifted-{}.yaml", std::process::id()));
    std::fs::write(&path, drifted).unwrap();
    let mut job = AuditJob::against(reference_dir().join("github-openapi/packages.yaml"));
    job.spec = path.clone();
    let report = audit(&job).unwrap();
    let _ = std::fs::remove_file(&path);
    let table = report.table();
    let unexplained: Vec<(&str, &str)> = report
        .rows
        .iter()
        .filter(|(_, reason)| reason.is_none())
        .map(|(d, _)| (d.place.as_str(), d.field.as_str()))
        .collect();
    for expected in [
        ("GET /user/packages parameter query per_page", "default"),
        (
            "GET /orgs/{org}/packages/{package_type}/{package_name}/versions parameter query state",
            "enum",
        ),
        ("operation packages/restore-package-for-user", "presence"),
        ("operation packages/restore-user-package", "presence"),
    ] {
        assert!(
            unexplained.contains(&expected),
            "missing {expected:?} in\n{table}"
        );
    }
    assert_eq!(unexplained.len(), 7, "\n{table}");
}
