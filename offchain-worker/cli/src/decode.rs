//! Chain records as people read them. A storage value is decoded with its type from the
//! chain's metadata, and each field is shown by what its type says it is: accounts in SS58,
//! balances in STU, blocks with how far they are from now, CIDs in base32, prompts and names as
//! text, per-million shares as percentages, statuses by name. The same fields go to `--json`,
//! machine-readable (a balance also in planck, a block also as its number).

use scale_info::{form::PortableForm, PortableRegistry, TypeDef, TypeDefPrimitive};
use serde_json::{json, Map, Value as Json};
use subxt::ext::scale_value::{self, Composite, Primitive, ValueDef};

use crate::{decimal, units};

type Value = scale_value::Value<u32>;

/// A field, read.
#[derive(Debug, Clone, PartialEq)]
pub enum Field {
	/// A plain number.
	Number(u128),
	/// An amount of the native token, in planck.
	Balance(u128),
	/// A block number.
	Block(u64),
	/// A moment, in milliseconds since the Unix epoch.
	Time(u64),
	/// A share: parts of `of`.
	Share(u64, u64),
	/// An account, in SS58.
	Account(String),
	/// A CID, in its text form.
	Cid(String),
	/// UTF-8 text.
	Text(String),
	/// Bytes that are not text: a hash, a signature.
	Hex(String),
	/// A yes or no.
	Bool(bool),
	/// Nothing (an `Option` that is `None`).
	Nothing,
	/// A sequence.
	List(Vec<Field>),
	/// Named fields.
	Record(Vec<(String, Field)>),
	/// An enum's variant: its name and, unless it has none, its fields.
	Variant(String, Option<Box<Field>>),
}

/// What a field's declared type says it holds.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Hint {
	Balance,
	Block,
	Time,
	Account,
	Cid,
	Hash,
	None,
}

impl Hint {
	/// From a field's type name in the metadata (`BalanceOf<T>`, `BlockNumberFor<T>`, `CidBytes`,
	/// `BoundedVec<CidBytes, T::MaxParents>`, `T::AccountId`, `Sha256` …).
	fn of(type_name: Option<&str>) -> Hint {
		let Some(name) = type_name else { return Hint::None };
		if name.contains("AccountId") {
			Hint::Account
		} else if name.contains("Balance") {
			Hint::Balance
		} else if name.contains("BlockNumber") {
			Hint::Block
		} else if name.contains("Cid") {
			Hint::Cid
		} else if name.contains("Sha256") || name.contains("Hash") || name.starts_with("[u8; 32]") {
			Hint::Hash
		} else {
			Hint::None
		}
	}
}

/// Reads records against the chain's types, with blocks shown relative to `now`.
pub struct Reader<'a> {
	types: &'a PortableRegistry,
	now: u64,
	block_ms: u64,
}

impl<'a> Reader<'a> {
	/// A reader of records of the chain whose types are `types`, at block `now`, whose blocks
	/// come every `block_ms` milliseconds.
	pub fn new(types: &'a PortableRegistry, now: u64, block_ms: u64) -> Self {
		Reader { types, now, block_ms }
	}

	/// Decodes `bytes` as the type `type_id` and reads it.
	pub fn read_bytes(&self, bytes: &[u8], type_id: u32) -> anyhow::Result<Field> {
		let value = scale_value::scale::decode_as_type(&mut &*bytes, type_id, self.types)?;
		Ok(self.read(&value, Hint::None))
	}

