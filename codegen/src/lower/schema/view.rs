//! One view of a schema, whichever of `openapiv3`'s shapes it was parsed into.
//!
//! `openapiv3` reads a schema whose keywords fit one type exactly as `SchemaKind::Type`, and
//! anything else (properties without `type: object`, `type` next to `oneOf`, no type) as
//! `SchemaKind::Any`. Lowering asks the same questions of both, so it asks them of this.

use indexmap::IndexMap;
use openapiv3::{
    AdditionalProperties, IntegerFormat, NumberFormat, ReferenceOr, Schema, SchemaData, SchemaKind,
    StringFormat, Type, VariantOrUnknownOrEmpty,
};
use serde_json::Value;

/// The properties of an object schema, each a schema or a `$ref`.
pub type Properties = IndexMap<String, ReferenceOr<Box<Schema>>>;

pub struct View<'s> {
    pub data: &'s SchemaData,
    /// `string`, `integer`, `number`, `boolean`, `array` or `object`.
    pub typ: Option<&'s str>,
    pub format: Option<&'s str>,
    /// The values listed in `enum`, `null` included.
    pub enumeration: Vec<Value>,
    pub properties: Option<&'s Properties>,
    pub required: &'s [String],
    pub additional: Option<&'s AdditionalProperties>,
    pub items: Option<&'s ReferenceOr<Box<Schema>>>,
    pub all_of: &'s [ReferenceOr<Schema>],
    pub one_of: &'s [ReferenceOr<Schema>],
    pub any_of: &'s [ReferenceOr<Schema>],
    pub not: bool,
}

impl<'s> View<'s> {
    pub fn of(schema: &'s Schema) -> View<'s> {
        let mut view = View {
            data: &schema.schema_data,
            typ: None,
            format: None,
            enumeration: Vec::new(),
            properties: None,
            required: &[],
            additional: None,
            items: None,
            all_of: &[],
            one_of: &[],
            any_of: &[],
            not: false,
        };
        let values = |items: Vec<Option<Value>>| -> Vec<Value> {
            items
                .into_iter()
                .map(|v| v.unwrap_or(Value::Null))
                .collect()
        };
        match &schema.schema_kind {
            SchemaKind::Type(Type::String(string)) => {
                view.typ = Some("string");
                view.format = variant_format(&string.format, |f| match f {
                    StringFormat::Date => "date",
                    StringFormat::DateTime => "date-time",
                    StringFormat::Password => "password",
                    StringFormat::Byte => "byte",
                    StringFormat::Binary => "binary",
                });
                view.enumeration = values(
                    string
                        .enumeration
                        .iter()
                        .map(|v| v.clone().map(Value::String))
                        .collect(),
                );
            }
            SchemaKind::Type(Type::Integer(integer)) => {
                view.typ = Some("integer");
                view.format = variant_format(&integer.format, |f| match f {
                    IntegerFormat::Int32 => "int32",
                    IntegerFormat::Int64 => "int64",
                });
                view.enumeration = values(
                    integer
                        .enumeration
                        .iter()
                        .map(|v| v.map(Value::from))
                        .collect(),
                );
            }
            SchemaKind::Type(Type::Number(number)) => {
                view.typ = Some("number");
                view.format = variant_format(&number.format, |f| match f {
                    NumberFormat::Float => "float",
                    NumberFormat::Double => "double",
                });
                view.enumeration = values(
                    number
                        .enumeration
                        .iter()
                        .map(|v| v.map(Value::from))
                        .collect(),
                );
            }
            SchemaKind::Type(Type::Boolean(boolean)) => {
                view.typ = Some("boolean");
                view.enumeration = values(
                    boolean
                        .enumeration
                        .iter()
                        .map(|v| v.map(Value::Bool))
                        .collect(),
                );
            }
            SchemaKind::Type(Type::Array(array)) => {
                view.typ = Some("array");
                view.items = array.items.as_ref();
            }
            SchemaKind::Type(Type::Object(object)) => {
                view.typ = Some("object");
                view.properties = Some(&object.properties);
                view.required = &object.required;
                view.additional = object.additional_properties.as_ref();
            }
            SchemaKind::OneOf { one_of } => view.one_of = one_of,
            SchemaKind::AnyOf { any_of } => view.any_of = any_of,
            SchemaKind::AllOf { all_of } => view.all_of = all_of,
            SchemaKind::Not { .. } => view.not = true,
            SchemaKind::Any(any) => {
                view.typ = any.typ.as_deref();
                view.format = any.format.as_deref();
                view.enumeration = any.enumeration.clone();
                view.properties = Some(&any.properties);
                view.required = &any.required;
                view.additional = any.additional_properties.as_ref();
                view.items = any.items.as_ref();
                view.all_of = &any.all_of;
                view.one_of = &any.one_of;
                view.any_of = &any.any_of;
                view.not = any.not.is_some();
            }
        }
        view
    }

    pub fn has_properties(&self) -> bool {
        self.properties.is_some_and(|p| !p.is_empty())
    }

    /// Says nothing about the type of a value: no type, properties, items, values, parts
    /// or negation (a description, a default, a `required` list, `readOnly`...).
    pub fn is_annotation_only(&self) -> bool {
        self.typ.is_none()
            && !self.has_properties()
            && self.items.is_none()
            && self.enumeration.iter().all(Value::is_null)
            && self.additional.is_none()
            && self.all_of.is_empty()
            && self.one_of.iter().all(is_annotation_only)
            && self.any_of.iter().all(is_annotation_only)
            && !self.not
    }

    /// Whether `null` is a value: `nullable`, or `null` among the listed values.
    pub fn admits_null(&self) -> bool {
        self.data.nullable || self.enumeration.iter().any(Value::is_null)
    }
}

/// An inline schema that only annotates or constrains (`{required: [a]}`, `{description}`):
/// as an `allOf` part or a `oneOf` alternative, it adds no type.
pub fn is_annotation_only(schema: &ReferenceOr<Schema>) -> bool {
    match schema {
        ReferenceOr::Item(schema) => View::of(schema).is_annotation_only(),
        ReferenceOr::Reference { .. } => false,
    }
}

fn variant_format<T>(
    format: &VariantOrUnknownOrEmpty<T>,
    name: impl Fn(&T) -> &'static str,
) -> Option<&str> {
    match format {
        VariantOrUnknownOrEmpty::Item(item) => Some(name(item)),
        VariantOrUnknownOrEmpty::Unknown(other) => Some(other.as_str()),
        VariantOrUnknownOrEmpty::Empty => None,
    }
}
