//! The credentials a citizen logs in with, ranked by how sure they make us of who is there
//! (docs/adr/0017). The simplified PIN (8 characters by SMS, e-mail and PEC to contacts anyone may
//! type) proves least; the full PIN adds the letter posted to the registered residence; SPID and
//! CIE at level 2 and the CNS are an identity someone else verified; SPID and CIE at level 3 add a
//! certified device.
//!
//! A draft or an application carries the credential it was made with, and a session reads or
//! changes only those made at its strength or below: in 2020 a stranger with a simplified PIN read
//! and replaced the IBAN of a citizen who had logged in with SPID.

use serde::{Deserialize, Serialize};

use crate::{Lang, Scope};

/// How a citizen proved who they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Credential {
    /// The first 8 characters of the PIN.
    SimplifiedPin,
    /// All 16 characters of the PIN.
    FullPin,
    /// SPID at level 2.
    SpidL2,
    /// SPID at level 3.
    SpidL3,
    /// CIE at level 2 (its OpenID provider asserts the SPID levels).
    CieL2,
    /// CIE at level 3.
    CieL3,
    /// The Carta Nazionale dei Servizi, read by a card reader.
    Cns,
}

/// How much a credential proves, weakest first: what decides who sees what.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Strength {
    /// The simplified PIN.
    SimplifiedPin,
    /// The full PIN.
    FullPin,
    /// SPID or CIE at level 2, CNS.
    Strong,
    /// SPID or CIE at level 3.
    Highest,
}

/// The SPID levels as OpenID Connect `acr` values (CIE's provider uses the same ones).
pub const ACR_LEVEL_3: &str = "https://www.spid.gov.it/SpidL3";

/// Which identity provider vouched for the citizen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provider {
    /// A SPID identity provider.
    Spid,
    /// The CIE provider.
    Cie,
}

impl Credential {
    /// Every credential.
    pub const ALL: [Credential; 7] = [
        Credential::SimplifiedPin,
        Credential::FullPin,
        Credential::SpidL2,
        Credential::SpidL3,
        Credential::CieL2,
        Credential::CieL3,
        Credential::Cns,
    ];

    /// How much it proves.
    pub fn strength(self) -> Strength {
        match self {
            Credential::SimplifiedPin => Strength::SimplifiedPin,
            Credential::FullPin => Strength::FullPin,
            Credential::SpidL2 | Credential::CieL2 | Credential::Cns => Strength::Strong,
            Credential::SpidL3 | Credential::CieL3 => Strength::Highest,
        }
    }

    /// The PIN credential of a PIN session of `scope`.
    pub fn pin(scope: Scope) -> Credential {
        match scope {
            Scope::Simplified => Credential::SimplifiedPin,
            Scope::Full => Credential::FullPin,
        }
    }

    /// The credential `provider` vouched for at the level `acr` (already checked to be 2 or 3).
    pub fn from_provider(provider: Provider, acr: &str) -> Credential {
        let level_3 = acr == ACR_LEVEL_3;
        match (provider, level_3) {
            (Provider::Spid, false) => Credential::SpidL2,
            (Provider::Spid, true) => Credential::SpidL3,
            (Provider::Cie, false) => Credential::CieL2,
            (Provider::Cie, true) => Credential::CieL3,
        }
    }

    /// The credential of a session stored before credentials were recorded, from its scope and
    /// method (`pin`, `spid`, `cie`, `cns`): SPID and CIE then asked for level 2.
    pub fn of_session(scope: Scope, method: &str) -> Credential {
        match method {
            "spid" => Credential::SpidL2,
            "cie" => Credential::CieL2,
            "cns" => Credential::Cns,
            _ => Credential::pin(scope),
        }
    }

    /// Whether a session with this credential may read and change what was made with `made_with`.
    pub fn opens(self, made_with: Credential) -> bool {
        self.strength() >= made_with.strength()
    }

    /// Whether it is an identity someone else verified (SPID, CIE, CNS): never slowed by the PIN's
    /// attempt counters, and allowed to revoke a PIN request it did not make.
    pub fn is_strong(self) -> bool {
        self.strength() >= Strength::Strong
    }

    /// Whether a session with it may see every PIN request and application in the citizen's name
    /// and report one as not theirs: a strong credential or the full PIN, whose second half
    /// went by post to the registered residence.
    pub fn may_review_identity(self) -> bool {
        self.strength() >= Strength::FullPin
    }