	fn read(&self, value: &Value, hint: Hint) -> Field {
		let Some(ty) = self.types.resolve(value.context) else { return Field::Text(value.to_string()) };
		match ty.path.segments.last().map(String::as_str) {
			Some("AccountId32") => return bytes_of(value).map_or(Field::Nothing, |bytes| read_bytes(bytes, Hint::Account)),
			Some("Permill") => return Field::Share(first_number(value) as u64, 1_000_000),
			Some("Perbill") => return Field::Share(first_number(value) as u64, 1_000_000_000),
			Some("Option") => {
				return match &value.value {
					ValueDef::Variant(variant) if variant.name == "Some" =>
						variant.values.values().next().map_or(Field::Nothing, |inner| self.read(inner, hint)),
					_ => Field::Nothing,
				}
			},
			_ => {},
		}
		if self.is_bytes(&ty.type_def) {
			return bytes_of(value).map_or(Field::Nothing, |bytes| read_bytes(bytes, hint));
		}
		match &value.value {
			ValueDef::Primitive(primitive) => self.read_primitive(primitive, hint),
			ValueDef::Composite(Composite::Named(fields)) => {
				let names = field_types(&ty.type_def, None);
				Field::Record(
					fields.iter().map(|(name, v)| (name.clone(), self.read(v, hint_for(&names, Some(name), hint)))).collect(),
				)
			},
			ValueDef::Composite(Composite::Unnamed(items)) => {
				let names = field_types(&ty.type_def, None);
				// A newtype (`BoundedVec(Vec<T>)`, a wrapper struct) reads as what it wraps.
				if items.len() == 1 && matches!(ty.type_def, TypeDef::Composite(_)) {
					return self.read(&items[0], hint_for(&names, None, hint));
				}
				Field::List(items.iter().map(|v| self.read(v, hint_for(&names, None, hint))).collect())
			},
			ValueDef::Variant(variant) => {
				let names = field_types(&ty.type_def, Some(&variant.name));
				let fields = match &variant.values {
					Composite::Named(fields) if !fields.is_empty() => Some(Field::Record(
						fields.iter().map(|(name, v)| (name.clone(), self.read(v, hint_for(&names, Some(name), hint)))).collect(),
					)),
					Composite::Unnamed(items) if items.len() == 1 => Some(self.read(&items[0], hint_for(&names, None, hint))),
					Composite::Unnamed(items) if !items.is_empty() =>
						Some(Field::List(items.iter().map(|v| self.read(v, hint_for(&names, None, hint))).collect())),
					_ => None,
				};
				Field::Variant(variant.name.clone(), fields.map(Box::new))
			},
			ValueDef::BitSequence(bits) => Field::Text(format!("{bits:?}")),
		}
	}

	fn read_primitive(&self, primitive: &Primitive, hint: Hint) -> Field {
		match primitive {
			Primitive::Bool(b) => Field::Bool(*b),
			Primitive::String(s) => Field::Text(s.clone()),
			Primitive::U128(n) => match hint {
				Hint::Balance => Field::Balance(*n),
				Hint::Block => Field::Block(*n as u64),
				Hint::Time => Field::Time(*n as u64),
				_ => Field::Number(*n),
			},
			other => Field::Text(other.to_string()),
		}
	}

	/// Whether a type is a byte string: a sequence or array of `u8`.
	fn is_bytes(&self, def: &TypeDef<PortableForm>) -> bool {
		let element = match def {
			TypeDef::Sequence(s) => s.type_param.id,
			TypeDef::Array(a) => a.type_param.id,
			_ => return false,
		};
		matches!(self.types.resolve(element).map(|t| &t.type_def), Some(TypeDef::Primitive(TypeDefPrimitive::U8)))
	}

	/// A block number with where it stands from now: "#120 (in 20 blocks, ~1 min)".
	pub fn block_text(&self, block: u64) -> String {
		let (distance, later) = (block.abs_diff(self.now), block >= self.now);
		if distance == 0 {
			return format!("#{block} (now)")
		}
		let time = duration_text(distance * self.block_ms / 1000);
		if later {
			format!("#{block} (in {distance} blocks, ~{time})")
		} else {
			format!("#{block} ({distance} blocks ago, ~{time})")
		}
	}

	/// The field as JSON: balances as `{"STU": "12.5", "planck": "12500000000000"}`, blocks as
	/// `{"block": 120, "from_now": 20}`, shares as `{"percent": 7.46}`, variants as their name
	/// or `{"Name": fields}`.
	pub fn json(&self, field: &Field) -> Json {
		match field {
			Field::Number(n) => json!(n),
			Field::Balance(planck) => json!({ "STU": decimal(*planck), "planck": planck.to_string() }),
			Field::Block(block) => json!({ "block": block, "from_now": *block as i64 - self.now as i64 }),
			Field::Time(ms) => json!(utc_text(*ms)),
			Field::Share(parts, of) => json!({ "percent": *parts as f64 * 100.0 / *of as f64 }),
			Field::Account(s) | Field::Cid(s) | Field::Text(s) | Field::Hex(s) => json!(s),
			Field::Bool(b) => json!(b),
			Field::Nothing => Json::Null,
			Field::List(items) => Json::Array(items.iter().map(|item| self.json(item)).collect()),
			Field::Record(fields) =>
				Json::Object(fields.iter().map(|(name, field)| (name.clone(), self.json(field))).collect::<Map<_, _>>()),
			Field::Variant(name, None) => json!(name),
			Field::Variant(name, Some(fields)) => json!({ name.clone(): self.json(fields) }),
		}
	}

	/// The field as indented `name: value` lines under `name`.
	pub fn text(&self, name: &str, field: &Field) -> String {
		let mut out = String::new();
		self.write(&mut out, name, field, 0);
		out
	}

