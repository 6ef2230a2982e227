//! The guest's cart: dishes with their modifiers, as chosen on the menu page's forms (which
//! work without JavaScript), checked against the menu's rules on the server whatever the page
//! let through, and priced to the kopiyka from the menu's prices.

use super::menu::{GuestMenu, NotOrderable};
use crate::web::Lang;
use rahunok_protocol::menu_rules::{ModifierProblem, Subject};
use rahunok_protocol::ops::{ItemModifier, OrderItem};
use rahunok_protocol::{Money, Quantity};
use serde::{Deserialize, Serialize};

/// The most of one dish on a line.
pub const MAX_QUANTITY: u32 = 20;
/// The most lines in a cart.
pub const MAX_LINES: usize = 30;
/// The most of one modifier on a dish.
pub const MAX_MODIFIER_COUNT: u32 = 10;

/// One line of the cart: a dish, how many, and its modifiers (per dish).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CartLine {
    /// Menu id of the dish.
    pub dish: String,
    /// How many.
    pub quantity: u32,
    /// The chosen modifiers.
    pub modifiers: Vec<ChosenModifier>,
}

/// A modifier chosen for a dish.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChosenModifier {
    /// Modifier id.
    pub id: String,
    /// Its modifier group on the dish (`None`: a single modifier).
    pub group: Option<String>,
    /// How many, per dish.
    pub count: u32,
}

impl CartLine {
    /// The line as the POS reads it (`checkProductsRestrictions`, `createOrderOnTable`).
    pub fn item(&self) -> OrderItem {
        OrderItem {
            id: self.dish.clone(),
            quantity: Quantity::whole(self.quantity),
            modifier: self
                .modifiers
                .iter()
                .map(|m| ItemModifier {
                    id: m.id.clone(),
                    group_id: m.group.clone(),
                    quantity: Quantity::whole(m.count),
                })
                .collect(),
        }
    }

    /// Checks the line against the menu: the dish may be ordered and its modifiers keep the
    /// dish's rules.
    pub fn check(&self, menu: &GuestMenu) -> Result<(), ChoiceProblem> {
        if !(1..=MAX_QUANTITY).contains(&self.quantity) {
            return Err(ChoiceProblem::Quantity);
        }
        let dish = menu.orderable(&self.dish).map_err(ChoiceProblem::NotOrderable)?;
        dish.check_modifiers(&self.item().modifier).map_err(ChoiceProblem::Modifiers)
    }

    /// What the line costs by the menu (`None`: it cannot be priced any more).
    pub fn sum(&self, menu: &GuestMenu) -> Option<Money> {
        menu.menu.price_item(&self.item()).map(|priced| priced.total())
    }

    /// The same dish with the same modifiers (adding it again adds to this line).
    fn same_choice(&self, other: &CartLine) -> bool {
        let key = |l: &CartLine| {
            let mut m: Vec<_> = l.modifiers.iter().map(|m| (m.group.clone(), m.id.clone(), m.count)).collect();
            m.sort();
            (l.dish.clone(), m)
        };
        key(self) == key(other)
    }
}

/// The lines of a cart, as stored (JSON).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cart {
    /// The lines, in the order added.
    pub lines: Vec<CartLine>,
}

impl Cart {
    /// Reads stored lines (a row the store keeps is ours: unreadable means corrupt).
    pub fn from_stored(text: &str) -> Result<Cart, crate::store::StoreError> {
        serde_json::from_str(text).map_err(|e| crate::store::StoreError::Corrupt(format!("cart lines: {e}")))
    }

    /// The lines as stored.
    pub fn to_stored(&self) -> String {
        serde_json::to_string(self).expect("carts serialise")
    }

    /// Adds a line (to the same choice's line when there is one).
    pub fn add(&mut self, line: CartLine) -> Result<(), ChoiceProblem> {
        if let Some(same) = self.lines.iter_mut().find(|l| l.same_choice(&line)) {
            let quantity = same.quantity + line.quantity;
            if quantity > MAX_QUANTITY {
                return Err(ChoiceProblem::Quantity);
            }
            same.quantity = quantity;
            return Ok(());
        }
        if self.lines.len() >= MAX_LINES {
            return Err(ChoiceProblem::CartFull);
        }
        self.lines.push(line);
        Ok(())
    }

    /// The cart's total by the menu; `None` when a line cannot be priced.
    pub fn total(&self, menu: &GuestMenu) -> Option<Money> {
        self.lines.iter().map(|l| l.sum(menu)).try_fold(Money::ZERO, |sum, line| sum.checked_add(line?))
    }

    /// The items to send to the POS.
    pub fn items(&self) -> Vec<OrderItem> {
        self.lines.iter().map(CartLine::item).collect()
    }
}

