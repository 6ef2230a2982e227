//! The menu's rules for one ordered item, as `menuInfo` states them: which modifiers a dish
//! takes, how many of each and of each modifier group (`minAmount`, `maxAmount`, `required`),
//! which are free (`free`, `freeAmount`), and what the item costs with them.
//!
//! Why here, beside the wire types: the platform checks a guest's choice before anything
//! reaches the POS, and the virtual POS checks what it is sent, by the same reading of the same
//! fields; both must price an item to the same kopiyka.
//!
//! Conventions where the spec is silent:
//! - a modifier's quantity is per one dish (two lattes with one oat milk each: the latte's
//!   quantity is 2, the oat milk's 1), so an item costs `quantity × (dish + its modifiers)`;
//! - `maxAmount` of 0 or absent means "no limit"; `required` means at least one, whatever
//!   `minAmount` says;
//! - a modifier is placed by the `groupId` it comes with: with one, in that group of the dish
//!   (which must hold it); without one, among the dish's single modifiers. A modifier the dish
//!   has only inside a group, sent without its `groupId`, is refused
//!   ([`ModifierProblem::OutsideItsGroup`]), never guessed into the group: it would count
//!   towards the group's limits while the POS, reading no `groupId`, books it as a single
//!   modifier (or drops it). So a required group is satisfied only by its own modifiers, sent
//!   as such;
//! - a group's `freeAmount` makes that many of its first chosen modifiers free; `free` makes
//!   them all free.

use crate::ops::{GroupModifierRule, ItemModifier, MenuDish, MenuInfoAnswer, OrderItem};
use crate::{lenient, Money, Quantity};
use serde::Deserialize;

/// The limits of one modifier on a dish: an entry of a dish's `modifiers[]` or of a group's
/// `childModifiers[]`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ModifierLimit {
    /// Modifier id.
    #[serde(deserialize_with = "lenient::string")]
    pub id: String,
    /// Least to choose.
    #[serde(default, deserialize_with = "lenient::opt_int")]
    pub min_amount: Option<i64>,
    /// Most to choose (0 or absent: no limit).
    #[serde(default, deserialize_with = "lenient::opt_int")]
    pub max_amount: Option<i64>,
    /// Chosen by default.
    #[serde(default, deserialize_with = "lenient::opt_int")]
    pub default_amount: Option<i64>,
    /// Must be chosen.
    #[serde(default, deserialize_with = "lenient::bool")]
    pub required: bool,
}

impl ModifierLimit {
    /// Reads a free-form entry: an object with an `id`, or just the id. Anything else: `None`.
    ///
    /// ```
    /// use rahunok_protocol::menu_rules::ModifierLimit;
    /// let limit = ModifierLimit::read(&serde_json::json!({"id": "m1", "maxAmount": "2", "required": 1})).unwrap();
    /// assert_eq!((limit.least(), limit.most()), (1, Some(2)));
    /// assert_eq!(ModifierLimit::read(&serde_json::json!("m2")).unwrap().most(), None);
    /// assert!(ModifierLimit::read(&serde_json::json!(7)).is_none());
    /// ```
    pub fn read(value: &serde_json::Value) -> Option<ModifierLimit> {
        match value {
            serde_json::Value::String(id) if !id.trim().is_empty() => Some(ModifierLimit {
                id: id.clone(),
                min_amount: None,
                max_amount: None,
                default_amount: None,
                required: false,
            }),
            serde_json::Value::Object(_) => ModifierLimit::deserialize(value).ok(),
            _ => None,
        }
    }

    /// The least that must be chosen.
    pub fn least(&self) -> i64 {
        least(self.min_amount, self.required)
    }

    /// The most that may be chosen (`None`: no limit).
    pub fn most(&self) -> Option<i64> {
        most(self.max_amount)
    }
}

fn least(min_amount: Option<i64>, required: bool) -> i64 {
    min_amount.unwrap_or(0).max(i64::from(required))
}

fn most(max_amount: Option<i64>) -> Option<i64> {
    max_amount.filter(|max| *max > 0)
}

impl GroupModifierRule {
    /// The modifiers of the group with their own limits.
    pub fn children(&self) -> Vec<ModifierLimit> {
        self.child_modifiers.iter().filter_map(ModifierLimit::read).collect()
    }

    /// The least that must be chosen from the group.
    pub fn least(&self) -> i64 {
        least(self.min_amount, self.required)
    }

    /// The most that may be chosen from the group (`None`: no limit).
    pub fn most(&self) -> Option<i64> {
        most(self.max_amount)
    }
}

