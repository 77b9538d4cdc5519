//! Type expressions written through the definitions of the current crate.

use super::*;

use super::types::Types;

/// Each type name of `surface` -> the definition it names (itself, or the end of its alias
/// chain).
pub(super) fn resolution(surface: &Surface) -> HashMap<String, String> {
    let types = Types::of(surface);
    surface
        .types
        .iter()
        .filter_map(|t| Some((t.name.clone(), types.resolve(&t.name)?.name.clone())))
        .filter(|(name, definition)| name != definition)
        .collect()
}

/// `surface` with every type expression (fields, arguments, returns, variants) written with
/// the definitions `resolution` maps names to; names of items and alias targets as they are.
pub(super) fn canonical(surface: &Surface, resolution: &HashMap<String, String>) -> Surface {
    if resolution.is_empty() {
        return surface.clone();
    }
    let ty = |text: &mut String| {
        let mut out = String::with_capacity(text.len());
        let mut word = String::new();
        for c in text.chars().chain(std::iter::once(' ')) {
            if c.is_alphanumeric() || c == '_' {
                word.push(c);
                continue;
            }
            out.push_str(resolution.get(&word).unwrap_or(&word));
            word.clear();
            out.push(c);
        }
        out.pop();
        *text = out;
    };
    let mut surface = surface.clone();
    for op in &mut surface.operations {
        op.arguments.iter_mut().for_each(|a| ty(&mut a.ty));
        for params in op.optional.iter_mut().chain(&mut op.form) {
            params.fields.iter_mut().for_each(|a| ty(&mut a.ty));
        }
        ty(&mut op.returns);
        if let Some(successes) = &mut op.successes {
            successes
                .variants
                .iter_mut()
                .flat_map(|v| &mut v.ty)
                .for_each(ty);
        }
        if let Some(stream) = &mut op.stream {
            ty(&mut stream.item);
        }
    }
    for def in &mut surface.types {
        match &mut def.shape {
            Shape::Struct {
                fields,
                additional_properties,
                ..
            } => {
                fields.iter_mut().for_each(|f| ty(&mut f.ty));
                additional_properties.iter_mut().for_each(ty);
            }
            Shape::OneOf { variants, .. } => {
                variants.iter_mut().flat_map(|v| &mut v.ty).for_each(ty);
            }
            Shape::Enum { .. } | Shape::Alias { .. } => {}
        }
    }
    for params in &mut surface.extension_params {
        params.fields.iter_mut().for_each(|a| ty(&mut a.ty));
    }
    for method in &mut surface.extension_methods {
        method.arguments.iter_mut().for_each(|a| ty(&mut a.ty));
        ty(&mut method.returns);
    }
    surface
}
