//! The change report of a regeneration: pairs of descriptions, one change kind each, and the
//! entries and classes the report must give for them.

use codegen::surface::{Change, Class};
use codegen::{Config, Profile, Report, Surface};

/// A small shop: two tags, a list with a required and an optional parameter, a body, a string
/// enum, an inline type, a component (`owner`) that four operations reach, and two
/// definitions of one shape that `dedup` keeps as one type.
const SHOP: &str = r##"
openapi: 3.0.3
info: {title: Shop, version: '1'}
servers: [{url: 'https://api.example.com'}]
tags: [{name: items}, {name: orders}]
paths:
  /items:
    get:
      operationId: list-items
      tags: [items]
      parameters:
        - {name: kind, in: query, required: true, schema: {$ref: '#/components/schemas/kind'}}
        - {name: page, in: query, schema: {type: integer}}
      responses:
        '200': {description: ok, content: {application/json: {schema: {type: array, items: {$ref: '#/components/schemas/item'}}}}}
    post:
      operationId: create-item
      tags: [items]
      requestBody: {required: true, content: {application/json: {schema: {$ref: '#/components/schemas/new-item'}}}}
      responses:
        '201': {description: created, content: {application/json: {schema: {$ref: '#/components/schemas/item'}}}}
  /items/{id}:
    get:
      operationId: get-item
      tags: [items]
      parameters: [{name: id, in: path, required: true, schema: {type: integer}}]
      responses:
        '200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/item'}}}}
  /orders/{id}:
    get:
      operationId: get-order
      tags: [orders]
      parameters: [{name: id, in: path, required: true, schema: {type: integer}}]
      responses:
        '200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/order'}}}}
components:
  schemas:
    kind: {type: string, enum: [book, game]}
    owner:
      type: object
      required: [login]
      properties:
        login: {type: string}
        site: {type: string}
    item:
      type: object
      required: [id, name]
      properties:
        id: {type: integer}
        name: {type: string}
        kind: {$ref: '#/components/schemas/kind'}
        owner: {$ref: '#/components/schemas/owner'}
        meta: {type: object, properties: {note: {type: string}}}
        dimensions: {type: object, properties: {width: {type: number}}}
    new-item:
      type: object
      required: [name]
      properties:
        name: {type: string}
        note: {type: string}
    order:
      type: object
      required: [id]
      properties:
        id: {type: integer}
        owner: {$ref: '#/components/schemas/owner'}
        meta: {$ref: '#/components/schemas/order-meta'}
    order-meta: {type: object, properties: {note: {type: string}}}
"##;

fn surface(text: &str) -> Surface {
    let config = Config {
        crate_name: "shop".to_owned(),
        crate_version: "0.1.0".to_owned(),
        spec_name: "shop.yaml".to_owned(),
        guide: None,
        profile: Some(Profile::Generic),
        tag_features: true,
        generator_command: "cargo xtask generate".to_owned(),
    };
    codegen::generate(text, &config)
        .unwrap_or_else(|e| panic!("{e}"))
        .surface
}

/// The report from `SHOP` to `SHOP` with `edits` (each `(from, to)`, `from` found once).
fn report(edits: &[(&str, &str)]) -> Report {
    let mut changed = SHOP.to_owned();
    for (from, to) in edits {
        assert_eq!(
            changed.matches(from).count(),
            1,
            "{from:?} once in the description"
        );
        changed = changed.replacen(from, to, 1);
    }
    Report::new(&surface(SHOP), &surface(&changed))
}

/// The one change to `item`; fails listing them all when there is not exactly one.
fn the_change<'a>(report: &'a Report, item: &str) -> &'a Change {
    let matching: Vec<&Change> = report.changes.iter().filter(|c| c.item == item).collect();
    match matching.as_slice() {
        [one] => one,
        _ => panic!("one change to `{item}`, in:\n{report}"),
    }
}

fn assert_change(report: &Report, item: &str, class: Class, says: &str) {
    let change = the_change(report, item);
    assert_eq!(change.class, class, "{item}:\n{report}");
    assert!(
        change.what.contains(says),
        "{item} says {says:?}:\n{report}"
    );
}

