//! The one way to declare a closed set of codes with Dutch labels: ladder-free
//! enums such as a signal's category or a service's status.

/// Declares `pub enum $name` with, per variant, a stable code (stored, used in
/// the API and HSDS) and a Dutch label (shown in the interface), plus `ALL`,
/// `as_str`, `label` and `parse` — which accepts the code or the label in any
/// case and otherwise fails with `$err::$errv(what was typed, at most 40 characters)`.
macro_rules! coded_enum {
    ($(#[$m:meta])* $name:ident, $err:ident :: $errv:ident, { $($variant:ident => ($code:literal, $label:literal)),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, ::serde::Serialize, ::serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];
            /// The stable code, stored and used in the API.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $code),* }
            }
            /// The Dutch label shown in the interface.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),* }
            }
            /// Accepts the code or the label, in any case.
            pub fn parse(input: &str) -> Result<Self, $err> {
                let t = input.trim().to_lowercase();
                $name::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str() == t || v.label().to_lowercase() == t)
                    .ok_or_else(|| $err::$errv(input.trim().chars().take(40).collect()))
            }
        }
    };
}
pub(crate) use coded_enum;