    /// The wire and storage form.
    pub fn as_str(self) -> &'static str {
        match self {
            Credential::SimplifiedPin => "simplified_pin",
            Credential::FullPin => "full_pin",
            Credential::SpidL2 => "spid_l2",
            Credential::SpidL3 => "spid_l3",
            Credential::CieL2 => "cie_l2",
            Credential::CieL3 => "cie_l3",
            Credential::Cns => "cns",
        }
    }

    /// Parses the wire form.
    pub fn parse(s: &str) -> Option<Credential> {
        Credential::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// Its name as a citizen knows it.
    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Credential::SimplifiedPin, Lang::It) => "PIN semplificato",
            (Credential::SimplifiedPin, Lang::En) => "simplified PIN",
            (Credential::FullPin, Lang::It) => "PIN completo",
            (Credential::FullPin, Lang::En) => "full PIN",
            (Credential::SpidL2, Lang::It) => "SPID di livello 2",
            (Credential::SpidL2, Lang::En) => "SPID level 2",
            (Credential::SpidL3, Lang::It) => "SPID di livello 3",
            (Credential::SpidL3, Lang::En) => "SPID level 3",
            (Credential::CieL2, Lang::It) => "CIE di livello 2",
            (Credential::CieL2, Lang::En) => "CIE level 2",
            (Credential::CieL3, Lang::It) => "CIE di livello 3",
            (Credential::CieL3, Lang::En) => "CIE level 3",
            (Credential::Cns, _) => "CNS",
        }
    }
}

impl Strength {
    /// The wire form.
    pub fn as_str(self) -> &'static str {
        match self {
            Strength::SimplifiedPin => "simplified_pin",
            Strength::FullPin => "full_pin",
            Strength::Strong => "strong",
            Strength::Highest => "highest",
        }
    }

    /// The credentials that open what was made at this strength, as a sentence's end: "SPID, CIE
    /// o CNS".
    pub fn opened_by(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Strength::SimplifiedPin, Lang::It) => "il PIN, SPID, CIE o CNS",
            (Strength::SimplifiedPin, Lang::En) => "the PIN, SPID, CIE or CNS",
            (Strength::FullPin, Lang::It) => "il PIN completo di 16 caratteri, SPID, CIE o CNS",
            (Strength::FullPin, Lang::En) => "the full 16-character PIN, SPID, CIE or CNS",
            (Strength::Strong, Lang::It) => "SPID, CIE o CNS",
            (Strength::Strong, Lang::En) => "SPID, CIE or CNS",
            (Strength::Highest, Lang::It) => "SPID o CIE di livello 3",
            (Strength::Highest, Lang::En) => "SPID or CIE at level 3",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_simplified_pin_is_weaker_than_the_full_pin_which_is_weaker_than_spid_cie_and_cns() {
        use Credential::*;
        assert!(SimplifiedPin.strength() < FullPin.strength());
        for strong in [SpidL2, CieL2, Cns] {
            assert!(FullPin.strength() < strong.strength());
            assert_eq!(strong.strength(), Strength::Strong);
        }
        for highest in [SpidL3, CieL3] {
            assert!(Cns.strength() < highest.strength());
        }
    }

    #[test]
    fn a_session_opens_what_was_made_at_its_strength_or_below_and_nothing_stronger() {
        for mine in Credential::ALL {
            for made in Credential::ALL {
                assert_eq!(
                    mine.opens(made),
                    mine.strength() >= made.strength(),
                    "{mine:?} {made:?}"
                );
            }
        }
        assert!(!Credential::SimplifiedPin.opens(Credential::SpidL2));
        assert!(Credential::Cns.opens(Credential::SpidL2), "equal strength opens");
        assert!(Credential::SpidL2.opens(Credential::SimplifiedPin));
        assert!(!Credential::CieL2.opens(Credential::SpidL3));
    }

    #[test]
    fn only_spid_cie_and_cns_are_strong_and_the_full_pin_may_also_review_the_identity() {
        let strong: Vec<_> = Credential::ALL.into_iter().filter(|c| c.is_strong()).collect();
        assert_eq!(strong.len(), 5);
        assert!(!Credential::FullPin.is_strong() && Credential::FullPin.may_review_identity());
        assert!(!Credential::SimplifiedPin.may_review_identity());
    }

    #[test]
    fn the_level_asserted_by_the_provider_names_the_credential() {
        assert_eq!(
            Credential::from_provider(Provider::Spid, "https://www.spid.gov.it/SpidL2"),
            Credential::SpidL2
        );
        assert_eq!(Credential::from_provider(Provider::Cie, ACR_LEVEL_3), Credential::CieL3);
        assert_eq!(
            Credential::of_session(Scope::Simplified, "pin"),
            Credential::SimplifiedPin
        );
        assert_eq!(Credential::of_session(Scope::Full, "pin"), Credential::FullPin);
        assert_eq!(Credential::of_session(Scope::Full, "cns"), Credential::Cns);
    }

    #[test]
    fn each_name_is_the_one_serde_writes_and_reads_back_and_each_has_words() {
        for c in Credential::ALL {
            assert_eq!(serde_json::to_string(&c).unwrap(), format!("\"{}\"", c.as_str()));
            assert_eq!(Credential::parse(c.as_str()), Some(c));
            assert!(!c.label(Lang::It).is_empty() && !c.label(Lang::En).is_empty());
            assert!(!c.strength().opened_by(Lang::En).is_empty());
        }
    }
}