#[test]
fn the_same_description_reports_nothing() {
    let report = report(&[]);
    assert!(report.changes.is_empty(), "{report}");
    assert_eq!(report.next_version.as_deref(), Ok("0.1.0"));
    assert!(report.to_string().contains("No change to the public API"));
}

#[test]
fn the_packages_crate_regenerated_unchanged_reports_nothing() {
    let job = xtask::default_job();
    let previous = xtask::previous_surface(&job.out)
        .expect("readable")
        .expect("generated/ keeps its API surface");
    let generated = xtask::render(&job).unwrap_or_else(|f| panic!("{f}"));
    let report = Report::new(&previous, &generated.surface);
    assert!(report.changes.is_empty(), "{report}");
}

#[test]
fn operations_added_removed_and_renamed() {
    let added = report(&[(
        "  /orders/{id}:",
        "  /orders:\n    get:\n      operationId: list-orders\n      tags: [orders]\n      responses:\n        '204': {description: none}\n  /orders/{id}:",
    )]);
    assert_change(
        &added,
        "Client::list_orders",
        Class::Minor,
        "new operation `GET /orders`",
    );
    assert_eq!(added.next_version.as_deref(), Ok("0.1.1"));

    let renamed = report(&[("operationId: get-item", "operationId: fetch-item")]);
    assert_change(
        &renamed,
        "Client::get_item",
        Class::Major,
        "renamed to `Client::fetch_item`",
    );
    assert!(
        renamed
            .changes
            .iter()
            .all(|c| c.item != "Client::fetch_item"),
        "{renamed}"
    );
    assert_eq!(renamed.next_version.as_deref(), Ok("0.2.0"));

    let removed = report(&[(
        "  /orders/{id}:\n    get:\n      operationId: get-order\n      tags: [orders]\n      parameters: [{name: id, in: path, required: true, schema: {type: integer}}]\n      responses:\n        '200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/order'}}}}\n",
        "",
    )]);
    assert_change(&removed, "Client::get_order", Class::Major, "removed");
    assert_change(&removed, "Order", Class::Major, "struct removed");
    assert_change(&removed, "feature \"orders\"", Class::Major, "removed");
    assert_eq!(the_change(&removed, "Order").operations, ["get_order"]);
}

#[test]
fn parameters_added_removed_and_retyped() {
    let required = report(&[(
        "parameters: [{name: id, in: path, required: true, schema: {type: integer}}]\n      responses:\n        '200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/item'}}}}",
        "parameters: [{name: id, in: path, required: true, schema: {type: integer}}, {name: fields, in: query, required: true, schema: {type: string}}]\n      responses:\n        '200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/item'}}}}",
    )]);
    assert_change(
        &required,
        "Client::get_item",
        Class::Major,
        "new required parameter `fields: String`",
    );

    let optional = report(&[(
        "        - {name: page, in: query, schema: {type: integer}}",
        "        - {name: page, in: query, schema: {type: integer}}\n        - {name: sort, in: query, schema: {type: string}}",
    )]);
    assert_change(
        &optional,
        "ListItemsParams.sort",
        Class::Minor,
        "new optional parameter",
    );
    assert_eq!(optional.changes.len(), 1, "{optional}");

    let first_optional = report(&[(
        "parameters: [{name: id, in: path, required: true, schema: {type: integer}}]\n      responses:\n        '200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/order'}}}}",
        "parameters: [{name: id, in: path, required: true, schema: {type: integer}}, {name: full, in: query, schema: {type: boolean}}]\n      responses:\n        '200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/order'}}}}",
    )]);
    assert_change(
        &first_optional,
        "Client::get_order",
        Class::Major,
        "first optional parameter",
    );

    let retyped = report(&[(
        "{name: page, in: query, schema: {type: integer}}",
        "{name: page, in: query, schema: {type: string}}",
    )]);
    assert_change(
        &retyped,
        "ListItemsParams.page",
        Class::Major,
        "is `Option<String>` (was `Option<i64>`)",
    );

    let removed = report(&[(
        "        - {name: page, in: query, schema: {type: integer}}\n",
        "",
    )]);
    assert_change(
        &removed,
        "ListItemsParams",
        Class::Major,
        "last optional parameter",
    );
    assert_change(
        &removed,
        "Client::list_items",
        Class::Major,
        "no longer takes `params`",
    );
}

