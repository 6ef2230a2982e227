//! The menu a guest sees at the table: the POS's `menuInfo` and `stopList` as stored snapshots
//! (refreshed on a schedule, from the panel and the admin API — never per guest view), laid
//! out as the POS's group tree in its `menuIndex` order, with what may be ordered and what not.
//! Also whether ordering is open at all: the restaurant switched it on, and its POS implements
//! `ORDER_ON_TABLE`.

use super::error::GuestError;
use super::GuestState;
use crate::store::GuestSettings;
use rahunok_protocol::ops::{feature, MenuDish, MenuGroup, MenuInfo, MenuInfoAnswer, StopList, StopListAnswer};
use rahunok_protocol::Quantity;
use std::collections::HashSet;

/// The menu as stored, with the stop list beside it.
#[derive(Debug, Clone)]
pub struct GuestMenu {
    /// The POS's menu.
    pub menu: MenuInfoAnswer,
    /// The POS's stop list.
    pub stop_list: StopListAnswer,
}

/// One group of the menu with its dishes, at its depth in the tree.
#[derive(Debug)]
pub struct MenuSection<'a> {
    /// The group (`None`: dishes of no known group, shown last).
    pub group: Option<&'a MenuGroup>,
    /// 0 for a top-level group.
    pub depth: usize,
    /// The dishes on sale in the group.
    pub dishes: Vec<&'a MenuDish>,
}

/// Why a dish on the menu cannot be ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotOrderable {
    /// On the stop list with nothing left.
    StopListed,
    /// Not on sale (`isActive: false`) or not on the menu at all.
    NotOnSale,
    /// No price on the menu.
    NoPrice,
    /// Sold by weight: weighed by the staff, not ordered by count from a phone.
    ByWeight,
}

impl GuestMenu {
    /// The stored snapshots; when there are none yet, asked from the POS once (and stored).
    pub async fn load(state: &GuestState, resto_id: &str) -> Result<GuestMenu, GuestError> {
        let data = &state.pos_data;
        let menu = match data.stored::<MenuInfo>(resto_id).await? {
            Some((menu, _)) => menu,
            None => data.refresh::<MenuInfo>(resto_id).await.map_err(menu_unavailable)?,
        };
        let stop_list = match data.stored::<StopList>(resto_id).await? {
            Some((stop_list, _)) => stop_list,
            // A menu without its stop list still shows; the review step asks the POS anyway.
            None => data.refresh::<StopList>(resto_id).await.unwrap_or_default(),
        };
        Ok(GuestMenu { menu, stop_list })
    }

    /// What is left of a dish, when the stop list names it.
    pub fn balance(&self, dish_id: &str) -> Option<Quantity> {
        self.stop_list.items.iter().find(|s| s.product_id == dish_id).map(|s| s.balance)
    }

    /// Whether a guest may order the dish, and why not.
    pub fn orderable(&self, dish_id: &str) -> Result<&MenuDish, NotOrderable> {
        let dish = self.menu.dish(dish_id).filter(|d| d.is_active).ok_or(NotOrderable::NotOnSale)?;
        if self.balance(dish_id).is_some_and(Quantity::is_zero) {
            return Err(NotOrderable::StopListed);
        }
        if dish.price.is_none() {
            return Err(NotOrderable::NoPrice);
        }
        if by_weight(dish) {
            return Err(NotOrderable::ByWeight);
        }
        Ok(dish)
    }