impl MenuDish {
    /// The dish's single modifiers (outside any group) with their limits.
    pub fn single_modifiers(&self) -> Vec<ModifierLimit> {
        self.modifiers.iter().filter_map(ModifierLimit::read).collect()
    }

    /// Checks a choice of modifiers against the dish's rules (see the module docs).
    pub fn check_modifiers(&self, chosen: &[ItemModifier]) -> Result<(), ModifierProblem> {
        let counted = count_chosen(self, chosen)?;
        for limit in self.single_modifiers() {
            let n = counted.single(&limit.id);
            check_range(n, limit.least(), limit.most(), || Subject::Modifier(limit.id.clone()))?;
        }
        for group in &self.group_modifiers {
            let in_group = counted.in_group(&group.id);
            check_range(in_group, group.least(), group.most(), || Subject::Group(group.id.clone()))?;
            for child in group.children() {
                let n = counted.child(&group.id, &child.id);
                check_range(n, child.least(), child.most(), || Subject::Modifier(child.id.clone()))?;
            }
        }
        Ok(())
    }
}

/// What is wrong with a choice of modifiers.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ModifierProblem {
    /// The dish takes no such modifier (or not in that group).
    #[error("modifier {0} is not offered with this dish")]
    NotOffered(String),
    /// A modifier the dish has only inside a group, sent without that group's id.
    #[error("modifier {modifier} belongs to modifier group {group}: send it with that groupId")]
    OutsideItsGroup {
        /// The modifier.
        modifier: String,
        /// The group of the dish that holds it.
        group: String,
    },
    /// A modifier's quantity is not a whole number of at least 1.
    #[error("modifier {0} must be chosen a whole number of times")]
    NotWhole(String),
    /// Fewer than the least (a required group or modifier left out).
    #[error("{subject} needs at least {least}")]
    TooFew {
        /// The group or modifier.
        subject: Subject,
        /// The least allowed.
        least: i64,
    },
    /// More than the most.
    #[error("{subject} allows at most {most}")]
    TooMany {
        /// The group or modifier.
        subject: Subject,
        /// The most allowed.
        most: i64,
    },
}

/// What a limit is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    /// A modifier group, by id.
    Group(String),
    /// A modifier, by id.
    Modifier(String),
}

impl Subject {
    /// The id of the group or modifier.
    pub fn id(&self) -> &str {
        match self {
            Subject::Group(id) | Subject::Modifier(id) => id,
        }
    }
}

impl std::fmt::Display for Subject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Subject::Group(id) => write!(f, "modifier group {id}"),
            Subject::Modifier(id) => write!(f, "modifier {id}"),
        }
    }
}

fn check_range(n: i64, least: i64, most: Option<i64>, subject: impl Fn() -> Subject) -> Result<(), ModifierProblem> {
    if n < least {
        return Err(ModifierProblem::TooFew { subject: subject(), least });
    }
    match most {
        Some(most) if n > most => Err(ModifierProblem::TooMany { subject: subject(), most }),
        _ => Ok(()),
    }
}

/// How many of each modifier were chosen, by where it belongs on the dish.
struct Counted {
    /// (group id or `None` for a single modifier, modifier id, count)
    entries: Vec<(Option<String>, String, i64)>,
}

impl Counted {
    fn single(&self, id: &str) -> i64 {
        self.entries.iter().filter(|(g, m, _)| g.is_none() && m == id).map(|(_, _, n)| n).sum()
    }

    fn in_group(&self, group: &str) -> i64 {
        self.entries.iter().filter(|(g, _, _)| g.as_deref() == Some(group)).map(|(_, _, n)| n).sum()
    }

    fn child(&self, group: &str, id: &str) -> i64 {
        self.entries.iter().filter(|(g, m, _)| g.as_deref() == Some(group) && m == id).map(|(_, _, n)| n).sum()
    }
}

/// A quantity as a whole number (quantities are kept normalised: `2.0` has no decimals).
fn whole(quantity: Quantity) -> Option<i64> {
    quantity.decimal().rescale(0)
}

