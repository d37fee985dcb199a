//! Metadata policy of OpenID Federation 1.0 (§6.1): how the superiors in a trust chain shape and
//! check the metadata of the chain's subject. Pure: no I/O, no clock.
//!
//! A `metadata_policy` has three levels: entity type → metadata parameter → operators. The
//! standard operators are `value`, `add`, `default`, `one_of`, `subset_of`, `superset_of` and
//! `essential`; [`combine`] merges the policies of a chain (anchor first) and [`apply`] applies
//! the result to one entity type's metadata, in the spec's order. Where the reference
//! implementation (`spid_cie_oidc/entity/policy.py`) differs from the spec, the spec is followed:
//! - `scope` is a space-separated string that the operators treat as a list (§6.1.3.1.8, "Notes
//!   on Operators"); the reference intersects its characters.
//! - `subset_of` keeps the metadata's order, and an empty intersection leaves `[]` (the spec says
//!   so explicitly); the reference loses the order.
//! - Operators this module does not know are ignored, as §6.1.3.2 says, unless a statement
//!   lists them in `metadata_policy_crit`: then [`check_critical`] refuses the chain.

use serde_json::{Map, Value};

/// The operators of §6.1.3.1, in their order of application.
const OPERATORS: [&str; 7] = [
    "value",
    "add",
    "default",
    "one_of",
    "subset_of",
    "superset_of",
    "essential",
];

/// Metadata parameters whose value is a space-separated list (the spec names `scope`).
const SPACE_SEPARATED: [&str; 1] = ["scope"];

/// Why a metadata policy could not be combined or applied. Any of them makes the chain invalid.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum PolicyError {
    /// The policy is not the spec's structure, or an operator has a value of a type it does not take.
    #[error("metadata policy for {claim} is malformed: {reason}")]
    Malformed {
        /// The metadata parameter (or entity type) concerned.
        claim: String,
        /// What is wrong.
        reason: String,
    },
    /// Operators that may not go together, or a superior's and a subordinate's values that do not merge.
    #[error("metadata policy for {claim} conflicts: {reason}")]
    Conflict {
        /// The metadata parameter concerned.
        claim: String,
        /// Which operators, and why.
        reason: String,
    },
    /// The metadata does not satisfy the policy.
    #[error("metadata parameter {claim} refused by policy: {reason}")]
    Refused {
        /// The metadata parameter concerned.
        claim: String,
        /// Which operator refused it.
        reason: String,
    },
    /// A critical operator (`metadata_policy_crit`) that this implementation does not understand.
    #[error("critical policy operator {operator} not understood")]
    UnknownCritical {
        /// The operator's name.
        operator: String,
    },
}

/// Merges a superior's `metadata_policy` with its subordinate's (call it down the chain, anchor
/// first, with the result as the next superior), per §6.1.4.1: entity types and parameters only
/// one side has are copied; for the same operator, `value` and `default` must be equal, `add` and
/// `superset_of` are united, `one_of` and `subset_of` intersected (an empty `one_of` is an error),
/// `essential` is OR-ed. Both policies and the result must hold only allowed combinations.
pub fn combine(
    superior: &Map<String, Value>,
    subordinate: &Map<String, Value>,
) -> Result<Map<String, Value>, PolicyError> {
    let mut merged = Map::new();
    for (entity_type, params) in superior {
        merged.insert(entity_type.clone(), Value::Object(normalised(entity_type, params)?));
    }
    for (entity_type, params) in subordinate {
        let sub = parse_entity_policy(entity_type, params)?;
        let Some(Value::Object(current)) = merged.get_mut(entity_type) else {
            merged.insert(entity_type.clone(), Value::Object(to_entity_map(&sub)));
            continue;
        };
        for (claim, sub_param) in sub {
            let param = match current.get(&claim) {
                Some(sup) => {
                    let sup = ParamPolicy::parse(&claim, sup)?;
                    let param = sup.merge(&claim, &sub_param)?;
                    param.check(&claim)?;
                    param
                }
                None => sub_param,
            };
            current.insert(claim, Value::Object(param.to_map()));
        }
    }
    Ok(merged)
}