    /// The groups in menu order, depth first, each with its dishes on sale; groups with no
    /// dish anywhere below them (e.g. a group holding only modifiers) are left out.
    pub fn sections(&self) -> Vec<MenuSection<'_>> {
        let mut sections = Vec::new();
        let mut seen = HashSet::new();
        let known: HashSet<&str> = self.menu.groups.iter().map(|g| g.id.as_str()).collect();
        let roots = self.children_of(None, &known);
        for root in roots {
            self.walk(root, 0, &known, &mut seen, &mut sections);
        }
        let loose: Vec<&MenuDish> = self
            .menu
            .dishes
            .iter()
            .filter(|d| d.is_active && !d.group_id.as_deref().is_some_and(|g| seen.contains(g)))
            .collect();
        if !loose.is_empty() {
            sections.push(MenuSection { group: None, depth: 0, dishes: loose });
        }
        prune_empty(sections)
    }

    fn walk<'a>(
        &'a self,
        group: &'a MenuGroup,
        depth: usize,
        known: &HashSet<&str>,
        seen: &mut HashSet<&'a str>,
        out: &mut Vec<MenuSection<'a>>,
    ) {
        if !seen.insert(group.id.as_str()) {
            return; // a cycle in the POS's parent links
        }
        let dishes =
            self.menu.dishes.iter().filter(|d| d.is_active && d.group_id.as_deref() == Some(&group.id)).collect();
        out.push(MenuSection { group: Some(group), depth, dishes });
        for child in self.children_of(Some(&group.id), known) {
            self.walk(child, depth + 1, known, seen, out);
        }
    }

    /// A group's children (`None`: the top level, including groups whose parent is unknown),
    /// by `menuIndex` then name.
    fn children_of(&self, parent: Option<&str>, known: &HashSet<&str>) -> Vec<&MenuGroup> {
        let mut children: Vec<&MenuGroup> = self
            .menu
            .groups
            .iter()
            .filter(|g| match (parent, g.parent_id.as_deref()) {
                (None, None) => true,
                (None, Some(p)) => !known.contains(p) || p == g.id,
                (Some(parent), Some(p)) => p == parent && p != g.id,
                (Some(_), None) => false,
            })
            .collect();
        children.sort_by(|a, b| {
            (a.menu_index.unwrap_or(i64::MAX), &a.name).cmp(&(b.menu_index.unwrap_or(i64::MAX), &b.name))
        });
        children
    }

    /// A modifier's name (its id when the menu does not name it).
    pub fn modifier_name<'a>(&'a self, id: &'a str) -> &'a str {
        self.menu.modifiers.iter().find(|m| m.id == id).map_or(id, |m| m.name.as_str())
    }

    /// A modifier group's name (its id when the menu does not name it).
    pub fn group_name<'a>(&'a self, id: &'a str) -> &'a str {
        self.menu.group_modifiers.iter().find(|m| m.id == id).map_or(id, |m| m.name.as_str())
    }
}

/// Drops sections with no dishes in them or in any section below them.
fn prune_empty(sections: Vec<MenuSection<'_>>) -> Vec<MenuSection<'_>> {
    let mut keep = vec![false; sections.len()];
    for i in (0..sections.len()).rev() {
        let below = sections[i + 1..]
            .iter()
            .zip(&keep[i + 1..])
            .take_while(|(s, _)| s.depth > sections[i].depth)
            .any(|(_, kept)| *kept);
        keep[i] = !sections[i].dishes.is_empty() || below;
    }
    sections.into_iter().zip(keep).filter(|(_, k)| *k).map(|(s, _)| s).collect()
}

/// Dishes priced per kilogram or litre.
pub fn by_weight(dish: &MenuDish) -> bool {
    let unit = dish.unit.as_deref().unwrap_or("").trim().to_lowercase();
    matches!(unit.as_str(), "кг" | "kg" | "л" | "l" | "г" | "g")
}

fn menu_unavailable(error: crate::pos_data::PosDataError) -> GuestError {
    tracing::warn!(%error, "the menu could not be had from the POS");
    GuestError::MenuUnavailable
}

/// Whether guests may order here now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ordering {
    /// They may.
    Open,
    /// The restaurant has not switched ordering on.
    SwitchedOff,
    /// The POS does not implement `ORDER_ON_TABLE`.
    PosCannot,
    /// The POS is not connected.
    PosOffline,
}

impl Ordering {
    /// For the restaurant with these settings, as its POS connection stands.
    pub async fn now(state: &GuestState, resto_id: &str, settings: &GuestSettings) -> Ordering {
        if !settings.ordering_enabled {
            return Ordering::SwitchedOff;
        }
        let Some(connection) = state.link.connection_info_anywhere(resto_id).await else {
            return Ordering::PosOffline;
        };
        let implemented = connection
            .implemented_features
            .iter()
            .any(|f| f.feature.eq_ignore_ascii_case(feature::ORDER_ON_TABLE) && f.implemented && f.available);
        if implemented {
            Ordering::Open
        } else {
            Ordering::PosCannot
        }
    }
}
