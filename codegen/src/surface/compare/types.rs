//! Model types, through the aliases `dedup` leaves.

use super::*;

use super::operations::cases;
use super::reach::Reach;

/// Model types, through aliases; `written` are the surfaces before their type expressions
/// were resolved, which say which operations name which alias.
pub(super) fn types(
    previous: &Surface,
    current: &Surface,
    written: (&Surface, &Surface),
    found: &mut Found,
) {
    let old = Types::of(previous);
    let new = Types::of(current);
    // (first change, type name, whether it is named in the previous surface) per changed type.
    let mut changed: Vec<(usize, String, bool)> = Vec::new();
    let pairs = pair(&previous.types, &current.types, |t| &t.name, |t| &t.pointer);
    for pairing in pairs {
        let start = found.changes.len();
        let mut before = false;
        let name = match pairing {
            Pairing::Added(def, reused) => {
                match reused {
                    Some(was) => found.add(
                        Class::Major,
                        &def.name,
                        &def.pointer,
                        format!(
                            "now names a new {}; the type it named is `{was}`",
                            kind(&def.shape)
                        ),
                    ),
                    None => found.add(
                        Class::Minor,
                        &def.name,
                        &def.pointer,
                        format!("new {}", kind(&def.shape)),
                    ),
                }
                &def.name
            }
            Pairing::Removed(def) => {
                found.add(
                    Class::Major,
                    &def.name,
                    &def.pointer,
                    format!("{} removed", kind(&def.shape)),
                );
                before = true;
                &def.name
            }
            Pairing::Kept(was, now) => {
                if was.name != now.name {
                    found.add(
                        Class::Major,
                        &was.name,
                        &now.pointer,
                        format!(
                            "renamed to `{}`{}",
                            now.name,
                            numbering_note(&was.name, &now.name)
                        ),
                    );
                }
                type_change(&was.name, &now.name, &old, &new, found);
                &now.name
            }
        };
        if found.changes.len() > start {
            changed.push((start, name.clone(), before));
        }
    }
    if changed.is_empty() {
        return;
    }
    // Each change to a type names the operations that reach it.
    let reach_now = Reach::of(written.1, &Types::of(written.1));
    let reach_before = Reach::of(written.0, &Types::of(written.0));
    let ends: Vec<usize> = changed
        .iter()
        .skip(1)
        .map(|(start, _, _)| *start)
        .chain([found.changes.len()])
        .collect();
    for ((start, name, before), end) in changed.into_iter().zip(ends) {
        let reach = if before { &reach_before } else { &reach_now };
        let operations = reach.operations_reaching(&name);
        for change in &mut found.changes[start..end] {
            change.operations = operations.clone();
        }
    }
}

/// The types of a surface by name, with their aliases resolved.
pub(super) struct Types<'a> {
    pub(super) by_name: BTreeMap<&'a str, &'a TypeItem>,
}

impl<'a> Types<'a> {
    pub(super) fn of(surface: &'a Surface) -> Types<'a> {
        Types {
            by_name: surface.types.iter().map(|t| (t.name.as_str(), t)).collect(),
        }
    }

    /// The type an alias chain starting at `name` ends at (`name` itself when it is a
    /// definition); bounded by the number of types, so a cycle cannot hang it.
    pub(super) fn resolve(&self, name: &str) -> Option<&'a TypeItem> {
        let mut def = *self.by_name.get(name)?;
        for _ in 0..self.by_name.len() {
            match &def.shape {
                Shape::Alias { target } => match self.by_name.get(target.as_str()) {
                    Some(next) => def = next,
                    None => return Some(def),
                },
                _ => return Some(def),
            }
        }
        Some(def)
    }

    /// The type `name` is an alias of, when it is an alias of a named type.
    pub(super) fn alias_of(&self, name: &str) -> Option<&'a str> {
        match &self.by_name.get(name)?.shape {
            Shape::Alias { target } if self.by_name.contains_key(target.as_str()) => {
                Some(self.resolve(target)?.name.as_str())
            }
            _ => None,
        }
    }
}