/// Applies one entity type's (combined) policy to that type's metadata, per §6.1.4.2, operators
/// in the order `value` (replaces; `null` removes), `add` (unites; initialises an absent
/// parameter), `default` (fills an absent one), `one_of` (the value must be among), `subset_of`
/// (intersects, keeping the metadata's order), `superset_of` (all must be there), `essential`
/// (must be present at the end). An operator meeting a value of a type it does not take is an
/// error, as is an operator combination the spec does not allow.
pub fn apply(policy: &Map<String, Value>, metadata: &Map<String, Value>) -> Result<Map<String, Value>, PolicyError> {
    let mut out = metadata.clone();
    for (claim, operators) in policy {
        let param = ParamPolicy::parse(claim, operators)?;
        param.check(claim)?;
        match param.apply(claim, metadata.get(claim))? {
            Some(value) => out.insert(claim.clone(), value),
            None => out.remove(claim),
        };
    }
    Ok(out)
}

/// Refuses a chain whose statements declare as critical (`metadata_policy_crit`) an operator
/// that this module does not implement (§6.1.3.2); only the standard operators are understood.
pub fn check_critical(critical: &[String]) -> Result<(), PolicyError> {
    match critical.iter().find(|name| !OPERATORS.contains(&name.as_str())) {
        Some(name) => Err(PolicyError::UnknownCritical { operator: name.clone() }),
        None => Ok(()),
    }
}

/// One metadata parameter's operators, parsed and type-checked; unknown operators are dropped.
#[derive(Debug, Clone, Default, PartialEq)]
struct ParamPolicy {
    /// `Some(Value::Null)` removes the parameter.
    value: Option<Value>,
    add: Option<Vec<Value>>,
    default: Option<Value>,
    one_of: Option<Vec<Value>>,
    subset_of: Option<Vec<Value>>,
    superset_of: Option<Vec<Value>>,
    essential: Option<bool>,
}

fn malformed(claim: &str, reason: impl Into<String>) -> PolicyError {
    PolicyError::Malformed {
        claim: claim.to_owned(),
        reason: reason.into(),
    }
}

fn conflict(claim: &str, reason: impl Into<String>) -> PolicyError {
    PolicyError::Conflict {
        claim: claim.to_owned(),
        reason: reason.into(),
    }
}

fn refused(claim: &str, reason: impl Into<String>) -> PolicyError {
    PolicyError::Refused {
        claim: claim.to_owned(),
        reason: reason.into(),
    }
}

fn space_separated(claim: &str) -> bool {
    SPACE_SEPARATED.contains(&claim)
}

/// The list a value stands for: an array's elements, or a space-separated claim's words.
fn as_list(claim: &str, value: &Value) -> Option<Vec<Value>> {
    match value {
        Value::Array(items) => Some(items.clone()),
        Value::String(s) if space_separated(claim) => {
            Some(s.split_whitespace().map(|w| Value::String(w.to_owned())).collect())
        }
        _ => None,
    }
}

/// The values of a `value` operator, for the combination checks: `null` has none, a scalar one.
fn values_of(claim: &str, value: &Value) -> Vec<Value> {
    match value {
        Value::Null => Vec::new(),
        other => as_list(claim, other).unwrap_or_else(|| vec![other.clone()]),
    }
}

fn is_subset(a: &[Value], b: &[Value]) -> bool {
    a.iter().all(|v| b.contains(v))
}

/// Equality of operator values for a merge: arrays (and space-separated strings) as sets, since
/// "the order of the result of such an operator value merge is not defined".
fn same_value(claim: &str, a: &Value, b: &Value) -> bool {
    match (as_list(claim, a), as_list(claim, b)) {
        (Some(a), Some(b)) => is_subset(&a, &b) && is_subset(&b, &a),
        _ => a == b,
    }
}

fn union(a: &[Value], b: &[Value]) -> Vec<Value> {
    let mut out = a.to_vec();
    for v in b {
        if !out.contains(v) {
            out.push(v.clone());
        }
    }
    out
}

fn intersection(a: &[Value], b: &[Value]) -> Vec<Value> {
    a.iter().filter(|v| b.contains(v)).cloned().collect()
}

fn show(values: &[Value]) -> String {
    Value::Array(values.to_vec()).to_string()
}