	fn write(&self, out: &mut String, name: &str, field: &Field, indent: usize) {
		let pad = "  ".repeat(indent);
		match field {
			Field::Record(fields) => {
				out.push_str(&format!("{pad}{name}:\n"));
				for (child, value) in fields {
					self.write(out, child, value, indent + 1);
				}
			},
			Field::Variant(variant, Some(fields)) => match fields.as_ref() {
				Field::Record(children) => {
					out.push_str(&format!("{pad}{name}: {variant}\n"));
					for (child, value) in children {
						self.write(out, child, value, indent + 1);
					}
				},
				inner => match self.inline(inner) {
					Some(text) => out.push_str(&format!("{pad}{name}: {variant} {text}\n")),
					None => {
						out.push_str(&format!("{pad}{name}: {variant}\n"));
						self.write(out, "", inner, indent + 1);
					},
				},
			},
			Field::List(items) => match items.iter().map(|item| self.inline(item)).collect::<Option<Vec<String>>>() {
				Some(shown) => out.push_str(&format!("{pad}{name}: [{}]\n", shown.join(", "))),
				None => {
					out.push_str(&format!("{pad}{name}:\n"));
					for (index, item) in items.iter().enumerate() {
						self.write(out, &format!("- {index}"), item, indent + 1);
					}
				},
			},
			scalar => out.push_str(&format!("{pad}{name}: {}\n", self.inline(scalar).unwrap_or_default())),
		}
	}

	/// A field that fits on one line, as text; `None` for records, lists of records and the like.
	fn inline(&self, field: &Field) -> Option<String> {
		Some(match field {
			Field::Number(n) => n.to_string(),
			Field::Balance(planck) => units(*planck),
			Field::Block(block) => self.block_text(*block),
			Field::Time(ms) => utc_text(*ms),
			Field::Share(parts, of) => format!("{:.4} %", *parts as f64 * 100.0 / *of as f64),
			Field::Account(s) | Field::Cid(s) | Field::Hex(s) => s.clone(),
			Field::Text(s) => format!("{s:?}"),
			Field::Bool(b) => if *b { "yes" } else { "no" }.into(),
			Field::Nothing => "none".into(),
			Field::Variant(name, None) => name.clone(),
			Field::Variant(name, Some(inner)) => format!("{name} {}", self.inline(inner)?),
			Field::List(items) if items.is_empty() => "[]".into(),
			Field::List(_) | Field::Record(_) => return None,
		})
	}
}

/// The declared fields (name, type name) of a composite, or of `variant` of an enum.
fn field_types(def: &TypeDef<PortableForm>, variant: Option<&str>) -> Vec<(Option<String>, Option<String>)> {
	let fields = match (def, variant) {
		(TypeDef::Composite(c), _) => &c.fields,
		(TypeDef::Variant(v), Some(name)) => match v.variants.iter().find(|x| x.name == name) {
			Some(found) => &found.fields,
			None => return Vec::new(),
		},
		_ => return Vec::new(),
	};
	fields.iter().map(|f| (f.name.clone(), f.type_name.clone())).collect()
}

/// The hint for a field `name` (or the only unnamed one), else the enclosing one.
fn hint_for(fields: &[(Option<String>, Option<String>)], name: Option<&str>, outer: Hint) -> Hint {
	// The runtime's moments are milliseconds, named so (`recorded_at_ms`).
	if name.is_some_and(|name| name.ends_with("_ms")) {
		return Hint::Time
	}
	let declared = match name {
		Some(name) => fields.iter().find(|(n, _)| n.as_deref() == Some(name)),
		None => fields.first(),
	};
	match declared.map(|(_, type_name)| Hint::of(type_name.as_deref())) {
		Some(Hint::None) | None => outer,
		Some(hint) => hint,
	}
}

/// The bytes of a byte string (or of the one byte string a newtype wraps).
fn bytes_of(value: &Value) -> Option<Vec<u8>> {
	match &value.value {
		ValueDef::Composite(composite) => {
			let items: Vec<&Value> = composite.values().collect();
			if items.len() == 1 {
				if let ValueDef::Composite(_) = items[0].value {
					return bytes_of(items[0])
				}
			}
			items.iter().map(|v| v.as_u128().and_then(|n| u8::try_from(n).ok())).collect()
		},
		_ => None,
	}
}

/// The first number inside a value (a `Permill(u32)`'s parts).
fn first_number(value: &Value) -> u128 {
	match &value.value {
		ValueDef::Primitive(Primitive::U128(n)) => *n,
		ValueDef::Composite(composite) => composite.values().next().map_or(0, first_number),
		_ => 0,
	}
}