/// Why a choice from the menu is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChoiceProblem {
    /// The form is not one our page makes.
    #[error("the form is damaged: {0}")]
    Form(String),
    /// The quantity is not 1 to [`MAX_QUANTITY`].
    #[error("quantity out of range")]
    Quantity,
    /// The dish cannot be ordered.
    #[error("not orderable: {0:?}")]
    NotOrderable(NotOrderable),
    /// The modifiers break the dish's rules.
    #[error(transparent)]
    Modifiers(ModifierProblem),
    /// The cart has [`MAX_LINES`] lines already.
    #[error("the cart is full")]
    CartFull,
}

impl ChoiceProblem {
    /// The problem in the guest's words, naming the menu's groups and modifiers.
    pub fn message(&self, lang: Lang, menu: &GuestMenu) -> String {
        let t = |uk: &str, en: &str| lang.pick(uk, en).to_string();
        match self {
            ChoiceProblem::Form(_) => {
                t("Форма пошкоджена: відкрийте меню знову.", "The form is damaged: open the menu again.")
            }
            ChoiceProblem::Quantity => {
                format!("{} {MAX_QUANTITY}.", lang.pick("Кількість — від 1 до", "The quantity must be 1 to"))
            }
            ChoiceProblem::NotOrderable(why) => not_orderable(lang, *why).to_string(),
            ChoiceProblem::CartFull => t(
                "У кошику вже забагато позицій: спершу замовте ці.",
                "The cart has too many lines: order these first.",
            ),
            ChoiceProblem::Modifiers(problem) => modifier_message(lang, menu, problem),
        }
    }
}

/// Why a dish cannot be ordered, in the guest's words.
pub fn not_orderable(lang: Lang, why: NotOrderable) -> &'static str {
    match why {
        NotOrderable::StopListed => lang.pick("Немає в наявності", "Not available"),
        NotOrderable::NotOnSale => lang.pick("Цієї страви зараз немає в меню", "This dish is not on the menu now"),
        NotOrderable::NoPrice => lang.pick("Ціну уточніть в офіціанта", "Ask the waiter for the price"),
        NotOrderable::ByWeight => {
            lang.pick("Замовляйте в офіціанта: ціна за вагою", "Priced by weight: order from the waiter")
        }
    }
}

fn modifier_message(lang: Lang, menu: &GuestMenu, problem: &ModifierProblem) -> String {
    let name = |subject: &Subject| match subject {
        Subject::Group(id) => menu.group_name(id).to_string(),
        Subject::Modifier(id) => menu.modifier_name(id).to_string(),
    };
    match (problem, lang) {
        (ModifierProblem::TooFew { subject, least: 1 }, Lang::Uk) => format!("Оберіть: {}.", name(subject)),
        (ModifierProblem::TooFew { subject, least: 1 }, Lang::En) => format!("Please choose: {}.", name(subject)),
        (ModifierProblem::TooFew { subject, least }, Lang::Uk) => {
            format!("{}: оберіть щонайменше {least}.", name(subject))
        }
        (ModifierProblem::TooFew { subject, least }, Lang::En) => {
            format!("{}: choose at least {least}.", name(subject))
        }
        (ModifierProblem::TooMany { subject, most }, Lang::Uk) => format!("{}: не більше {most}.", name(subject)),
        (ModifierProblem::TooMany { subject, most }, Lang::En) => format!("{}: at most {most}.", name(subject)),
        (ModifierProblem::NotOffered(id), Lang::Uk) => {
            format!("До цієї страви не додають «{}».", menu.modifier_name(id))
        }
        (ModifierProblem::NotOffered(id), Lang::En) => {
            format!("\"{}\" does not come with this dish.", menu.modifier_name(id))
        }
        (ModifierProblem::OutsideItsGroup { modifier, group }, Lang::Uk) => {
            format!("«{}» обирають у групі «{}».", menu.modifier_name(modifier), menu.group_name(group))
        }
        (ModifierProblem::OutsideItsGroup { modifier, group }, Lang::En) => {
            format!("\"{}\" is chosen in the group \"{}\".", menu.modifier_name(modifier), menu.group_name(group))
        }
        (ModifierProblem::NotWhole(id), Lang::Uk) => format!("«{}»: кількість — ціле число.", menu.modifier_name(id)),
        (ModifierProblem::NotWhole(id), Lang::En) => {
            format!("\"{}\": the count must be a whole number.", menu.modifier_name(id))
        }
    }
}