impl ParamPolicy {
    fn parse(claim: &str, operators: &Value) -> Result<ParamPolicy, PolicyError> {
        let Value::Object(operators) = operators else {
            return Err(malformed(
                claim,
                "a parameter policy must be a JSON object of operators",
            ));
        };
        let list = |name: &str| -> Result<Option<Vec<Value>>, PolicyError> {
            match operators.get(name) {
                None => Ok(None),
                Some(v) => as_list(claim, v)
                    .map(Some)
                    .ok_or_else(|| malformed(claim, format!("{name} must be an array"))),
            }
        };
        let default = match operators.get("default") {
            Some(Value::Null) => return Err(malformed(claim, "default must not be null")),
            other => other.cloned(),
        };
        let essential = match operators.get("essential") {
            None => None,
            Some(Value::Bool(b)) => Some(*b),
            Some(_) => return Err(malformed(claim, "essential must be a boolean")),
        };
        Ok(ParamPolicy {
            value: operators.get("value").cloned(),
            add: list("add")?,
            default,
            one_of: list("one_of")?,
            subset_of: list("subset_of")?,
            superset_of: list("superset_of")?,
            essential,
        })
    }

    /// The combinations §6.1.3.1 allows, for one policy or a merged one.
    fn check(&self, claim: &str) -> Result<(), PolicyError> {
        if let Some(value) = &self.value {
            let values = values_of(claim, value);
            if let Some(add) = &self.add
                && !is_subset(add, &values)
            {
                return Err(conflict(
                    claim,
                    format!("add {} is not within value {value}", show(add)),
                ));
            }
            if value.is_null() && self.default.is_some() {
                return Err(conflict(claim, "default together with value null"));
            }
            if let Some(one_of) = &self.one_of
                && !one_of.contains(value)
            {
                return Err(conflict(
                    claim,
                    format!("value {value} is not among one_of {}", show(one_of)),
                ));
            }
            if let Some(subset_of) = &self.subset_of
                && !is_subset(&values, subset_of)
            {
                return Err(conflict(
                    claim,
                    format!("value {value} is not within subset_of {}", show(subset_of)),
                ));
            }
            if let Some(superset_of) = &self.superset_of
                && !is_subset(superset_of, &values)
            {
                return Err(conflict(
                    claim,
                    format!("value {value} lacks some of superset_of {}", show(superset_of)),
                ));
            }
            if value.is_null() && self.essential == Some(true) {
                return Err(conflict(claim, "value null on an essential parameter"));
            }
        }
        if self.one_of.is_some() {
            for (name, present) in [
                ("add", self.add.is_some()),
                ("subset_of", self.subset_of.is_some()),
                ("superset_of", self.superset_of.is_some()),
            ] {
                if present {
                    return Err(conflict(claim, format!("one_of cannot be combined with {name}")));
                }
            }
        }
        if let (Some(add), Some(subset_of)) = (&self.add, &self.subset_of)
            && !is_subset(add, subset_of)
        {
            return Err(conflict(
                claim,
                format!("add {} is not within subset_of {}", show(add), show(subset_of)),
            ));
        }
        if let (Some(subset_of), Some(superset_of)) = (&self.subset_of, &self.superset_of)
            && !is_subset(superset_of, subset_of)
        {
            return Err(conflict(
                claim,
                format!(
                    "superset_of {} is not within subset_of {}",
                    show(superset_of),
                    show(subset_of)
                ),
            ));
        }
        Ok(())
    }