/// Places each chosen modifier on the dish: in the group it names, else among the single
/// modifiers, else in the one group that holds it.
fn count_chosen(dish: &MenuDish, chosen: &[ItemModifier]) -> Result<Counted, ModifierProblem> {
    let singles = dish.single_modifiers();
    let mut entries = Vec::with_capacity(chosen.len());
    for modifier in chosen {
        let n = whole(modifier.quantity)
            .filter(|n| *n >= 1)
            .ok_or_else(|| ModifierProblem::NotWhole(modifier.id.clone()))?;
        let group = match place(dish, &singles, modifier) {
            Some(group) => group,
            None => return Err(not_placed(dish, modifier)),
        };
        entries.push((group, modifier.id.clone(), n));
    }
    Ok(Counted { entries })
}

/// `Some(None)`: a single modifier; `Some(Some(group))`: in that group; `None`: not offered
/// where it was sent (see [`not_placed`] for why).
fn place(dish: &MenuDish, singles: &[ModifierLimit], modifier: &ItemModifier) -> Option<Option<String>> {
    match modifier.group_id.as_deref().filter(|g| !g.is_empty()) {
        Some(group_id) => {
            dish.group_modifiers.iter().find(|g| g.id == group_id && holds(g, &modifier.id)).map(|g| Some(g.id.clone()))
        }
        None => singles.iter().any(|s| s.id == modifier.id).then_some(None),
    }
}

fn holds(group: &GroupModifierRule, modifier: &str) -> bool {
    group.children().iter().any(|c| c.id == modifier)
}

/// Why a modifier could not be placed: it belongs to a group of the dish but came without it,
/// or the dish does not offer it there at all.
fn not_placed(dish: &MenuDish, modifier: &ItemModifier) -> ModifierProblem {
    let sent_without_group = modifier.group_id.as_deref().is_none_or(str::is_empty);
    match dish.group_modifiers.iter().find(|g| holds(g, &modifier.id)) {
        Some(group) if sent_without_group => {
            ModifierProblem::OutsideItsGroup { modifier: modifier.id.clone(), group: group.id.clone() }
        }
        _ => ModifierProblem::NotOffered(modifier.id.clone()),
    }
}

/// An item priced by the menu: the dish's own line and each chosen modifier's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PricedItem {
    /// `quantity × dish price`.
    pub dish_sum: Money,
    /// Per chosen modifier (in the order chosen): `item quantity × modifier quantity × price`,
    /// zero for what is free.
    pub modifier_sums: Vec<Money>,
}

impl PricedItem {
    /// The item's total.
    pub fn total(&self) -> Money {
        self.dish_sum + self.modifier_sums.iter().copied().sum::<Money>()
    }
}

impl MenuInfoAnswer {
    /// A dish by id.
    pub fn dish(&self, id: &str) -> Option<&MenuDish> {
        self.dishes.iter().find(|d| d.id == id)
    }

    /// A modifier's price (`None` is free).
    pub fn modifier_price(&self, id: &str) -> Option<Money> {
        self.modifiers.iter().find(|m| m.id == id).and_then(|m| m.price)
    }

    /// Prices an item: `None` when the dish is not on the menu or has no price, or when a sum
    /// does not fit. The modifiers are not checked here ([`MenuDish::check_modifiers`]).
    ///
    /// ```
    /// use rahunok_protocol::{ops::{ItemModifier, MenuInfoAnswer, OrderItem}, Quantity};
    /// let menu: MenuInfoAnswer = serde_json::from_str(r#"{"dishes": [{"id": "latte", "price": 75,
    ///   "groupModifiers": [{"id": "milk", "freeAmount": 1, "childModifiers": [{"id": "oat"}, {"id": "coco"}]}]}],
    ///   "modifiers": [{"id": "oat", "name": "Oat", "price": 20}, {"id": "coco", "name": "Coconut", "price": 25}]}"#).unwrap();
    /// let one = |id: &str| ItemModifier { id: id.into(), group_id: Some("milk".into()), quantity: Quantity::whole(1) };
    /// let item = OrderItem { id: "latte".into(), quantity: Quantity::whole(2), modifier: vec![one("oat"), one("coco")] };
    /// let priced = menu.price_item(&item).unwrap();
    /// assert_eq!(priced.modifier_sums.iter().map(|m| m.to_string()).collect::<Vec<_>>(), ["0.00", "50.00"]);
    /// assert_eq!(priced.total().to_string(), "200.00");
    /// ```
    pub fn price_item(&self, item: &OrderItem) -> Option<PricedItem> {
        let dish = self.dish(&item.id)?;
        let dish_sum = times(dish.price?, item.quantity)?;
        let mut free_left: Vec<(String, i64)> = dish
            .group_modifiers
            .iter()
            .map(|g| (g.id.clone(), if g.free { i64::MAX } else { g.free_amount.unwrap_or(0) }))
            .collect();
        let singles = dish.single_modifiers();
        let mut modifier_sums = Vec::with_capacity(item.modifier.len());
        for modifier in &item.modifier {
            let n = whole(modifier.quantity)?;
            let group = place(dish, &singles, modifier).flatten();
            let free = group
                .and_then(|g| free_left.iter_mut().find(|(id, _)| *id == g))
                .map(|(_, left)| {
                    let free = (*left).min(n);
                    *left -= free;
                    free
                })
                .unwrap_or(0);
            let price = self.modifier_price(&modifier.id).unwrap_or(Money::ZERO);
            let per_dish = Money::from_kopiyky(price.kopiyky().checked_mul(n - free)?)?;
            modifier_sums.push(times(per_dish, item.quantity)?);
        }
        Some(PricedItem { dish_sum, modifier_sums })
    }
}