#[test]
fn fields_added_removed_retyped_and_made_required() {
    let added = report(&[(
        "        id: {type: integer}\n        name: {type: string}\n        kind:",
        "        id: {type: integer}\n        name: {type: string}\n        color: {type: string}\n        kind:",
    )]);
    assert_change(
        &added,
        "Item.color",
        Class::Minor,
        "new optional field `Option<String>`",
    );
    assert_eq!(added.class(), Some(Class::Minor), "{added}");

    let required_in_a_response = report(&[(
        "      required: [id, name]\n      properties:\n        id: {type: integer}\n        name: {type: string}\n",
        "      required: [id, name, sku]\n      properties:\n        id: {type: integer}\n        name: {type: string}\n        sku: {type: string}\n",
    )]);
    assert_change(
        &required_in_a_response,
        "Item.sku",
        Class::Minor,
        "new required field `String`",
    );

    let removed = report(&[(
        "        kind: {$ref: '#/components/schemas/kind'}\n        owner",
        "        owner",
    )]);
    assert_change(&removed, "Item.kind", Class::Major, "removed");

    let made_required = report(&[("required: [id, name]", "required: [id, name, owner]")]);
    assert_change(
        &made_required,
        "Item.owner",
        Class::Major,
        "(made required)",
    );
}

#[test]
fn a_breaking_change_in_a_shared_component_is_reported_once_with_every_operation_it_touches() {
    let report = report(&[(
        "        login: {type: string}",
        "        login: {type: integer}",
    )]);
    assert_eq!(report.changes.len(), 1, "{report}");
    let change = the_change(&report, "Owner.login");
    assert_eq!(change.class, Class::Major);
    assert!(change.what.contains("is `i64` (was `String`)"), "{report}");
    assert_eq!(change.pointer, "#/components/schemas/owner");
    assert_eq!(
        change.operations,
        ["list_items", "create_item", "get_item", "get_order"]
    );
    assert!(
        report.to_string().contains("reached by 4 operations"),
        "{report}"
    );
}

#[test]
fn enum_values_added_and_removed() {
    let added = report(&[("enum: [book, game]", "enum: [book, game, film]")]);
    assert_change(
        &added,
        "Kind::Film",
        Class::Minor,
        "arrived as `Unknown(\"film\")`, now arrives as `Film`",
    );
    let removed = report(&[("enum: [book, game]", "enum: [book]")]);
    assert_change(
        &removed,
        "Kind::Game",
        Class::Major,
        "now arrives as `Unknown(\"game\")`",
    );
}

#[test]
fn an_input_struct_gains_fields() {
    let optional = report(&[(
        "        note: {type: string}\n    order:",
        "        note: {type: string}\n        color: {type: string}\n    order:",
    )]);
    assert_change(
        &optional,
        "NewItem.color",
        Class::Minor,
        "set with `NewItem::color`",
    );
    assert_eq!(optional.class(), Some(Class::Minor), "{optional}");

    let required = report(&[(
        "      required: [name]\n      properties:\n        name: {type: string}\n        note",
        "      required: [name, price]\n      properties:\n        name: {type: string}\n        price: {type: integer}\n        note",
    )]);
    assert_change(
        &required,
        "NewItem::new",
        Class::Major,
        "takes (name, price) (was (name))",
    );
}

#[test]
fn features_added_removed_and_types_moving_between_them() {
    let added = report(&[(
        "  /orders/{id}:",
        "  /users:\n    get:\n      operationId: list-users\n      tags: [users]\n      responses:\n        '204': {description: none}\n  /orders/{id}:",
    )]);
    assert_change(&added, "feature \"users\"", Class::Minor, "new feature");

    let moved = report(&[("tags: [orders]\n", "tags: [users]\n")]);
    assert_change(
        &moved,
        "Order",
        Class::Major,
        "compiled by feature `users` (was `orders`)",
    );
    assert_change(
        &moved,
        "Client::get_order",
        Class::Major,
        "compiled by feature `users`",
    );
    assert_change(&moved, "feature \"orders\"", Class::Major, "removed");
    assert_change(&moved, "feature \"users\"", Class::Minor, "new feature");
}