/// Bytes by what they hold: an account (SS58, prefix 42), a CID, a hash, text, or else hex.
fn read_bytes(bytes: Vec<u8>, hint: Hint) -> Field {
	if let (Hint::Account, Ok(id)) = (hint, <[u8; 32]>::try_from(bytes.as_slice())) {
		return Field::Account(subxt::utils::AccountId32(id).to_string())
	}
	let hex = || format!("0x{}", studio_chain::hex(&bytes));
	match hint {
		Hint::Cid => cid::Cid::try_from(bytes.as_slice()).map(|c| Field::Cid(c.to_string())).unwrap_or_else(|_| Field::Hex(hex())),
		Hint::Hash => Field::Hex(hex()),
		_ => match std::str::from_utf8(&bytes) {
			Ok(text) if !text.is_empty() && !text.chars().any(char::is_control) => Field::Text(text.to_owned()),
			_ => Field::Hex(hex()),
		},
	}
}

/// Milliseconds since the Unix epoch as "2026-12-01 11:58:33 UTC".
fn utc_text(ms: u64) -> String {
	let (days, seconds) = ((ms / 1000) / 86_400, (ms / 1000) % 86_400);
	// Howard Hinnant's civil_from_days: the proleptic Gregorian date of a day count.
	let z = days as i64 + 719_468;
	let era = z.div_euclid(146_097);
	let doe = z - era * 146_097;
	let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
	let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	let mp = (5 * doy + 2) / 153;
	let day = doy - (153 * mp + 2) / 5 + 1;
	let month = if mp < 10 { mp + 3 } else { mp - 9 };
	let year = yoe + era * 400 + i64::from(month <= 2);
	format!("{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02} UTC", seconds / 3600, seconds / 60 % 60, seconds % 60)
}

/// Seconds as "45 s", "3 min", "2 h", "4 days".
fn duration_text(seconds: u64) -> String {
	match seconds {
		0..=89 => format!("{seconds} s"),
		90..=5399 => format!("{} min", (seconds + 30) / 60),
		5400..=172_799 => format!("{} h", (seconds + 1800) / 3600),
		_ => format!("{} days", (seconds + 43_200) / 86_400),
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::UNIT;

	#[test]
	fn balances_blocks_and_durations_read_as_people_say_them() {
		assert_eq!(decimal(12 * UNIT + UNIT / 2), "12.5");
		assert_eq!(decimal(100 * UNIT), "100");
		assert_eq!(decimal(1), "0.000000000001");
		assert_eq!(duration_text(45), "45 s");
		assert_eq!(duration_text(180), "3 min");
		assert_eq!(duration_text(7200), "2 h");
		assert_eq!(duration_text(3 * 86_400), "3 days");
		assert_eq!(utc_text(0), "1970-01-01 00:00:00 UTC");
		assert_eq!(utc_text(1_796_126_313_001), "2026-12-01 11:58:33 UTC");
		assert_eq!(utc_text(951_825_600_000), "2000-02-29 12:00:00 UTC");
		let types = PortableRegistry { types: Vec::new() };
		let reader = Reader::new(&types, 100, 3000);
		assert_eq!(reader.block_text(120), "#120 (in 20 blocks, ~60 s)");
		assert_eq!(reader.block_text(80), "#80 (20 blocks ago, ~60 s)");
		assert_eq!(reader.json(&Field::Balance(5 * UNIT / 2)), json!({ "STU": "2.5", "planck": "2500000000000" }));
		assert_eq!(reader.json(&Field::Block(90)), json!({ "block": 90, "from_now": -10 }));
	}

	#[test]
	fn bytes_read_as_accounts_cids_text_or_hex_by_their_declared_type() {
		let cid = studio_chain::unixfs::file_cid(b"an eye").to_bytes();
		assert_eq!(read_bytes(cid.clone(), Hint::Cid), Field::Cid(cid::Cid::try_from(cid.as_slice()).unwrap().to_string()));
		assert_eq!(read_bytes(b"a vivid red eye".to_vec(), Hint::None), Field::Text("a vivid red eye".into()));
		assert_eq!(read_bytes(vec![0, 1, 255], Hint::None), Field::Hex("0x0001ff".into()));
		assert_eq!(read_bytes(vec![7; 32], Hint::Hash), Field::Hex(format!("0x{}", "07".repeat(32))));
		assert!(matches!(read_bytes(vec![1; 32], Hint::Account), Field::Account(s) if s.starts_with('5')));
		assert_eq!(Hint::of(Some("BoundedVec<CidBytes, T::MaxParents>")), Hint::Cid);
		assert_eq!(Hint::of(Some("BalanceOf<T>")), Hint::Balance);
		assert_eq!(Hint::of(Some("BlockNumberFor<T>")), Hint::Block);
		assert_eq!(Hint::of(Some("T::AccountId")), Hint::Account);
	}
}
