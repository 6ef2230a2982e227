//! Where the guest pages live, written once: every id in their paths — a restaurant's, a table's
//! number, a bill's, a payment's — is one percent-encoded segment ([`super::percent`]).
//!
//! Why this exists: table numbers and bill ids come from the POS and may hold `/`, `?`, `#`, `%`
//! or a space. Written into a path as they are, the pay link of a bill `12/3` led to another
//! page, and one with `#` lost its end. The routes (`guest::routes`) take each segment back
//! decoded, so a page reached by one of these paths sees the id the POS sent. The acquirers'
//! return links and the panel's QR codes are built from these too.
//!
//! ```
//! use rahunok_server::web::paths;
//! assert_eq!(paths::bill("r1", "12/3 #a?b%"), "/b/r1/12%2F3%20%23a%3Fb%25");
//! assert_eq!(paths::table("r1", "Тераса 2"), "/t/r1/%D0%A2%D0%B5%D1%80%D0%B0%D1%81%D0%B0%202");
//! assert_eq!(paths::receipt("pay_abc"), "/p/pay_abc");
//! ```

use super::percent::component;

/// A table's page (`/t/{restoId}/{table}`); its menu and order pages are below it.
pub fn table(resto_id: &str, table: &str) -> String {
    format!("/t/{}/{}", component(resto_id), component(table))
}

/// A bill's page (`/b/{restoId}/{billId}`); its `/pay` and `/split` are below it.
pub fn bill(resto_id: &str, bill_id: &str) -> String {
    format!("/b/{}/{}", component(resto_id), component(bill_id))
}

/// A bill's page reached from a table's (`/b/{restoId}/{billId}?table={table}`): the table the
/// guest came from, kept when the POS's answer for the bill names none.
///
/// ```
/// assert_eq!(rahunok_server::web::paths::bill_from_table("r1", "b/1", "7 a"), "/b/r1/b%2F1?table=7%20a");
/// ```
pub fn bill_from_table(resto_id: &str, bill_id: &str, table: &str) -> String {
    format!("{}?table={}", bill(resto_id, bill_id), component(table))
}

/// A payment's receipt (`/p/{paymentId}`); its `/cancel` and `/rating` are below it.
pub fn receipt(payment_id: &str) -> String {
    format!("/p/{}", component(payment_id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_character_a_path_gives_meaning_to_is_encoded() {
        for (id, written) in [("a/b", "a%2Fb"), ("a?b", "a%3Fb"), ("a#b", "a%23b"), ("a%b", "a%25b"), ("a b", "a%20b")]
        {
            assert_eq!(bill("r", id), format!("/b/r/{written}"));
            assert_eq!(table("r", id), format!("/t/r/{written}"));
            assert_eq!(receipt(id), format!("/p/{written}"));
        }
        assert_eq!(bill("r/x", "b-1"), "/b/r%2Fx/b-1", "the restaurant's id too");
        assert_eq!(bill("r", "b-32070"), "/b/r/b-32070", "plain ids are left as they are");
    }
}