#[test]
fn the_default_base_url() {
    let report = report(&[("https://api.example.com", "https://api.example.com/v2")]);
    assert_change(
        &report,
        "DEFAULT_BASE_URL",
        Class::Major,
        "`https://api.example.com/v2`",
    );
}

#[test]
fn a_name_the_generator_numbers() {
    // A new component takes the name the inline type had: the inline type becomes
    // `ItemDimensions2`, and `ItemDimensions` names another type.
    let report = report(&[(
        "    order-meta:",
        "    item-dimensions:\n      type: object\n      properties: {depth: {type: integer}, unit: {type: string}}\n    sizes:\n      type: object\n      properties: {d: {$ref: '#/components/schemas/item-dimensions'}}\n    order-meta:",
    )]);
    assert_change(
        &report,
        "ItemDimensions",
        Class::Major,
        "renamed to `ItemDimensions2` (the generator numbers",
    );
}

#[test]
fn a_definition_and_its_alias_trading_places_is_no_change_of_shape() {
    // `order-meta`, a component, is the kept definition of its shape and `ItemMeta` its
    // alias; written inline, it no longer wins, and the shorter name is kept.
    let report = report(&[
        (
            "        meta: {$ref: '#/components/schemas/order-meta'}",
            "        meta: {type: object, properties: {note: {type: string}}}",
        ),
        (
            "    order-meta: {type: object, properties: {note: {type: string}}}\n",
            "",
        ),
    ]);
    let swaps: Vec<&Change> = report
        .changes
        .iter()
        .filter(|c| c.what.contains("alias"))
        .collect();
    assert_eq!(swaps.len(), 1, "{report}");
    assert_eq!(
        (swaps[0].class, swaps[0].item.as_str()),
        (Class::Patch, "OrderMeta")
    );
    assert!(swaps[0]
        .what
        .contains("now an alias of `ItemMeta`, which was its alias"));
    // What else changes is which features compile each name: an alias is compiled with the
    // operations that name it, a definition with all that reach it.
    assert!(
        report
            .changes
            .iter()
            .all(|c| c.class == Class::Patch || c.what.contains("compiled by feature")),
        "{report}"
    );
}

#[test]
fn the_surface_file_round_trips_and_refuses_other_formats() {
    let surface = surface(SHOP);
    let text = surface.to_json();
    assert_eq!(Surface::from_json(&text), Ok(surface));
    let other = text.replace("\"format\": 1,", "\"format\": 99,");
    let error = Surface::from_json(&other).unwrap_err();
    assert!(error.contains("format 99"), "{error}");
    assert!(Surface::from_json("{}").is_err());
}

