//! Which operations reach which types.

use super::types::Types;
use super::*;

/// Which operations reach which types, in one surface.
pub(super) struct Reach<'a> {
    /// Type -> the types and operations (by index) that mention it.
    referrers: HashMap<&'a str, Vec<Referrer<'a>>>,
    surface: &'a Surface,
}

#[derive(Clone, Copy)]
pub(super) enum Referrer<'a> {
    Type(&'a str),
    Operation(usize),
}

impl<'a> Reach<'a> {
    pub(super) fn of(surface: &'a Surface, types: &Types<'a>) -> Reach<'a> {
        let mut referrers: HashMap<&'a str, Vec<Referrer<'a>>> = HashMap::new();
        let mut mention = |text: &'a str, by: Referrer<'a>| {
            for word in text.split(|c: char| !(c.is_alphanumeric() || c == '_')) {
                if let Some((name, _)) = types.by_name.get_key_value(word) {
                    referrers.entry(name).or_default().push(by);
                }
            }
        };
        for def in &surface.types {
            let by = Referrer::Type(def.name.as_str());
            match &def.shape {
                Shape::Struct {
                    fields,
                    additional_properties,
                    ..
                } => {
                    fields.iter().for_each(|f| mention(&f.ty, by));
                    additional_properties.iter().for_each(|t| mention(t, by));
                }
                Shape::OneOf { variants, .. } => {
                    variants
                        .iter()
                        .flat_map(|v| &v.ty)
                        .for_each(|t| mention(t, by));
                }
                Shape::Alias { target } => mention(target, by),
                Shape::Enum { .. } => {}
            }
        }
        for (index, op) in surface.operations.iter().enumerate() {
            let by = Referrer::Operation(index);
            op.arguments.iter().for_each(|a| mention(&a.ty, by));
            op.optional
                .iter()
                .chain(&op.form)
                .flat_map(|p| &p.fields)
                .for_each(|a| mention(&a.ty, by));
            mention(&op.returns, by);
            op.successes
                .iter()
                .flat_map(|s| &s.variants)
                .flat_map(|v| &v.ty)
                .for_each(|t| mention(t, by));
            op.stream.iter().for_each(|s| mention(&s.item, by));
        }
        Reach { referrers, surface }
    }

    /// The methods of the operations that reach `type_name`, directly or through other types.
    pub(super) fn operations_reaching(&self, type_name: &str) -> Vec<String> {
        let mut seen: BTreeSet<&str> = BTreeSet::new();
        let mut operations: BTreeSet<usize> = BTreeSet::new();
        let mut stack: Vec<&str> = vec![type_name];
        while let Some(name) = stack.pop() {
            if !seen.insert(name) {
                continue;
            }
            for referrer in self.referrers.get(name).into_iter().flatten() {
                match *referrer {
                    Referrer::Type(t) => stack.push(t),
                    Referrer::Operation(i) => {
                        operations.insert(i);
                    }
                }
            }
        }
        operations
            .into_iter()
            .map(|i| self.surface.operations[i].method.clone())
            .collect()
    }
}