/// Reads the menu page's "add" form: `dish`, `quantity`, and the modifiers: `g:{group}` =
/// modifier id (a radio or a checkbox in a group), `m` = modifier id (a single modifier's
/// checkbox), `n:{modifier}` = count (a single modifier taken several times). Other fields are
/// ignored; a field our page never sends twice, sent twice, or a value that is not a number
/// where a number belongs, is a damaged form.
pub fn line_from_form(fields: &[(String, String)]) -> Result<CartLine, ChoiceProblem> {
    let damaged = |why: &str| ChoiceProblem::Form(why.to_string());
    let one = |name: &str| -> Result<Option<&str>, ChoiceProblem> {
        let mut values = fields.iter().filter(|(k, _)| k == name).map(|(_, v)| v.as_str());
        let first = values.next();
        if values.next().is_some() {
            return Err(damaged(&format!("`{name}` twice")));
        }
        Ok(first)
    };
    let dish = one("dish")?.map(str::trim).filter(|d| !d.is_empty()).ok_or_else(|| damaged("no dish"))?;
    let quantity = match one("quantity")?.map(str::trim) {
        None | Some("") => 1,
        Some(text) => text.parse::<u32>().map_err(|_| ChoiceProblem::Quantity)?,
    };
    let mut line = CartLine { dish: dish.to_string(), quantity, modifiers: Vec::new() };
    for (name, value) in fields {
        let value = value.trim();
        let (group, id, count) = if let Some(group) = name.strip_prefix("g:") {
            (Some(group.to_string()), value.to_string(), 1)
        } else if name == "m" {
            (None, value.to_string(), 1)
        } else if let Some(id) = name.strip_prefix("n:") {
            let count = match value {
                "" => 0,
                text => text.parse::<u32>().map_err(|_| damaged("a modifier count that is not a number"))?,
            };
            (None, id.to_string(), count)
        } else {
            continue;
        };
        if id.is_empty() || count == 0 {
            continue;
        }
        if count > MAX_MODIFIER_COUNT {
            return Err(ChoiceProblem::Modifiers(ModifierProblem::TooMany {
                subject: Subject::Modifier(id),
                most: i64::from(MAX_MODIFIER_COUNT),
            }));
        }
        match line.modifiers.iter_mut().find(|m| m.id == id && m.group == group) {
            Some(same) => same.count += count,
            None => line.modifiers.push(ChosenModifier { id, group, count }),
        }
    }
    Ok(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn the_add_form_reads_groups_singles_and_counts() {
        let line = line_from_form(&form(&[
            ("dish", "dish-latte"),
            ("quantity", "2"),
            ("g:gm-syrup", "mod-syrup-vanilla"),
            ("g:gm-syrup", "mod-syrup-caramel"),
            ("m", "mod-extra-shot"),
            ("n:mod-pampushky", "2"),
            ("n:mod-smetana", "0"),
            ("utm", "ignored"),
        ]))
        .unwrap();
        assert_eq!(line.quantity, 2);
        let ids: Vec<_> = line.modifiers.iter().map(|m| (m.group.as_deref(), m.id.as_str(), m.count)).collect();
        assert_eq!(
            ids,
            [
                (Some("gm-syrup"), "mod-syrup-vanilla", 1),
                (Some("gm-syrup"), "mod-syrup-caramel", 1),
                (None, "mod-extra-shot", 1),
                (None, "mod-pampushky", 2)
            ]
        );
    }

    #[test]
    fn junk_in_the_add_form_is_refused_not_guessed() {
        assert!(matches!(line_from_form(&form(&[("quantity", "1")])), Err(ChoiceProblem::Form(_))));
        assert!(matches!(line_from_form(&form(&[("dish", "a"), ("dish", "b")])), Err(ChoiceProblem::Form(_))));
        assert_eq!(line_from_form(&form(&[("dish", "a"), ("quantity", "-1")])), Err(ChoiceProblem::Quantity));
        assert_eq!(line_from_form(&form(&[("dish", "a"), ("quantity", "1e9")])), Err(ChoiceProblem::Quantity));
        assert!(matches!(line_from_form(&form(&[("dish", "a"), ("n:x", "lots")])), Err(ChoiceProblem::Form(_))));
        assert!(matches!(
            line_from_form(&form(&[("dish", "a"), ("n:x", "99")])),
            Err(ChoiceProblem::Modifiers(ModifierProblem::TooMany { .. }))
        ));
    }

    #[test]
    fn the_same_choice_adds_up_on_one_line_within_the_limit() {
        let line = CartLine { dish: "d".into(), quantity: 15, modifiers: vec![] };
        let mut cart = Cart::default();
        cart.add(line.clone()).unwrap();
        assert_eq!(cart.add(CartLine { quantity: 6, ..line.clone() }), Err(ChoiceProblem::Quantity));
        cart.add(CartLine { quantity: 5, ..line }).unwrap();
        assert_eq!((cart.lines.len(), cart.lines[0].quantity), (1, 20));
    }
}
