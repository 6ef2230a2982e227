//! The names of the operations, as they appear in frames and in `/callback/<operation>` paths.

use serde::{Serialize, Serializer};
use std::fmt;

macro_rules! operations {
    ($($(#[$meta:meta])* $variant:ident = $wire:literal, callback = $cb:literal;)+) => {
        /// An operation of the protocol (spec section 5).
        ///
        /// ```
        /// use rahunok_protocol::Operation;
        /// assert_eq!(Operation::from_name("hallplansInfo"), Some(Operation::HallplansInfo));
        /// assert_eq!(Operation::from_name("GETBILL"), Some(Operation::GetBill));
        /// assert!(!Operation::ShowMessage.expects_callback());
        /// ```
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Operation {
            $($(#[$meta])* $variant),+
        }

        impl Operation {
            /// Every operation, in spec order.
            pub const ALL: &'static [Operation] = &[$(Operation::$variant),+];

            /// The wire name (`getBill`, `hallplansInfo`, ...).
            pub fn name(self) -> &'static str {
                match self { $(Operation::$variant => $wire),+ }
            }

            /// Whether the POS answers this operation with a callback.
            pub fn expects_callback(self) -> bool {
                match self { $(Operation::$variant => $cb),+ }
            }

            /// Looks an operation up by its wire name, in any letter case.
            pub fn from_name(name: &str) -> Option<Operation> {
                $(if name.eq_ignore_ascii_case($wire) { return Some(Operation::$variant); })+
                None
            }
        }
    };
}

operations! {
    /// The bill on a table or with a bill id.
    GetBill = "getBill", callback = true;
    /// Pay and close a bill.
    PayBill = "payBill", callback = true;
    /// Move chosen positions into a new bill.
    SplitOrder = "splitOrder", callback = true;
    /// The restaurant's tables.
    TablesInfo = "tablesInfo", callback = true;
    /// The restaurant's halls.
    HallplansInfo = "hallplansInfo", callback = true;
    /// The staff.
    UsersInfo = "usersInfo", callback = true;
    /// Menu categories.
    CategoriesInfo = "categoriesInfo", callback = true;
    /// The menu.
    MenuInfo = "menuInfo", callback = true;
    /// Dishes out of stock.
    StopList = "stopList", callback = true;
    /// Is the POS ready to work.
    CheckWork = "checkWork", callback = true;
    /// POS plugin version and features.
    VersionInfo = "versionInfo", callback = true;
    /// Stock check for an order.
    CheckProductsRestrictions = "checkProductsRestrictions", callback = true;
    /// Create (and pay) an order on a table.
    CreateOrderOnTable = "createOrderOnTable", callback = true;
    /// Settings for the POS (no callback).
    SetSettings = "setSettings", callback = false;
    /// A message for the POS screen (no callback).
    ShowMessage = "showMessage", callback = false;
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for Operation {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}