/// A directory of its own under the system's temporary directory, removed when dropped.
struct TempDir(std::path::PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let path = std::env::temp_dir().join(format!("changes-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("create temp dir");
        TempDir(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn deny_breaking_refuses_a_breaking_regeneration_and_writes_the_report() {
    let dir = TempDir::new("deny-breaking");
    let spec = dir.0.join("shop.yaml");
    let out = dir.0.join("client");
    let report = dir.0.join("report.md");
    let job = xtask::Job {
        spec: spec.clone(),
        spec_name: "shop.yaml".to_owned(),
        out: out.clone(),
        crate_name: "shop".to_owned(),
        guide: None,
        profile: Some(Profile::Generic),
        deny_warnings: true,
        generator_command: "cargo xtask generate".to_owned(),
        crate_version: None,
        deny_breaking: true,
        report: Some(report.clone()),
    };
    std::fs::write(&spec, SHOP).unwrap();
    let first = xtask::generate(&job).unwrap_or_else(|f| panic!("{f}"));
    assert_eq!(first.changes, xtask::Changes::NoPrevious);
    let surface_before = std::fs::read_to_string(out.join("api-surface.json")).unwrap();

    // An addition passes and is written; the crate keeps its version.
    std::fs::write(
        &spec,
        SHOP.replace("enum: [book, game]", "enum: [book, game, film]"),
    )
    .unwrap();
    let added = xtask::generate(&job).unwrap_or_else(|f| panic!("{f}"));
    let xtask::Changes::Report(added) = added.changes else {
        panic!("a report")
    };
    assert_eq!(added.class(), Some(Class::Minor));
    assert!(std::fs::read_to_string(&report)
        .unwrap()
        .contains("`Kind::Film`"));
    let surface_after = std::fs::read_to_string(out.join("api-surface.json")).unwrap();
    assert_ne!(surface_before, surface_after);
    assert!(surface_after.contains("\"crate_version\": \"0.1.0\""));

    // A removal is refused: nothing written, the report says why.
    std::fs::write(&spec, SHOP.replace("enum: [book, game]", "enum: [book]")).unwrap();
    match xtask::generate(&job) {
        Err(xtask::Failure::Breaking(refused)) => assert!(refused.is_breaking()),
        other => panic!("refused as breaking, got {other:?}"),
    }
    assert_eq!(
        std::fs::read_to_string(out.join("api-surface.json")).unwrap(),
        surface_after,
        "nothing written"
    );
    let written = std::fs::read_to_string(&report).unwrap();
    assert!(written.contains("## Breaking (major)"), "{written}");
    assert!(written.contains("`0.2.0` after `0.1.0`"), "{written}");

    // With the version it calls for, and without --deny-breaking, it is written.
    let bumped = xtask::Job {
        crate_version: Some("0.2.0".to_owned()),
        deny_breaking: false,
        ..job.clone()
    };
    xtask::generate(&bumped).unwrap_or_else(|f| panic!("{f}"));
    let manifest = std::fs::read_to_string(out.join("Cargo.toml")).unwrap();
    assert!(manifest.contains("version = \"0.2.0\""), "{manifest}");

    // A surface nobody can read: --deny-breaking cannot establish what was offered.
    std::fs::write(out.join("api-surface.json"), "{\"format\": 0}").unwrap();
    match xtask::generate(&job) {
        Err(xtask::Failure::NoBaseline(_, why)) => assert!(why.contains("format 0"), "{why}"),
        other => panic!("refused for want of a baseline, got {other:?}"),
    }
}

#[test]
fn success_variants_alternatives_and_builder_methods() {
    let success = report(&[(
        "        '201': {description: created, content: {application/json: {schema: {$ref: '#/components/schemas/item'}}}}",
        "        '201': {description: created, content: {application/json: {schema: {$ref: '#/components/schemas/item'}}}}\n        '202': {description: queued, content: {application/json: {schema: {$ref: '#/components/schemas/order'}}}}",
    )]);
    assert_change(
        &success,
        "Client::create_item",
        Class::Major,
        "returns `CreateItemSuccess` (was `Item`)",
    );

    let scheme = report(&[(
        "components:\n  schemas:",
        "components:\n  securitySchemes:\n    key: {type: apiKey, in: header, name: X-Key}\n  schemas:",
    )]);
    assert_change(
        &scheme,
        "ClientBuilder::key",
        Class::Minor,
        "new builder method",
    );
}

#[test]
fn a_part_added_to_a_multipart_form_breaks_its_struct_literals() {
    let with_form = SHOP.replace(
        "  /orders/{id}:",
        "  /uploads:\n    post:\n      operationId: upload\n      tags: [items]\n      requestBody:\n        required: true\n        content:\n          multipart/form-data:\n            schema: {type: object, required: [file], properties: {file: {type: string, format: binary}}}\n      responses:\n        '204': {description: stored}\n  /orders/{id}:",
    );
    let with_note = with_form.replace(
        "required: [file], properties: {file: {type: string, format: binary}}",
        "required: [file], properties: {file: {type: string, format: binary}, note: {type: string}}",
    );
    let report = Report::new(&surface(&with_form), &surface(&with_note));
    assert_change(
        &report,
        "UploadForm.note",
        Class::Major,
        "new part `Option<String>`",
    );
}
