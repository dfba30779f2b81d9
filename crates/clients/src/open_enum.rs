//! Enums for the services' string values that may grow: Azure marks them
//! `x-ms-enum.modelAsString: true`, and Pinecone adds values between API versions. Each known
//! value is a variant; anything else is kept as [`Other`](crate::pinecone::Plan::Other) with its
//! text, so an unknown value is neither an error nor mistaken for a known one, and messages can
//! still show it.

/// Declares an open enum: `open_enum! { /// doc \n pub enum Name { Variant = "Spelling", … } }`.
macro_rules! open_enum {
    ($(#[$meta:meta])* pub enum $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(from = "String", into = "String")]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
            /// A value this app doesn't know, as the service sent it.
            Other(String),
        }

        impl $name {
            /// The value as the service spells it.
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $text,)+
                    $name::Other(s) => s,
                }
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                match s.as_str() {
                    $($text => $name::$variant,)+
                    _ => $name::Other(s),
                }
            }
        }

        impl From<$name> for String {
            fn from(v: $name) -> String {
                v.as_str().to_owned()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pub(crate) use open_enum;

#[cfg(test)]
mod tests {
    open_enum! {
        /// A test enum.
        pub enum Colour { Red = "Red", Green = "Green" }
    }

    #[test]
    fn known_values_are_variants_and_others_keep_their_text() {
        assert_eq!(serde_json::from_str::<Colour>("\"Red\"").unwrap(), Colour::Red);
        assert_eq!(serde_json::from_str::<Colour>("\"Mauve\"").unwrap(), Colour::Other("Mauve".into()));
        assert_eq!(serde_json::to_string(&Colour::Other("Mauve".into())).unwrap(), "\"Mauve\"");
        assert_eq!(serde_json::to_string(&Colour::Green).unwrap(), "\"Green\"");
        assert_eq!(Colour::Red.to_string(), "Red");
    }
}