    /// The superior's operators (`self`) merged with the subordinate's (§6.1.3.1, "operator value merge").
    fn merge(&self, claim: &str, sub: &ParamPolicy) -> Result<ParamPolicy, PolicyError> {
        fn both<T: Clone>(
            a: &Option<T>,
            b: &Option<T>,
            f: impl FnOnce(&T, &T) -> Result<T, PolicyError>,
        ) -> Result<Option<T>, PolicyError> {
            match (a, b) {
                (Some(a), Some(b)) => f(a, b).map(Some),
                (a, b) => Ok(a.clone().or_else(|| b.clone())),
            }
        }
        let equal = |name: &'static str| {
            move |a: &Value, b: &Value| {
                if same_value(claim, a, b) {
                    Ok(a.clone())
                } else {
                    Err(conflict(
                        claim,
                        format!("{name} {a} of the superior and {b} of the subordinate differ"),
                    ))
                }
            }
        };
        Ok(ParamPolicy {
            value: both(&self.value, &sub.value, equal("value"))?,
            add: both(&self.add, &sub.add, |a, b| Ok(union(a, b)))?,
            default: both(&self.default, &sub.default, equal("default"))?,
            one_of: both(&self.one_of, &sub.one_of, |a, b| {
                let common = intersection(a, b);
                if common.is_empty() {
                    Err(conflict(
                        claim,
                        format!("one_of {} and {} have nothing in common", show(a), show(b)),
                    ))
                } else {
                    Ok(common)
                }
            })?,
            subset_of: both(&self.subset_of, &sub.subset_of, |a, b| Ok(intersection(a, b)))?,
            superset_of: both(&self.superset_of, &sub.superset_of, |a, b| Ok(union(a, b)))?,
            essential: both(&self.essential, &sub.essential, |a, b| Ok(*a || *b))?,
        })
    }

    fn to_map(&self) -> Map<String, Value> {
        let mut map = Map::new();
        let lists = [
            ("add", &self.add),
            ("one_of", &self.one_of),
            ("subset_of", &self.subset_of),
            ("superset_of", &self.superset_of),
        ];
        if let Some(v) = &self.value {
            map.insert("value".into(), v.clone());
        }
        if let Some(v) = &self.default {
            map.insert("default".into(), v.clone());
        }
        for (name, list) in lists {
            if let Some(list) = list {
                map.insert(name.into(), Value::Array(list.clone()));
            }
        }
        if let Some(v) = self.essential {
            map.insert("essential".into(), Value::Bool(v));
        }
        map
    }

    /// The parameter's value after the operators, in the spec's order; `None` when absent.
    fn apply(&self, claim: &str, current: Option<&Value>) -> Result<Option<Value>, PolicyError> {
        // A space-separated parameter is worked on as a list and written back as a string.
        let list_form = |v: &Value| -> Value {
            as_list(claim, v)
                .filter(|_| space_separated(claim))
                .map_or_else(|| v.clone(), Value::Array)
        };
        let mut current = current.map(list_form);
        let array_of = |name: &str, v: &Value| -> Result<Vec<Value>, PolicyError> {
            match v {
                Value::Array(items) => Ok(items.clone()),
                other => Err(refused(
                    claim,
                    format!("{name} needs an array, the metadata has {other}"),
                )),
            }
        };
        if let Some(value) = &self.value {
            current = (!value.is_null()).then(|| list_form(value));
        }
        if let Some(add) = &self.add {
            current = Some(Value::Array(match &current {
                None => add.clone(),
                Some(v) => union(&array_of("add", v)?, add),
            }));
        }
        if let (None, Some(default)) = (&current, &self.default) {
            current = Some(list_form(default));
        }
        if let (Some(v), Some(one_of)) = (&current, &self.one_of)
            && (v.is_array() || !one_of.contains(v))
        {
            return Err(refused(claim, format!("{v} is not one of {}", show(one_of))));
        }
        if let (Some(v), Some(subset_of)) = (&current, &self.subset_of) {
            current = Some(Value::Array(intersection(&array_of("subset_of", v)?, subset_of)));
        }
        if let (Some(v), Some(superset_of)) = (&current, &self.superset_of) {
            let have = array_of("superset_of", v)?;
            let missing: Vec<Value> = superset_of.iter().filter(|s| !have.contains(s)).cloned().collect();
            if !missing.is_empty() {
                return Err(refused(
                    claim,
                    format!("lacks {} required by superset_of", show(&missing)),
                ));
            }
        }
        if current.is_none() && self.essential == Some(true) {
            return Err(refused(claim, "essential, and absent"));
        }
        match current {
            Some(Value::Array(words)) if space_separated(claim) => {
                let words: Option<Vec<&str>> = words.iter().map(Value::as_str).collect();
                let words = words.ok_or_else(|| refused(claim, "a space-separated parameter holds strings only"))?;
                Ok(Some(Value::String(words.join(" "))))
            }
            other => Ok(other),
        }
    }
}

fn parse_entity_policy(entity_type: &str, params: &Value) -> Result<Vec<(String, ParamPolicy)>, PolicyError> {
    let Value::Object(params) = params else {
        return Err(malformed(entity_type, "an entity type's policy must be a JSON object"));
    };
    params
        .iter()
        .map(|(claim, operators)| {
            let param = ParamPolicy::parse(claim, operators)?;
            param.check(claim)?;
            Ok((claim.clone(), param))
        })
        .collect()
}