/// The changes to the type `was_name` of the previous surface, `now_name` in the current.
pub(super) fn type_change(
    was_name: &str,
    now_name: &str,
    old: &Types,
    new: &Types,
    found: &mut Found,
) {
    let (was, now) = (old.by_name[was_name], new.by_name[now_name]);
    let at = now.pointer.as_str();
    gate(now_name, at, &was.gate, &now.gate, found);
    let was_alias = old.alias_of(was_name);
    let now_alias = new.alias_of(now_name);
    match (was_alias, now_alias) {
        (None, Some(target)) => {
            // The definition `target` was an alias of this one: the two traded places.
            if old.alias_of(target) == Some(was_name) {
                found.add(
                    Class::Patch,
                    now_name,
                    at,
                    format!(
                        "now an alias of `{target}`, which was its alias: both names still \
                         name the one type"
                    ),
                );
            } else {
                found.add(
                    Class::PossiblyBreaking,
                    now_name,
                    at,
                    format!(
                        "now an alias of `{target}`, a type of the same shape: the two are one \
                         type, so implementations of your own traits for both conflict"
                    ),
                );
                if let (Some(a), Some(b)) = (old.resolve(was_name), new.resolve(now_name)) {
                    shape(now_name, at, &a.shape, &b.shape, found);
                }
            }
            return;
        }
        (Some(target), None) => {
            if new.alias_of(target) != Some(now_name) {
                found.add(
                    Class::Major,
                    now_name,
                    at,
                    format!(
                        "no longer an alias of `{target}`: a value of one is no longer a \
                         value of the other"
                    ),
                );
            }
        }
        (Some(a), Some(b)) => {
            // Its shape is its target's, whose changes are reported there.
            if a != b && old.alias_of(b) != Some(a) && new.alias_of(a) != Some(b) {
                found.add(
                    Class::Major,
                    now_name,
                    at,
                    format!("now an alias of `{b}` (was of `{a}`)"),
                );
            }
            return;
        }
        (None, None) => {}
    }
    let Some(before) = old.resolve(was_name) else {
        return;
    };
    shape(now_name, at, &before.shape, &now.shape, found);
}

pub(super) fn kind(shape: &Shape) -> &'static str {
    match shape {
        Shape::Struct { .. } => "struct",
        Shape::Enum { .. } => "enum",
        Shape::OneOf { .. } => "enum (one of several types)",
        Shape::Alias { .. } => "type alias",
    }
}

pub(super) fn shape(name: &str, at: &str, was: &Shape, now: &Shape, found: &mut Found) {
    match (was, now) {
        (
            Shape::Struct {
                non_exhaustive: was_ne,
                constructor: was_new,
                fields: was_fields,
                additional_properties: was_more,
            },
            Shape::Struct {
                non_exhaustive: now_ne,
                constructor: now_new,
                fields: now_fields,
                additional_properties: now_more,
            },
        ) => {
            non_exhaustive(name, at, "struct", *was_ne, *now_ne, found);
            let item = format!("{name}::new");
            match (was_new, now_new) {
                (None, Some(args)) => found.add(
                    Class::Minor,
                    item,
                    at,
                    format!("new constructor `new({})`", args.join(", ")),
                ),
                (Some(_), None) => found.add(Class::Major, item, at, "constructor removed"),
                (Some(a), Some(b)) if a != b => found.add(
                    Class::Major,
                    item,
                    at,
                    format!("takes ({}) (was ({}))", b.join(", "), a.join(", ")),
                ),
                _ => {}
            }
            fields(name, at, was_fields, now_fields, *was_ne, found);
            let item = format!("{name}.additional_properties");
            match (was_more, now_more) {
                (None, Some(ty)) => found.add(
                    addition(*was_ne),
                    item,
                    at,
                    format!("new field keeping the keys beyond the listed ones, as `{ty}`"),
                ),
                (Some(_), None) => found.add(Class::Major, item, at, "field removed"),
                (Some(a), Some(b)) if a != b => found.add(
                    Class::Major,
                    item,
                    at,
                    format!("holds `{b}` values (was `{a}`)"),
                ),
                _ => {}
            }
        }
        (
            Shape::Enum {
                non_exhaustive: was_ne,
                variants: was_variants,
                catch_all: was_catch,
            },
            Shape::Enum {
                non_exhaustive: now_ne,
                variants: now_variants,
                catch_all: now_catch,
            },
        ) => {
            non_exhaustive(name, at, "enum", *was_ne, *now_ne, found);
            if was_catch != now_catch {
                found.add(
                    Class::Major,
                    format!("{name}::{was_catch}"),
                    at,
                    format!("the catch-all variant is renamed to `{now_catch}`"),
                );
            }
            variants(
                name,
                at,
                was_variants,
                now_variants,
                *was_ne,
                now_catch,
                found,
            );
        }
        (
            Shape::OneOf {
                non_exhaustive: was_ne,
                variants: was_variants,
                catch_all: was_catch,
            },
            Shape::OneOf {
                non_exhaustive: now_ne,
                variants: now_variants,
                catch_all: now_catch,
            },
        ) => {
            non_exhaustive(name, at, "enum", *was_ne, *now_ne, found);
            cases(name, at, was_variants, now_variants, *was_ne, found);
            match (was_catch, now_catch) {
                (None, Some(c)) => found.add(
                    addition(*was_ne),
                    format!("{name}::{c}"),
                    at,
                    "new variant keeping discriminator values the description does not list",
                ),
                (Some(c), None) => {
                    found.add(Class::Major, format!("{name}::{c}"), at, "variant removed")
                }
                (Some(a), Some(b)) if a != b => found.add(
                    Class::Major,
                    format!("{name}::{a}"),
                    at,
                    format!("renamed to `{b}`"),
                ),
                _ => {}
            }
        }
        (Shape::Alias { target: a }, Shape::Alias { target: b }) => {
            if a != b {
                found.add(Class::Major, name, at, format!("now `{b}` (was `{a}`)"));
            }
        }
        _ => found.add(
            Class::Major,
            name,
            at,
            format!("now a {} (was a {})", kind(now), kind(was)),
        ),
    }
}

