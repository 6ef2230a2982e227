//! The frame around every panel page: the top bar (who is signed in, sign-out), the
//! restaurant's sections as tabs, the panel's extra styles and the small shared script (local
//! times, copy buttons), both served as assets. Built on the shared page shell, so pages stay
//! light.

use super::access::Viewer;
use crate::store::Restaurant;
use crate::web::{self, assets, Page};
use maud::{html, Markup};

/// A section of a restaurant's pages, in tab order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    /// Connection status.
    Dashboard,
    /// Tables and QR codes.
    Tables,
    /// Staff.
    Staff,
    /// Menu categories.
    Categories,
    /// The menu.
    Menu,
    /// The stop list.
    StopList,
    /// Payments.
    Payments,
    /// Orders guests placed from the menu.
    Orders,
    /// Reports per day and per waiter.
    Reports,
    /// The request log.
    Requests,
    /// The operations console.
    Console,
    /// Settings.
    Settings,
}

impl Section {
    const ALL: &'static [Section] = &[
        Section::Dashboard,
        Section::Tables,
        Section::Payments,
        Section::Orders,
        Section::Reports,
        Section::Staff,
        Section::Categories,
        Section::Menu,
        Section::StopList,
        Section::Requests,
        Section::Console,
        Section::Settings,
    ];

    /// The section's path under `/panel/r/{resto_id}`.
    pub fn path(self, resto_id: &str) -> String {
        let tail = match self {
            Section::Dashboard => "",
            Section::Tables => "/tables",
            Section::Staff => "/pos/staff",
            Section::Categories => "/pos/categories",
            Section::Menu => "/pos/menu",
            Section::StopList => "/pos/stop-list",
            Section::Payments => "/payments",
            Section::Orders => "/orders",
            Section::Reports => "/reports",
            Section::Requests => "/requests",
            Section::Console => "/console",
            Section::Settings => "/settings",
        };
        format!("/panel/r/{resto_id}{tail}")
    }

    /// The tab label.
    pub fn label(self, viewer: &Viewer) -> &'static str {
        let (uk, en) = match self {
            Section::Dashboard => ("Підключення", "Connection"),
            Section::Tables => ("Столи і QR-коди", "Tables and QR codes"),
            Section::Staff => ("Персонал", "Staff"),
            Section::Categories => ("Категорії", "Categories"),
            Section::Menu => ("Меню", "Menu"),
            Section::StopList => ("Стоп-лист", "Stop list"),
            Section::Payments => ("Платежі", "Payments"),
            Section::Orders => ("Замовлення з меню", "Menu orders"),
            Section::Reports => ("Звіти", "Reports"),
            Section::Requests => ("Журнал запитів", "Request log"),
            Section::Console => ("Консоль", "Console"),
            Section::Settings => ("Налаштування", "Settings"),
        };
        viewer.lang.pick(uk, en)
    }
}

/// Where in the panel a page is.
pub enum Place<'a> {
    /// The operator's list of restaurants (and pages outside any restaurant).
    Platform,
    /// A section of one restaurant.
    Restaurant(&'a Restaurant, Section),
}

fn top_bar(viewer: &Viewer) -> Markup {
    html! {
        header.topbar {
            a.brand href="/panel" { "Rahunok · " (viewer.t("панель", "panel")) }
            div.who {
                @if viewer.is_operator() {
                    a href="/panel/restaurants" { (viewer.t("Ресторани", "Restaurants")) }
                }
                a href="/panel/users" { (viewer.t("Користувачі", "Users")) }
                span { (viewer.user.name) " · " (role_label(viewer)) }
                form method="post" action="/panel/sign-out" {
                    input type="hidden" name="csrf" value=(viewer.csrf);
                    button.inline.secondary type="submit" { (viewer.t("Вийти", "Sign out")) }
                }
            }
        }
    }
}

fn role_label(viewer: &Viewer) -> &'static str {
    if viewer.is_operator() {
        viewer.t("оператор", "operator")
    } else {
        viewer.t("адміністратор ресторану", "restaurant admin")
    }
}

fn section_tabs(viewer: &Viewer, restaurant: &Restaurant, current: Section) -> Markup {
    html! {
        p.crumb { (restaurant.name) " · " span.mono { (restaurant.resto_id) } }
        nav.sections {
            @for section in Section::ALL {
                a class=[(*section == current).then_some("active")] href=(section.path(&restaurant.resto_id)) {
                    (section.label(viewer))
                }
            }
        }
    }
}

/// A full panel page.
pub fn page(viewer: &Viewer, title: &str, place: Place<'_>, body: Markup) -> Page {
    let head = html! {
        @if let Some(zone) = &viewer.time_zone { meta name="rahunok-time-zone" content=(zone); }
        (assets::stylesheet("panel.css"))
        (assets::script("panel.js"))
    };
    let content = html! {
        (top_bar(viewer))
        @if let Place::Restaurant(restaurant, section) = place {
            (section_tabs(viewer, restaurant, section))
        }
        h1 { (title) }
        (body)
    };
    Page::ok(web::shell_with(viewer.lang, &format!("{title} · Rahunok"), &viewer.path, head, content))
}

/// A time for a page: UTC text that the shared script turns into the restaurant's time zone on
/// a restaurant's pages (its setting, `Europe/Kyiv` by default), the viewer's own elsewhere.
pub fn time(ms: i64) -> Markup {
    let text = rahunok_protocol::rid::iso8601_utc(ms.div_euclid(1000)).replace('T', " ").replace('Z', " UTC");
    html! { time data-ms=(ms) datetime=(rahunok_protocol::rid::iso8601_utc(ms.div_euclid(1000))) { (text) } }
}

/// A hidden CSRF field for a form.
pub fn csrf_field(viewer: &Viewer) -> Markup {
    html! { input type="hidden" name="csrf" value=(viewer.csrf); }
}