fn to_entity_map(params: &[(String, ParamPolicy)]) -> Map<String, Value> {
    params
        .iter()
        .map(|(claim, p)| (claim.clone(), Value::Object(p.to_map())))
        .collect()
}

/// An entity type's policy, validated, with unknown operators dropped.
fn normalised(entity_type: &str, params: &Value) -> Result<Map<String, Value>, PolicyError> {
    Ok(to_entity_map(&parse_entity_policy(entity_type, params)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn map(v: Value) -> Map<String, Value> {
        v.as_object().expect("a JSON object").clone()
    }

    fn applied(policy: Value, metadata: Value) -> Result<Map<String, Value>, PolicyError> {
        apply(&map(policy), &map(metadata))
    }

    #[test]
    fn value_replaces_the_parameter_and_null_removes_it() {
        let out = applied(
            json!({ "subject_types_supported": { "value": ["pairwise"] }, "op_uri": { "value": null } }),
            json!({ "subject_types_supported": ["public", "pairwise"], "op_uri": "https://op", "issuer": "https://op" }),
        )
        .unwrap();
        assert_eq!(
            out,
            map(json!({ "subject_types_supported": ["pairwise"], "issuer": "https://op" }))
        );
    }

    #[test]
    fn add_unites_without_duplicates_and_initialises_an_absent_parameter() {
        let policy = json!({ "contacts": { "add": ["ops@fed.example", "a@rp.example"] } });
        let out = applied(policy.clone(), json!({ "contacts": ["a@rp.example"] })).unwrap();
        assert_eq!(out["contacts"], json!(["a@rp.example", "ops@fed.example"]));
        assert_eq!(
            applied(policy, json!({})).unwrap()["contacts"],
            json!(["ops@fed.example", "a@rp.example"])
        );
        assert!(matches!(
            applied(json!({ "contacts": { "add": ["x"] } }), json!({ "contacts": "x" })),
            Err(PolicyError::Refused { claim, .. }) if claim == "contacts"
        ));
    }

    #[test]
    fn default_fills_only_an_absent_parameter() {
        let policy = json!({ "id_token_signed_response_alg": { "default": "ES256" } });
        assert_eq!(
            applied(policy.clone(), json!({})).unwrap()["id_token_signed_response_alg"],
            "ES256"
        );
        assert_eq!(
            applied(policy, json!({ "id_token_signed_response_alg": "RS256" })).unwrap()["id_token_signed_response_alg"],
            "RS256"
        );
    }

    #[test]
    fn one_of_requires_the_value_among_its_values_and_ignores_an_absent_parameter() {
        let policy =
            json!({ "token_endpoint_auth_method": { "one_of": ["private_key_jwt", "self_signed_tls_client_auth"] } });
        assert!(
            applied(
                policy.clone(),
                json!({ "token_endpoint_auth_method": "private_key_jwt" })
            )
            .is_ok()
        );
        assert!(applied(policy.clone(), json!({})).unwrap().is_empty());
        assert_eq!(
            applied(
                policy.clone(),
                json!({ "token_endpoint_auth_method": "client_secret_basic" })
            ),
            Err(PolicyError::Refused {
                claim: "token_endpoint_auth_method".into(),
                reason: r#""client_secret_basic" is not one of ["private_key_jwt","self_signed_tls_client_auth"]"#
                    .into()
            })
        );
        assert!(applied(policy, json!({ "token_endpoint_auth_method": ["private_key_jwt"] })).is_err());
    }

    #[test]
    fn subset_of_intersects_keeping_the_metadata_order_and_may_leave_an_empty_list() {
        let policy = json!({ "id_token_signing_alg_values_supported": { "subset_of": ["ES256", "RS256", "PS256"] } });
        let out = applied(
            policy.clone(),
            json!({ "id_token_signing_alg_values_supported": ["RS256", "HS256", "ES256"] }),
        )
        .unwrap();
        assert_eq!(out["id_token_signing_alg_values_supported"], json!(["RS256", "ES256"]));
        // The spec (subset_of, "Action"): the intersection may be the empty array; it stays.
        let out = applied(
            policy.clone(),
            json!({ "id_token_signing_alg_values_supported": ["HS256"] }),
        )
        .unwrap();
        assert_eq!(out["id_token_signing_alg_values_supported"], json!([]));
        assert!(applied(policy, json!({})).unwrap().is_empty());
    }

    #[test]
    fn superset_of_refuses_metadata_without_all_its_values() {
        let policy = json!({ "grant_types": { "superset_of": ["authorization_code"] } });
        assert!(
            applied(
                policy.clone(),
                json!({ "grant_types": ["authorization_code", "refresh_token"] })
            )
            .is_ok()
        );
        assert!(applied(policy.clone(), json!({})).is_ok());
        assert_eq!(
            applied(policy, json!({ "grant_types": ["refresh_token"] })),
            Err(PolicyError::Refused {
                claim: "grant_types".into(),
                reason: r#"lacks ["authorization_code"] required by superset_of"#.into()
            })
        );
    }

    #[test]
    fn essential_refuses_a_parameter_absent_after_the_other_operators() {
        let policy = json!({ "redirect_uris": { "essential": true } });
        assert!(
            matches!(applied(policy.clone(), json!({})), Err(PolicyError::Refused { claim, .. }) if claim == "redirect_uris")
        );
        assert!(applied(policy, json!({ "redirect_uris": ["https://rp/cb"] })).is_ok());
        // A default given by the same policy satisfies it.
        assert!(applied(json!({ "a": { "essential": true, "default": "x" } }), json!({})).is_ok());
        // The table of "Notes on Operators": essential with subset_of on an absent parameter.
        assert!(applied(json!({ "a": { "essential": true, "subset_of": ["a"] } }), json!({})).is_err());
        assert!(
            applied(json!({ "a": { "essential": false, "subset_of": ["a"] } }), json!({}))
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn scope_is_worked_on_as_its_space_separated_values() {
        let policy = json!({ "scope": { "superset_of": ["openid"], "subset_of": ["openid", "offline_access"] } });
        let out = applied(policy.clone(), json!({ "scope": "openid profile offline_access" })).unwrap();
        assert_eq!(out["scope"], "openid offline_access");
        assert!(matches!(
            applied(policy, json!({ "scope": "profile" })),
            Err(PolicyError::Refused { .. })
        ));
        let out = applied(
            json!({ "scope": { "add": ["email"], "default": "openid" } }),
            json!({ "scope": "openid" }),
        )
        .unwrap();
        assert_eq!(out["scope"], "openid email");
    }

    #[test]
    fn operators_with_values_of_the_wrong_type_are_malformed() {
        for policy in [
            json!({ "a": { "subset_of": "x" } }),
            json!({ "a": { "essential": "yes" } }),
            json!({ "a": { "default": null } }),
            json!({ "a": ["value"] }),
        ] {
            assert!(matches!(applied(policy, json!({})), Err(PolicyError::Malformed { .. })));
        }
    }

    #[test]
    fn combinations_the_spec_forbids_are_conflicts() {
        for policy in [
            json!({ "a": { "one_of": ["x"], "subset_of": ["x"] } }),
            json!({ "a": { "one_of": ["x"], "add": ["x"] } }),
            json!({ "a": { "value": ["x", "y"], "subset_of": ["x"] } }),
            json!({ "a": { "value": ["x"], "superset_of": ["x", "y"] } }),
            json!({ "a": { "value": ["x"], "add": ["z"] } }),
            json!({ "a": { "value": "x", "one_of": ["y"] } }),
            json!({ "a": { "value": null, "default": "x" } }),
            json!({ "a": { "value": null, "essential": true } }),
            json!({ "a": { "add": ["z"], "subset_of": ["x"] } }),
            json!({ "a": { "subset_of": ["x"], "superset_of": ["x", "y"] } }),
        ] {
            assert!(
                matches!(applied(policy.clone(), json!({})), Err(PolicyError::Conflict { .. })),
                "{policy}"
            );
        }
        assert!(
            applied(
                json!({ "a": { "value": "x", "one_of": ["x", "y"], "essential": true } }),
                json!({})
            )
            .is_ok()
        );
    }

    #[test]
    fn unknown_operators_are_ignored_unless_critical() {
        let out = applied(json!({ "a": { "regexp": "^x", "default": "y" } }), json!({})).unwrap();
        assert_eq!(out["a"], "y");
        assert_eq!(check_critical(&["value".into()]), Ok(()));
        assert_eq!(
            check_critical(&["regexp".into()]),
            Err(PolicyError::UnknownCritical {
                operator: "regexp".into()
            })
        );
    }

    #[test]
    fn combining_follows_the_merge_rule_of_each_operator() {
        // The spec's example (§6.1.5): a trust anchor's RP policy, then an intermediate's.
        let anchor = map(json!({ "openid_relying_party": {
            "grant_types": { "default": ["authorization_code"], "subset_of": ["authorization_code", "refresh_token"],
                             "superset_of": ["authorization_code"] },
            "token_endpoint_auth_method": { "one_of": ["private_key_jwt", "self_signed_tls_client_auth"], "essential": true },
            "token_endpoint_auth_signing_alg": { "one_of": ["PS256", "ES256"] },
            "subject_type": { "value": "pairwise" },
            "contacts": { "add": ["helpdesk@federation.example.org"] },
        }}));
        let intermediate = map(json!({ "openid_relying_party": {
            "grant_types": { "subset_of": ["authorization_code"] },
            "token_endpoint_auth_method": { "one_of": ["self_signed_tls_client_auth"] },
            "contacts": { "add": ["helpdesk@org.example.org"] },
        }, "federation_entity": { "contacts": { "add": ["x@org.example.org"] } } }));
        let merged = combine(&anchor, &intermediate).unwrap();
        assert_eq!(
            Value::Object(merged.clone()),
            json!({ "openid_relying_party": {
                "grant_types": { "default": ["authorization_code"], "superset_of": ["authorization_code"],
                                 "subset_of": ["authorization_code"] },
                "token_endpoint_auth_method": { "one_of": ["self_signed_tls_client_auth"], "essential": true },
                "token_endpoint_auth_signing_alg": { "one_of": ["PS256", "ES256"] },
                "subject_type": { "value": "pairwise" },
                "contacts": { "add": ["helpdesk@federation.example.org", "helpdesk@org.example.org"] },
            }, "federation_entity": { "contacts": { "add": ["x@org.example.org"] } } })
        );
        let rp = map(json!({
            "redirect_uris": ["https://rp.example.org/callback"],
            "response_types": ["code"],
            "token_endpoint_auth_method": "self_signed_tls_client_auth",
            "contacts": ["rp_admins@rp.example.org"],
        }));
        let resolved = apply(merged["openid_relying_party"].as_object().unwrap(), &rp).unwrap();
        assert_eq!(
            Value::Object(resolved),
            json!({
                "redirect_uris": ["https://rp.example.org/callback"],
                "grant_types": ["authorization_code"],
                "response_types": ["code"],
                "token_endpoint_auth_method": "self_signed_tls_client_auth",
                "subject_type": "pairwise",
                "contacts": ["rp_admins@rp.example.org", "helpdesk@federation.example.org", "helpdesk@org.example.org"],
            })
        );
        // essential is OR-ed, superset_of united.
        let merged = combine(
            &map(json!({ "t": { "a": { "essential": true, "superset_of": ["x"] } } })),
            &map(json!({ "t": { "a": { "essential": false, "superset_of": ["y"] } } })),
        )
        .unwrap();
        assert_eq!(
            merged["t"]["a"],
            json!({ "essential": true, "superset_of": ["x", "y"] })
        );
    }

    #[test]
    fn combining_conflicting_policies_is_an_error() {
        let pairs = [
            (json!({ "value": ["pairwise"] }), json!({ "value": ["public"] })),
            (json!({ "default": "ES256" }), json!({ "default": "RS256" })),
            (json!({ "one_of": ["a", "b"] }), json!({ "one_of": ["c"] })),
            // Each merges, but the result holds a forbidden combination.
            (json!({ "subset_of": ["a", "b"] }), json!({ "superset_of": ["c"] })),
            (json!({ "value": ["a"] }), json!({ "add": ["b"] })),
        ];
        for (sup, sub) in pairs {
            let err = combine(&map(json!({ "t": { "p": sup } })), &map(json!({ "t": { "p": sub } }))).unwrap_err();
            assert!(
                matches!(&err, PolicyError::Conflict { claim, .. } if claim == "p"),
                "{err}"
            );
        }
        // Arrays merge as sets: the same value in another order is no conflict.
        assert!(
            combine(
                &map(json!({ "t": { "p": { "value": ["a", "b"] } } })),
                &map(json!({ "t": { "p": { "value": ["b", "a"] } } }))
            )
            .is_ok()
        );
        // A subordinate's own policy is validated even where the superior has none.
        assert!(
            combine(
                &Map::new(),
                &map(json!({ "t": { "p": { "one_of": ["a"], "add": ["a"] } } }))
            )
            .is_err()
        );
    }

    /// `FEDERATION_DEFAULT_POLICY` of the reference implementation's `authority/settings.py`, as
    /// the test federation's anchor puts it in its subordinate statements (docs/adr/0024).
    fn reference_default_policy() -> Map<String, Value> {
        let signing = json!(["RS256", "RS384", "RS512", "ES256", "ES384", "ES512"]);
        let enc_alg = json!([
            "RSA-OAEP",
            "RSA-OAEP-256",
            "ECDH-ES",
            "ECDH-ES+A128KW",
            "ECDH-ES+A192KW",
            "ECDH-ES+A256KW"
        ]);
        let enc_enc = json!([
            "A128CBC-HS256",
            "A192CBC-HS384",
            "A256CBC-HS512",
            "A128GCM",
            "A192GCM",
            "A256GCM"
        ]);
        map(json!({
            "openid_relying_party": {
                "grant_types": { "subset_of": ["authorization_code", "refresh_token"] },
                "scope": { "superset_of": ["openid"], "subset_of": ["openid", "offline_access"] },
            },
            "openid_provider": {
                "subject_types_supported": { "value": ["pairwise"] },
                "token_endpoint_auth_methods_supported": { "value": ["private_key_jwt"] },
                "id_token_signing_alg_values_supported": { "subset_of": signing },
                "userinfo_signing_alg_values_supported": { "subset_of": signing },
                "request_object_signing_alg_values_supported": { "subset_of": signing },
                "userinfo_encryption_alg_values_supported": { "subset_of": enc_alg },
                "request_object_encryption_alg_values_supported": { "subset_of": enc_alg },
                "userinfo_encryption_enc_values_supported": { "subset_of": enc_enc },
                "request_object_encryption_enc_values_supported": { "subset_of": enc_enc },
            },
        }))
    }

    #[test]
    fn the_test_federations_default_policy_leaves_a_conforming_provider_as_published() {
        let op = map(json!({
            "issuer": "http://127.0.0.1:8101/oidc/op",
            "subject_types_supported": ["pairwise", "public"],
            "token_endpoint_auth_methods_supported": ["private_key_jwt"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "userinfo_signing_alg_values_supported": ["RS256"],
            "request_object_signing_alg_values_supported": ["RS256", "ES256", "HS256"],
            "userinfo_encryption_alg_values_supported": ["RSA-OAEP"],
            "userinfo_encryption_enc_values_supported": ["A256CBC-HS512"],
            "scopes_supported": ["openid", "offline_access"],
        }));
        let policy = combine(&Map::new(), &reference_default_policy()).unwrap();
        let out = apply(policy["openid_provider"].as_object().unwrap(), &op).unwrap();
        let mut expected = op.clone();
        expected.insert("subject_types_supported".into(), json!(["pairwise"]));
        expected.insert(
            "request_object_signing_alg_values_supported".into(),
            json!(["RS256", "ES256"]),
        );
        assert_eq!(out, expected);
        // Absent encryption parameters stay absent: subset_of does not create them.
        assert!(!out.contains_key("request_object_encryption_alg_values_supported"));
    }

    #[test]
    fn the_test_federations_default_policy_checks_a_relying_partys_scope_by_word() {
        let policy = reference_default_policy();
        let rp = policy["openid_relying_party"].as_object().unwrap();
        let out = apply(
            rp,
            &map(json!({ "scope": "openid offline_access profile", "grant_types": ["authorization_code"] })),
        )
        .unwrap();
        assert_eq!(out["scope"], "openid offline_access");
        assert!(apply(rp, &map(json!({ "scope": "offline_access" }))).is_err());
    }
}