pub(super) fn fields(
    type_name: &str,
    at: &str,
    was: &[FieldItem],
    now: &[FieldItem],
    was_non_exhaustive: bool,
    found: &mut Found,
) {
    let index = |fields: &[FieldItem]| -> BTreeMap<String, FieldItem> {
        fields.iter().map(|f| (f.name.clone(), f.clone())).collect()
    };
    for (name, change) in keyed_diff(&index(was), &index(now)) {
        let item = format!("{type_name}.{name}");
        match change {
            Diff::Added(f) => {
                let presence = if f.required { "required" } else { "optional" };
                let setter = f
                    .setter
                    .as_deref()
                    .map(|s| format!(", set with `{type_name}::{s}`"))
                    .unwrap_or_default();
                found.add(
                    addition(was_non_exhaustive),
                    item,
                    at,
                    format!("new {presence} field `{}`{setter}", f.ty),
                );
            }
            Diff::Removed(f) => {
                found.add(Class::Major, item, at, format!("field `{}` removed", f.ty))
            }
            Diff::Changed(a, b) => {
                if a.ty != b.ty {
                    found.add(
                        Class::Major,
                        &item,
                        at,
                        format!(
                            "is `{}` (was `{}`){}",
                            b.ty,
                            a.ty,
                            option_note(&a.ty, &b.ty)
                        ),
                    );
                } else if a.required != b.required {
                    let what = if b.required {
                        "now required (always present; the type allows null, so it stays an `Option`)"
                    } else {
                        "no longer required (the type allows null, so it stays an `Option`)"
                    };
                    found.add(Class::Minor, &item, at, what);
                }
                if a.wire != b.wire {
                    found.add(
                        Class::PossiblyBreaking,
                        &item,
                        at,
                        format!(
                            "reads and writes the key `{}` (was `{}`)",
                            b.wire.as_deref().unwrap_or(&b.name),
                            a.wire.as_deref().unwrap_or(&a.name)
                        ),
                    );
                }
                let setter = format!(
                    "{type_name}::{}",
                    b.setter.as_deref().or(a.setter.as_deref()).unwrap_or(&name)
                );
                match (&a.setter, &b.setter) {
                    (None, Some(_)) => found.add(Class::Minor, setter, at, "new setter"),
                    (Some(_), None) => found.add(Class::Major, setter, at, "setter removed"),
                    (Some(x), Some(y)) if x != y => found.add(
                        Class::Major,
                        format!("{type_name}::{x}"),
                        at,
                        format!("setter renamed to `{y}`"),
                    ),
                    _ => {}
                }
            }
        }
    }
}

pub(super) fn variants(
    type_name: &str,
    at: &str,
    was: &[EnumVariant],
    now: &[EnumVariant],
    was_non_exhaustive: bool,
    catch_all: &str,
    found: &mut Found,
) {
    let by_value = |variants: &[EnumVariant]| -> BTreeMap<String, String> {
        variants
            .iter()
            .map(|v| (v.value.clone(), v.name.clone()))
            .collect()
    };
    for (value, change) in keyed_diff(&by_value(was), &by_value(now)) {
        match change {
            Diff::Added(variant) => found.add(
                addition(was_non_exhaustive),
                format!("{type_name}::{variant}"),
                at,
                format!(
                    "new variant for `{value}`: that value, which arrived as \
                     `{catch_all}(\"{value}\")`, now arrives as `{variant}`"
                ),
            ),
            Diff::Removed(variant) => found.add(
                Class::Major,
                format!("{type_name}::{variant}"),
                at,
                format!("variant removed: `{value}` now arrives as `{catch_all}(\"{value}\")`"),
            ),
            Diff::Changed(a, b) => found.add(
                Class::Major,
                format!("{type_name}::{a}"),
                at,
                format!(
                    "renamed to `{b}` (the value `{value}`){}",
                    numbering_note(&a, &b)
                ),
            ),
        }
    }
}