/// `price × quantity`, rounded half up to the kopiyka.
pub fn times(price: Money, quantity: Quantity) -> Option<Money> {
    let q = quantity.decimal();
    price.mul_ratio_half_up(q.mantissa(), 10i128.pow(q.scale()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deruny() -> MenuDish {
        serde_json::from_value(serde_json::json!({
            "id": "deruny", "name": "Деруни", "price": 130, "isActive": true,
            "modifiers": [{"id": "pampushky", "maxAmount": 2}],
            "groupModifiers": [{"id": "sauce", "minAmount": 0, "maxAmount": 1, "required": true,
                "childModifiers": [{"id": "smetana"}, {"id": "mushroom"}]}]
        }))
        .unwrap()
    }

    fn chosen(group: Option<&str>, id: &str, n: u32) -> ItemModifier {
        ItemModifier { id: id.into(), group_id: group.map(Into::into), quantity: Quantity::whole(n) }
    }

    #[test]
    fn a_required_group_needs_one_and_allows_its_maximum() {
        let dish = deruny();
        assert_eq!(
            dish.check_modifiers(&[]),
            Err(ModifierProblem::TooFew { subject: Subject::Group("sauce".into()), least: 1 })
        );
        assert_eq!(dish.check_modifiers(&[chosen(Some("sauce"), "smetana", 1)]), Ok(()));
        assert_eq!(
            dish.check_modifiers(&[chosen(None, "mushroom", 1)]),
            Err(ModifierProblem::OutsideItsGroup { modifier: "mushroom".into(), group: "sauce".into() }),
            "a group's modifier without its group is refused, not guessed into the group"
        );
        assert_eq!(
            dish.check_modifiers(&[chosen(Some(""), "mushroom", 1)]),
            Err(ModifierProblem::OutsideItsGroup { modifier: "mushroom".into(), group: "sauce".into() }),
            "an empty groupId is no group"
        );
        assert_eq!(
            dish.check_modifiers(&[chosen(Some("sauce"), "pampushky", 1)]),
            Err(ModifierProblem::NotOffered("pampushky".into())),
            "a required group is satisfied only by its own modifiers"
        );
        let both = [chosen(Some("sauce"), "smetana", 1), chosen(Some("sauce"), "mushroom", 1)];
        assert_eq!(
            dish.check_modifiers(&both),
            Err(ModifierProblem::TooMany { subject: Subject::Group("sauce".into()), most: 1 })
        );
    }

    #[test]
    fn single_modifiers_keep_their_maximum_and_strangers_are_refused() {
        let dish = deruny();
        let sauce = chosen(Some("sauce"), "smetana", 1);
        assert_eq!(dish.check_modifiers(&[sauce.clone(), chosen(None, "pampushky", 2)]), Ok(()));
        assert_eq!(
            dish.check_modifiers(&[sauce.clone(), chosen(None, "pampushky", 3)]),
            Err(ModifierProblem::TooMany { subject: Subject::Modifier("pampushky".into()), most: 2 })
        );
        assert_eq!(
            dish.check_modifiers(&[sauce.clone(), chosen(None, "caviar", 1)]),
            Err(ModifierProblem::NotOffered("caviar".into()))
        );
        assert_eq!(
            dish.check_modifiers(&[chosen(Some("pampushky-group"), "smetana", 1)]),
            Err(ModifierProblem::NotOffered("smetana".into()))
        );
        let half = ItemModifier { quantity: Quantity::parse("0.5").unwrap(), ..sauce };
        assert_eq!(dish.check_modifiers(&[half]), Err(ModifierProblem::NotWhole("smetana".into())));
    }
}
