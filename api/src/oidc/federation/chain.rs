//! Trust chains of OpenID Federation 1.0 ("Resolving the Trust Chain and Metadata"): how we come to trust an OpenID provider we were
//! given only the entity id of. Its entity configuration names its superiors (`authority_hints`);
//! each superior's fetch endpoint answers a subordinate statement about the entity below, with
//! the keys that must have signed the level below; at the top, a trust anchor whose keys we
//! pinned in configuration. Along the way the superiors' metadata policies are combined and
//! applied ([`super::policy`]), and the provider's trust marks are checked against the anchor.
//!
//! [`verify_chain`] is the pure check of a fetched chain; [`Resolver`] fetches over HTTP, picks
//! a path to a configured anchor and caches what it resolved until the chain expires.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use serde_json::{Map, Value};

use super::policy::{self, PolicyError};
use crate::jose::{self, Jwks};

/// The `typ` of every entity statement (configurations and subordinate statements).
pub const ENTITY_STATEMENT_TYP: &str = "entity-statement+jwt";
/// The `typ` of a trust mark (§7), as the spec and the reference implementation
/// (`authority/models.py`, `trust_mark_as_jws`) both write it.
pub const TRUST_MARK_TYP: &str = "trust-mark+jwt";
/// The path of an entity configuration under its entity id.
pub const WELL_KNOWN: &str = "/.well-known/openid-federation";
/// Clock skew tolerated on `iat` and `exp`.
const LEEWAY_S: i64 = 60;
/// At most this many superiors between a provider and its anchor (intermediates + the anchor).
const MAX_SUPERIORS: usize = 3;
/// A resolved entity is trusted again without refetching for at most this long.
const CACHE_AT_MOST_S: i64 = 3600;
/// Authority hints followed per entity: a hostile entity must not make us fetch without end.
const MAX_HINTS: usize = 8;
/// Entity statements and lists are small; anything bigger is refused unread.
const MAX_BODY: usize = 256 * 1024;
/// Entries kept in the cache before expired ones are swept out.
const MAX_CACHED: usize = 1024;
const HTTP_TIMEOUT: Duration = Duration::from_secs(10);
/// Content types an entity statement may come with: the spec's, and the generic ones some
/// servers use.
const STATEMENT_TYPES: [&str; 3] = [
    "application/entity-statement+jwt",
    "application/jose",
    "application/jwt",
];

/// A trust anchor of configuration: its entity id and its federation keys, pinned (never fetched).
#[derive(Debug, Clone)]
pub struct TrustAnchor {
    /// The anchor's entity id.
    pub entity_id: String,
    /// The keys that sign its entity configuration and its subordinate statements.
    pub jwks: Jwks,
}

/// An entity whose trust chain verified, with what we may use of it.
#[derive(Debug, Clone)]
pub struct ResolvedEntity {
    /// The entity id (the chain's subject).
    pub entity_id: String,
    /// Its metadata of the entity type asked for, with the chain's metadata policy applied.
    pub metadata: Map<String, Value>,
    /// Its `federation_entity` metadata (`organization_name`, ...), policy applied, if it has any.
    pub federation_entity: Option<Map<String, Value>>,
    /// The entity id of the anchor the chain ends at.
    pub trust_anchor: String,
    /// The types of the trust marks that verified: issued by the anchor, listed for that type in
    /// its `trust_mark_issuers`, about this entity, not expired.
    pub trust_marks: Vec<String>,
    /// When the first statement of the chain (or a trust mark counted) expires: trust ends then.
    pub expires_at: i64,
    /// The chain as compact JWTs, leaf first: its configuration, the subordinate statements up
    /// to the anchor's, and the anchor's configuration when it was given.
    pub chain: Vec<String>,
}

/// Why an entity is not trusted.
#[derive(Debug, thiserror::Error)]
pub enum ChainError {
    /// A statement could not be fetched (network, status, content type, size).
    #[error("fetching {url}: {reason}")]
    Fetch {
        /// The URL asked for.
        url: String,
        /// What went wrong.
        reason: String,
    },
    /// A statement that does not verify: bad signature, wrong `typ`, `iss`/`sub` not as they
    /// must be, malformed.
    #[error("statement about {entity}: {reason}")]
    Statement {
        /// The entity the statement is about.
        entity: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A statement of the chain has expired (or the chain's statements are not yet valid).
    #[error("statement about {entity} expired")]
    Expired {
        /// The entity the statement is about.
        entity: String,
    },
    /// No path of authority hints reaches a configured trust anchor, or the statements do not
    /// link the entity to it.
    #[error("{entity} is not in a federation of a configured trust anchor")]
    NotInFederation {
        /// The entity asked about.
        entity: String,
    },
    /// The chain's metadata policy does not combine, or the metadata does not satisfy it.
    #[error(transparent)]
    Policy(#[from] PolicyError),
    /// The entity has no metadata of the entity type asked for.
    #[error("{entity} has no {entity_type} metadata")]
    MissingMetadata {
        /// The entity.
        entity: String,
        /// The entity type asked for.
        entity_type: String,
    },
    /// None of the required trust marks verified.
    #[error("{entity} has no valid trust mark {id}")]
    MissingTrustMark {
        /// The entity.
        entity: String,
        /// The required trust mark type(s), comma-separated.
        id: String,
    },
    /// More intermediates than a `max_path_length` constraint of the chain allows.
    #[error("trust chain longer than its constraints allow")]
    PathTooLong,
}

fn statement_error(entity: &str, reason: impl Into<String>) -> ChainError {
    ChainError::Statement {
        entity: entity.to_owned(),
        reason: reason.into(),
    }
}

/// The payload of a compact JWS, unverified: only to learn whose keys must verify it.
fn unverified_claims(token: &str) -> Option<Map<String, Value>> {
    let payload = token.split('.').nth(1)?;
    serde_json::from_slice(&B64.decode(payload).ok()?).ok()
}

fn string_claim<'a>(claims: &'a Map<String, Value>, name: &str) -> Option<&'a str> {
    claims.get(name).and_then(Value::as_str)
}

/// The subject of an unverified statement, or the error naming `context`.
fn subject_of(token: &str, context: &str) -> Result<(String, String), ChainError> {
    let claims = unverified_claims(token).ok_or_else(|| statement_error(context, "not a JWS with a JSON payload"))?;
    match (string_claim(&claims, "iss"), string_claim(&claims, "sub")) {
        (Some(iss), Some(sub)) => Ok((iss.to_owned(), sub.to_owned())),
        _ => Err(statement_error(context, "no iss or sub")),
    }
}

fn jwks_claim(claims: &Map<String, Value>, entity: &str) -> Result<Jwks, ChainError> {
    claims
        .get("jwks")
        .and_then(Jwks::from_value)
        .filter(|jwks| !jwks.keys.is_empty())
        .ok_or_else(|| statement_error(entity, "no jwks"))
}

/// Verifies an entity statement's signature with `jwks`, its `typ` and its validity at `now`;
/// `entity` names it in errors. Returns its claims and `exp`.
fn verify_statement(token: &str, jwks: &Jwks, entity: &str, now: i64) -> Result<(Map<String, Value>, i64), ChainError> {
    let claims =
        jose::verify_typed(token, jwks, ENTITY_STATEMENT_TYP).map_err(|e| statement_error(entity, e.to_string()))?;
    let (Some(iat), Some(exp)) = (
        claims.get("iat").and_then(Value::as_i64),
        claims.get("exp").and_then(Value::as_i64),
    ) else {
        return Err(statement_error(entity, "no numeric iat and exp"));
    };
    if exp + LEEWAY_S <= now {
        return Err(ChainError::Expired {
            entity: entity.to_owned(),
        });
    }
    if iat - LEEWAY_S > now {
        return Err(statement_error(entity, "issued in the future"));
    }
    Ok((claims, exp))
}

fn max_path_length(claims: &Map<String, Value>) -> Option<u64> {
    claims.get("constraints")?.get("max_path_length")?.as_u64()
}

fn object_claim(claims: &Map<String, Value>, name: &str, entity: &str) -> Result<Map<String, Value>, ChainError> {
    match claims.get(name) {
        None => Ok(Map::new()),
        Some(Value::Object(map)) => Ok(map.clone()),
        Some(_) => Err(statement_error(entity, format!("{name} is not a JSON object"))),
    }
}

/// Whether the resolver may GET `url`: https with a host and no user info, or http on loopback.
fn fetchable(url: &str) -> bool {
    let Ok(url) = url::Url::parse(url) else {
        return false;
    };
    let loopback = matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
    url.username().is_empty()
        && url.password().is_none()
        && url.host_str().is_some()
        && (url.scheme() == "https" || (url.scheme() == "http" && loopback))
}

/// Verifies a fetched trust chain without the network: `leaf_config` is the subject's entity
/// configuration, `statements` the subordinate statements from its immediate superior up to the
/// one the anchor issued (each `sub` the `iss` of the one below). The top statement is verified
/// with the anchor's pinned keys, each statement's `jwks` verifies the one below, and the leaf's
/// configuration must verify both with the `jwks` of the statement about it and with its own.
/// Every statement must have `typ: entity-statement+jwt` and be valid at `now` (60 s leeway).
/// `anchor_config`, when given, is verified with the pinned keys too: its `constraints` are
/// honoured and its `trust_mark_issuers` decide which trust marks count (without it, none do).
/// Policies are combined anchor first and applied to the `entity_type` metadata, after the
/// immediate superior's `metadata` overrides, if any.
///
/// Not checked: `naming_constraints` (no federation of ours uses them); trust marks by issuers
/// other than the anchor itself are not counted (their issuer would need a chain of its own).
pub fn verify_chain(
    leaf_config: &str,
    statements: &[String],
    anchor: &TrustAnchor,
    anchor_config: Option<&str>,
    entity_type: &str,
    now: i64,
) -> Result<ResolvedEntity, ChainError> {
    let (iss, entity_id) = subject_of(leaf_config, "the leaf")?;
    if iss != entity_id {
        return Err(statement_error(
            &entity_id,
            format!("entity configuration issued by {iss}"),
        ));
    }
    let own_keys = jwks_claim(&unverified_claims(leaf_config).unwrap_or_default(), &entity_id)?;
    let (leaf, mut expires_at) = verify_statement(leaf_config, &own_keys, &entity_id, now)?;

    // The links, before any signature: the chain must be about this entity and end at the anchor.
    let mut subjects = Vec::with_capacity(statements.len());
    let mut below = entity_id.clone();
    for (i, statement) in statements.iter().enumerate() {
        let (iss, sub) = subject_of(statement, &below)?;
        if sub != below {
            if i == 0 {
                return Err(ChainError::NotInFederation { entity: entity_id });
            }
            return Err(statement_error(
                &below,
                format!("the statement by {iss} is about {sub}"),
            ));
        }
        if iss == sub {
            return Err(statement_error(
                &below,
                "an entity configuration where a subordinate statement must be",
            ));
        }
        subjects.push(sub);
        below = iss;
    }
    // `below` is now the top issuer: the anchor, or the leaf itself when it is the anchor.
    if below != anchor.entity_id {
        return Err(ChainError::NotInFederation { entity: entity_id });
    }

    // Signatures, top down: each level's keys verify the level below.
    let mut keys = anchor.jwks.clone();
    let mut verified = vec![Map::new(); statements.len()];
    for (i, statement) in statements.iter().enumerate().rev() {
        let (claims, exp) = verify_statement(statement, &keys, &subjects[i], now)?;
        keys = jwks_claim(&claims, &subjects[i])?;
        expires_at = expires_at.min(exp);
        verified[i] = claims;
    }
    // The leaf's configuration, with the keys its superior vouches for (the anchor's when it is
    // the anchor), as well as with its own.
    verify_statement(leaf_config, &keys, &entity_id, now)?;

    let anchor_claims = match anchor_config {
        Some(token) => {
            let (claims, exp) = verify_statement(token, &anchor.jwks, &anchor.entity_id, now)?;
            if string_claim(&claims, "iss") != Some(&anchor.entity_id)
                || string_claim(&claims, "sub") != Some(&anchor.entity_id)
            {
                return Err(statement_error(
                    &anchor.entity_id,
                    "the anchor's configuration is about another entity",
                ));
            }
            expires_at = expires_at.min(exp);
            Some(claims)
        }
        None => None,
    };

    // max_path_length: the intermediates between the entity setting it and the subject (§6.2.1).
    let intermediates = statements.len().saturating_sub(1);
    if let Some(max) = anchor_claims.as_ref().and_then(max_path_length)
        && intermediates as u64 > max
    {
        return Err(ChainError::PathTooLong);
    }
    for (i, claims) in verified.iter().enumerate() {
        if let Some(max) = max_path_length(claims)
            && i as u64 > max
        {
            return Err(ChainError::PathTooLong);
        }
    }

    // Metadata policy: critical operators, then the merge from the anchor down.
    let critical: Vec<String> = verified
        .iter()
        .filter_map(|c| c.get("metadata_policy_crit"))
        .flat_map(|v| v.as_array().cloned().unwrap_or_default())
        .map(|v| v.as_str().map(str::to_owned).unwrap_or_default())
        .collect();
    policy::check_critical(&critical)?;
    let mut combined = Map::new();
    for (claims, subject) in verified.iter().zip(&subjects).rev() {
        let statement_policy = object_claim(claims, "metadata_policy", subject)?;
        combined = policy::combine(&combined, &statement_policy)?;
    }

    // Metadata: the leaf's own, with its immediate superior's `metadata` claim over it, then
    // only the entity types every `allowed_entity_types` constraint allows (§6.2.3).
    let mut metadata = object_claim(&leaf, "metadata", &entity_id)?;
    if let Some(claims) = verified.first() {
        for (kind, params) in object_claim(claims, "metadata", &entity_id)? {
            let Value::Object(params) = params else {
                return Err(statement_error(
                    &entity_id,
                    format!("the superior's {kind} metadata is not an object"),
                ));
            };
            let entry = metadata.entry(kind).or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(own) = entry {
                own.extend(params);
            }
        }
    }
    for allowed in verified
        .iter()
        .filter_map(|c| c.get("constraints")?.get("allowed_entity_types")?.as_array())
    {
        metadata.retain(|kind, _| kind == "federation_entity" || allowed.iter().any(|a| a.as_str() == Some(kind)));
    }
    let resolve_type = |kind: &str| -> Result<Option<Map<String, Value>>, ChainError> {
        let Some(value) = metadata.get(kind) else {
            return Ok(None);
        };
        let Value::Object(own) = value else {
            return Err(statement_error(
                &entity_id,
                format!("its {kind} metadata is not an object"),
            ));
        };
        let type_policy = combined
            .get(kind)
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        Ok(Some(policy::apply(&type_policy, own)?))
    };
    let resolved = resolve_type(entity_type)?.ok_or_else(|| ChainError::MissingMetadata {
        entity: entity_id.clone(),
        entity_type: entity_type.to_owned(),
    })?;
    let federation_entity = if entity_type == "federation_entity" {
        Some(resolved.clone())
    } else {
        resolve_type("federation_entity")?
    };

    let mut trust_marks = Vec::new();
    if let Some(anchor_claims) = &anchor_claims {
        for (id, exp) in verified_trust_marks(&leaf, &entity_id, anchor, anchor_claims, now) {
            if let Some(exp) = exp {
                expires_at = expires_at.min(exp);
            }
            trust_marks.push(id);
        }
    }

    let mut chain = Vec::with_capacity(statements.len() + 2);
    chain.push(leaf_config.to_owned());
    chain.extend(statements.iter().cloned());
    chain.extend(anchor_config.map(str::to_owned));
    Ok(ResolvedEntity {
        entity_id,
        metadata: resolved,
        federation_entity,
        trust_anchor: anchor.entity_id.clone(),
        trust_marks,
        expires_at,
        chain,
    })
}

/// The trust marks of `leaf` that verify, with their `exp`. The entries are objects with the
/// type under `trust_mark_type` (the spec since draft 42), `trust_mark_id` or `id` (older
/// drafts; the reference implementation sends all three) and the JWT under `trust_mark`.
fn verified_trust_marks(
    leaf: &Map<String, Value>,
    entity_id: &str,
    anchor: &TrustAnchor,
    anchor_claims: &Map<String, Value>,
    now: i64,
) -> Vec<(String, Option<i64>)> {
    let entries = leaf
        .get("trust_marks")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut out = Vec::new();
    for entry in &entries {
        let declared = ["trust_mark_type", "trust_mark_id", "id"]
            .iter()
            .find_map(|k| entry.get(*k).and_then(Value::as_str));
        let (Some(id), Some(token)) = (declared, entry.get("trust_mark").and_then(Value::as_str)) else {
            tracing::warn!(entity = %entity_id, "federation: a trust mark entry without type or JWT ignored");
            continue;
        };
        match verify_trust_mark(token, id, entity_id, anchor, anchor_claims, now) {
            Ok(exp) => out.push((id.to_owned(), exp)),
            Err(reason) => {
                tracing::warn!(entity = %entity_id, trust_mark = %id, %reason, "federation: trust mark not counted")
            }
        }
    }
    out
}

fn verify_trust_mark(
    token: &str,
    id: &str,
    entity_id: &str,
    anchor: &TrustAnchor,
    anchor_claims: &Map<String, Value>,
    now: i64,
) -> Result<Option<i64>, String> {
    let issuer = unverified_claims(token)
        .and_then(|c| string_claim(&c, "iss").map(str::to_owned))
        .ok_or("malformed")?;
    let listed = anchor_claims
        .get("trust_mark_issuers")
        .and_then(|m| m.get(id))
        .and_then(Value::as_array)
        .is_some_and(|issuers| issuers.iter().any(|i| i.as_str() == Some(&issuer)));
    if !listed {
        return Err(format!("{issuer} is not among the anchor's issuers of it"));
    }
    if issuer != anchor.entity_id {
        return Err(format!(
            "issued by {issuer}, not by the anchor: such issuers are not supported"
        ));
    }
    let claims = jose::verify_typed(token, &anchor.jwks, TRUST_MARK_TYP).map_err(|e| e.to_string())?;
    if string_claim(&claims, "sub") != Some(entity_id) {
        return Err("issued to another entity".into());
    }
    let marked = ["trust_mark_type", "trust_mark_id", "id"]
        .iter()
        .find_map(|k| string_claim(&claims, k));
    if marked != Some(id) {
        return Err(format!("its JWT is of type {marked:?}"));
    }
    match claims.get("iat").and_then(Value::as_i64) {
        Some(iat) if iat - LEEWAY_S <= now => {}
        _ => return Err("no iat, or issued in the future".into()),
    }
    // No `exp`: the mark does not expire (§7.1).
    let exp = claims.get("exp").and_then(Value::as_i64);
    if exp.is_some_and(|exp| exp + LEEWAY_S <= now) {
        return Err("expired".into());
    }
    Ok(exp)
}

/// Resolves and caches trust chains over HTTP for a set of pinned trust anchors.
pub struct Resolver {
    http: reqwest::Client,
    anchors: Vec<TrustAnchor>,
    required_trust_marks: Vec<String>,
    cache: Mutex<HashMap<(String, String), Cached>>,
}

struct Cached {
    entity: Arc<ResolvedEntity>,
    until: i64,
}

/// An entity configuration fetched during discovery.
struct Configuration {
    token: String,
    claims: Map<String, Value>,
}

impl Resolver {
    /// A resolver trusting `anchors`; when `required_trust_marks` is not empty, an entity must
    /// carry a valid trust mark of one of those types.
    pub fn new(http: reqwest::Client, anchors: Vec<TrustAnchor>, required_trust_marks: Vec<String>) -> Resolver {
        Resolver {
            http,
            anchors,
            required_trust_marks,
            cache: Mutex::new(HashMap::new()),
        }
    }

    fn anchor(&self, entity_id: &str) -> Option<&TrustAnchor> {
        self.anchors.iter().find(|a| a.entity_id == entity_id)
    }

    /// Resolves `entity_id` as an `entity_type` (e.g. `openid_provider`): its entity
    /// configuration, its authority hints up to a configured anchor (at most three superiors, no
    /// loops), each superior's subordinate statement about the one below, then [`verify_chain`]
    /// and the required trust marks. A resolved entity is kept until its chain expires, and at
    /// most an hour.
    pub async fn resolve(
        &self,
        entity_id: &str,
        entity_type: &str,
        now: i64,
    ) -> Result<Arc<ResolvedEntity>, ChainError> {
        let key = (entity_id.to_owned(), entity_type.to_owned());
        if let Some(hit) = self
            .cache
            .lock()
            .expect("cache lock")
            .get(&key)
            .filter(|c| now < c.until)
        {
            return Ok(hit.entity.clone());
        }
        match self.resolve_uncached(entity_id, entity_type, now).await {
            Ok(entity) => {
                let entity = Arc::new(entity);
                let until = entity.expires_at.min(now + CACHE_AT_MOST_S);
                let mut cache = self.cache.lock().expect("cache lock");
                if cache.len() >= MAX_CACHED {
                    cache.retain(|_, c| now < c.until);
                    if cache.len() >= MAX_CACHED {
                        cache.clear();
                    }
                }
                cache.insert(
                    key,
                    Cached {
                        entity: entity.clone(),
                        until,
                    },
                );
                Ok(entity)
            }
            Err(e) => {
                tracing::warn!(entity = %entity_id, entity_type, reason = %e, "federation: trust chain refused");
                Err(e)
            }
        }
    }

    async fn resolve_uncached(
        &self,
        entity_id: &str,
        entity_type: &str,
        now: i64,
    ) -> Result<ResolvedEntity, ChainError> {
        let leaf = self.configuration(entity_id).await?;
        if let Some(anchor) = self.anchor(entity_id) {
            let entity = verify_chain(&leaf.token, &[], anchor, Some(&leaf.token), entity_type, now)?;
            return self.with_required_marks(entity);
        }

        // Discovery, breadth first: paths of entity ids from the leaf up to an anchor.
        let mut configurations = HashMap::from([(entity_id.to_owned(), leaf)]);
        let mut complete: Vec<Vec<String>> = Vec::new();
        let mut frontier = vec![vec![entity_id.to_owned()]];
        let mut first_error = None;
        for _ in 0..MAX_SUPERIORS {
            let mut next = Vec::new();
            for path in frontier {
                let tail = &configurations[path.last().expect("a path is never empty")];
                let hints: Vec<String> = tail
                    .claims
                    .get("authority_hints")
                    .and_then(Value::as_array)
                    .map(|hints| {
                        hints
                            .iter()
                            .filter_map(Value::as_str)
                            .take(MAX_HINTS)
                            .map(str::to_owned)
                            .collect()
                    })
                    .unwrap_or_default();
                for hint in hints {
                    if path.contains(&hint) {
                        continue;
                    }
                    let mut longer = path.clone();
                    longer.push(hint.clone());
                    if self.anchor(&hint).is_some() {
                        complete.push(longer);
                        continue;
                    }
                    if !configurations.contains_key(&hint) {
                        match self.configuration(&hint).await {
                            Ok(conf) => {
                                configurations.insert(hint.clone(), conf);
                            }
                            Err(e) => {
                                first_error.get_or_insert(e);
                                continue;
                            }
                        }
                    }
                    next.push(longer);
                }
            }
            frontier = next;
        }

        // Each path found, shortest first, until one verifies.
        for path in complete {
            let attempt = self.try_path(&path, &mut configurations, entity_type, now).await;
            match attempt.and_then(|entity| self.with_required_marks(entity)) {
                Ok(entity) => return Ok(entity),
                Err(e) => {
                    tracing::info!(entity = %entity_id, path = ?path, reason = %e, "federation: a trust chain path failed");
                    first_error.get_or_insert(e);
                }
            }
        }
        Err(first_error.unwrap_or_else(|| ChainError::NotInFederation {
            entity: entity_id.to_owned(),
        }))
    }

    /// Fetches the statements along `path` (leaf, superiors..., anchor) and verifies the chain.
    async fn try_path(
        &self,
        path: &[String],
        configurations: &mut HashMap<String, Configuration>,
        entity_type: &str,
        now: i64,
    ) -> Result<ResolvedEntity, ChainError> {
        let anchor_id = path.last().expect("a path ends at an anchor");
        let anchor = self.anchor(anchor_id).expect("paths end at configured anchors");
        if !configurations.contains_key(anchor_id) {
            let conf = self.configuration(anchor_id).await?;
            configurations.insert(anchor_id.clone(), conf);
        }
        let mut statements = Vec::with_capacity(path.len() - 1);
        for pair in path.windows(2) {
            let (below, superior) = (&pair[0], &pair[1]);
            let endpoint = configurations[superior]
                .claims
                .get("metadata")
                .and_then(|m| m.get("federation_entity"))
                .and_then(|f| f.get("federation_fetch_endpoint"))
                .and_then(Value::as_str)
                .ok_or_else(|| ChainError::MissingMetadata {
                    entity: superior.clone(),
                    entity_type: "federation_entity (federation_fetch_endpoint)".into(),
                })?;
            let mut url = url::Url::parse(endpoint)
                .map_err(|e| statement_error(superior, format!("federation_fetch_endpoint {endpoint}: {e}")))?;
            url.query_pairs_mut().append_pair("sub", below);
            statements.push(self.get_statement(url.as_str()).await?);
        }
        let leaf = &configurations[&path[0]].token;
        verify_chain(
            leaf,
            &statements,
            anchor,
            Some(&configurations[anchor_id].token),
            entity_type,
            now,
        )
    }

    fn with_required_marks(&self, entity: ResolvedEntity) -> Result<ResolvedEntity, ChainError> {
        if self.required_trust_marks.is_empty()
            || entity.trust_marks.iter().any(|m| self.required_trust_marks.contains(m))
        {
            return Ok(entity);
        }
        Err(ChainError::MissingTrustMark {
            entity: entity.entity_id,
            id: self.required_trust_marks.join(", "),
        })
    }

    /// An entity configuration, its `sub` checked; its signature is checked by [`verify_chain`]
    /// for the leaf and the anchor. An intermediate's (used only for its authority hints and
    /// fetch endpoint: its statement is verified by its superior's keys) must verify with its own keys.
    async fn configuration(&self, entity_id: &str) -> Result<Configuration, ChainError> {
        let url = format!("{}{WELL_KNOWN}", entity_id.trim_end_matches('/'));
        let token = self.get_statement(&url).await?;
        let claims =
            unverified_claims(&token).ok_or_else(|| statement_error(entity_id, "not a JWS with a JSON payload"))?;
        if string_claim(&claims, "iss") != Some(entity_id) || string_claim(&claims, "sub") != Some(entity_id) {
            return Err(statement_error(
                entity_id,
                "its entity configuration has another iss or sub",
            ));
        }
        if self.anchor(entity_id).is_none() {
            let keys = jwks_claim(&claims, entity_id)?;
            jose::verify_typed(&token, &keys, ENTITY_STATEMENT_TYP)
                .map_err(|e| statement_error(entity_id, e.to_string()))?;
        }
        Ok(Configuration { token, claims })
    }

    /// GET an entity statement: 200, an accepted content type, a small body.
    async fn get_statement(&self, url: &str) -> Result<String, ChainError> {
        let body = self.get(url, &STATEMENT_TYPES, STATEMENT_TYPES[0]).await?;
        String::from_utf8(body)
            .map(|s| s.trim().to_owned())
            .map_err(|_| ChainError::Fetch {
                url: url.to_owned(),
                reason: "not UTF-8".into(),
            })
    }

    async fn get(&self, url: &str, accepted: &[&str], accept: &str) -> Result<Vec<u8>, ChainError> {
        let fetch_error = |reason: String| ChainError::Fetch {
            url: url.to_owned(),
            reason,
        };
        // The URLs come from statements not yet verified (a member's own authority_hints, a
        // superior's fetch endpoint): only https, so that a member cannot have us call plain
        // HTTP services inside our network (http only on loopback, for the test federation).
        if !fetchable(url) {
            return Err(fetch_error(
                "not an https:// URL (http only on 127.0.0.1 or localhost)".into(),
            ));
        }
        let mut response = self
            .http
            .get(url)
            .header(reqwest::header::ACCEPT, accept)
            .timeout(HTTP_TIMEOUT)
            .send()
            .await
            .map_err(|e| fetch_error(e.without_url().to_string()))?;
        if response.status() != reqwest::StatusCode::OK {
            return Err(fetch_error(format!("status {}", response.status())));
        }
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(|v| v.trim().to_ascii_lowercase())
            .unwrap_or_default();
        if !accepted.contains(&content_type.as_str()) {
            return Err(fetch_error(format!("content type {content_type:?}")));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| fetch_error(e.without_url().to_string()))?
        {
            if body.len() + chunk.len() > MAX_BODY {
                return Err(fetch_error(format!("more than {MAX_BODY} bytes")));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }

    /// The entity ids a configured anchor lists (`federation_list_endpoint` of its
    /// configuration, verified with the pinned keys) for `entity_type`.
    pub async fn list(&self, anchor_id: &str, entity_type: &str) -> Result<Vec<String>, ChainError> {
        let anchor = self.anchor(anchor_id).ok_or_else(|| ChainError::NotInFederation {
            entity: anchor_id.to_owned(),
        })?;
        let conf = self.configuration(anchor_id).await?;
        let now = chrono::Utc::now().timestamp();
        verify_statement(&conf.token, &anchor.jwks, anchor_id, now)?;
        let endpoint = conf
            .claims
            .get("metadata")
            .and_then(|m| m.get("federation_entity"))
            .and_then(|f| f.get("federation_list_endpoint"))
            .and_then(Value::as_str)
            .ok_or_else(|| ChainError::MissingMetadata {
                entity: anchor_id.to_owned(),
                entity_type: "federation_entity (federation_list_endpoint)".into(),
            })?;
        let mut url = url::Url::parse(endpoint)
            .map_err(|e| statement_error(anchor_id, format!("federation_list_endpoint {endpoint}: {e}")))?;
        url.query_pairs_mut().append_pair("entity_type", entity_type);
        let body = self
            .get(url.as_str(), &["application/json"], "application/json")
            .await?;
        serde_json::from_slice(&body).map_err(|e| ChainError::Fetch {
            url: url.to_string(),
            reason: format!("not a JSON array of entity ids: {e}"),
        })
    }
}

impl std::fmt::Debug for Resolver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let anchors: Vec<&str> = self.anchors.iter().map(|a| a.entity_id.as_str()).collect();
        f.debug_struct("Resolver")
            .field("anchors", &anchors)
            .field("required_trust_marks", &self.required_trust_marks)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jose::RpKey;
    use serde_json::json;
    use std::sync::atomic::{AtomicUsize, Ordering};

    const NOW: i64 = 1_800_000_000;
    const ANCHOR: &str = "https://anchor.example";
    const INTERMEDIATE: &str = "https://region.example";
    const OP: &str = "https://op.example/oidc/op";
    const OP_PUBLIC: &str = "https://www.spid.gov.it/openid-federation/agreement/op-public/";

    fn jwks_of(key: &RpKey) -> Value {
        json!({ "keys": [key.public_jwk()] })
    }

    fn signed(key: &RpKey, claims: Value) -> String {
        key.sign_typed(ENTITY_STATEMENT_TYP, &claims)
    }

    /// `base` with the members of `extra` set over it (`null` removes one).
    fn with(mut base: Value, extra: Value) -> Value {
        for (k, v) in extra.as_object().unwrap() {
            if v.is_null() {
                base.as_object_mut().unwrap().remove(k);
            } else {
                base[k] = v.clone();
            }
        }
        base
    }

    /// A synthetic federation: a trust anchor, an intermediate and an OpenID provider, each with
    /// its own key, under entity ids `anchor`, `intermediate` and `op`.
    struct Federation {
        anchor_key: RpKey,
        intermediate_key: RpKey,
        op_key: RpKey,
        anchor: String,
        intermediate: String,
        op: String,
    }

    impl Federation {
        fn new() -> Federation {
            Federation::at(ANCHOR, INTERMEDIATE, OP)
        }

        fn at(anchor: &str, intermediate: &str, op: &str) -> Federation {
            Federation {
                anchor_key: RpKey::generate(),
                intermediate_key: RpKey::generate(),
                op_key: RpKey::generate(),
                anchor: anchor.into(),
                intermediate: intermediate.into(),
                op: op.into(),
            }
        }

        fn trust_anchor(&self) -> TrustAnchor {
            TrustAnchor {
                entity_id: self.anchor.clone(),
                jwks: Jwks::from_value(&jwks_of(&self.anchor_key)).unwrap(),
            }
        }

        fn anchor_claims(&self) -> Value {
            json!({
                "iss": self.anchor, "sub": self.anchor, "iat": NOW - 10, "exp": NOW + 7200,
                "jwks": jwks_of(&self.anchor_key),
                "metadata": { "federation_entity": {
                    "organization_name": "Federazione di prova",
                    "federation_fetch_endpoint": format!("{}/fetch", self.anchor),
                    "federation_list_endpoint": format!("{}/list", self.anchor),
                } },
                "trust_mark_issuers": { OP_PUBLIC: [self.anchor] },
            })
        }

        fn anchor_config(&self, extra: Value) -> String {
            signed(&self.anchor_key, with(self.anchor_claims(), extra))
        }

        fn trust_mark(&self, key: &RpKey, claims: Value) -> String {
            let base = json!({ "iss": self.anchor, "sub": self.op, "iat": NOW - 100, "trust_mark_type": OP_PUBLIC });
            key.sign_typed(TRUST_MARK_TYP, &with(base, claims))
        }

        fn op_claims(&self, superior: &str) -> Value {
            json!({
                "iss": self.op, "sub": self.op, "iat": NOW - 10, "exp": NOW + 3600,
                "jwks": jwks_of(&self.op_key),
                "authority_hints": [superior],
                "metadata": {
                    "federation_entity": { "organization_name": "SPID OP di prova" },
                    "openid_provider": {
                        "issuer": self.op,
                        "authorization_endpoint": format!("{}/authorization", self.op),
                        "subject_types_supported": ["pairwise", "public"],
                        "token_endpoint_auth_methods_supported": ["private_key_jwt"],
                        "id_token_signing_alg_values_supported": ["RS256", "HS256"],
                        "contacts": ["ops@op.example"],
                    },
                },
                "trust_marks": [{
                    "trust_mark_type": OP_PUBLIC, "id": OP_PUBLIC,
                    "trust_mark": self.trust_mark(&self.anchor_key, json!({ "exp": NOW + 1800 })),
                }],
            })
        }

        fn op_config(&self, superior: &str, extra: Value) -> String {
            signed(&self.op_key, with(self.op_claims(superior), extra))
        }

        /// A subordinate statement by `iss` (signed with `key`) about `sub`, vouching for `sub_key`.
        fn statement(key: &RpKey, iss: &str, sub: &str, sub_key: &RpKey, extra: Value) -> String {
            let base = json!({ "iss": iss, "sub": sub, "iat": NOW - 10, "exp": NOW + 5400, "jwks": jwks_of(sub_key) });
            signed(key, with(base, extra))
        }

        fn anchor_about_op(&self, extra: Value) -> String {
            Self::statement(
                &self.anchor_key,
                &self.anchor,
                &self.op,
                &self.op_key,
                with(json!({ "metadata_policy": anchor_policy() }), extra),
            )
        }

        /// The chain anchor → intermediate → provider: the intermediate's statement about the
        /// provider, then the anchor's about the intermediate.
        fn through_intermediate(&self, intermediate_extra: Value, anchor_extra: Value) -> Vec<String> {
            vec![
                Self::statement(
                    &self.intermediate_key,
                    &self.intermediate,
                    &self.op,
                    &self.op_key,
                    intermediate_extra,
                ),
                Self::statement(
                    &self.anchor_key,
                    &self.anchor,
                    &self.intermediate,
                    &self.intermediate_key,
                    with(json!({ "metadata_policy": anchor_policy() }), anchor_extra),
                ),
            ]
        }
    }

    fn anchor_policy() -> Value {
        json!({ "openid_provider": {
            "subject_types_supported": { "value": ["pairwise"] },
            "token_endpoint_auth_methods_supported": { "value": ["private_key_jwt"] },
            "id_token_signing_alg_values_supported": { "subset_of": ["RS256", "ES256"] },
        } })
    }

    #[test]
    fn a_provider_under_the_anchor_resolves_with_the_anchors_policy_applied() {
        let fed = Federation::new();
        let leaf = fed.op_config(ANCHOR, json!({}));
        let statements = [fed.anchor_about_op(json!({}))];
        let anchor_config = fed.anchor_config(json!({ "constraints": { "max_path_length": 0 } }));
        let resolved = verify_chain(
            &leaf,
            &statements,
            &fed.trust_anchor(),
            Some(&anchor_config),
            "openid_provider",
            NOW,
        )
        .unwrap();
        assert_eq!(resolved.entity_id, OP);
        assert_eq!(resolved.trust_anchor, ANCHOR);
        assert_eq!(resolved.metadata["issuer"], OP);
        assert_eq!(resolved.metadata["subject_types_supported"], json!(["pairwise"]));
        assert_eq!(
            resolved.metadata["id_token_signing_alg_values_supported"],
            json!(["RS256"])
        );
        assert_eq!(
            resolved.federation_entity.unwrap()["organization_name"],
            "SPID OP di prova"
        );
        assert_eq!(resolved.trust_marks, vec![OP_PUBLIC.to_owned()]);
        // The trust mark (+1800 s) expires before any statement.
        assert_eq!(resolved.expires_at, NOW + 1800);
        assert_eq!(resolved.chain, vec![leaf, statements[0].clone(), anchor_config]);
    }

    #[test]
    fn a_provider_under_an_intermediate_resolves_with_both_policies_combined() {
        let fed = Federation::new();
        let leaf = fed.op_config(INTERMEDIATE, json!({}));
        let statements = fed.through_intermediate(
            json!({
                "metadata_policy": { "openid_provider": { "contacts": { "add": ["help@region.example"] } } },
                "metadata": { "openid_provider": { "op_uri": "https://region.example/op" } },
            }),
            json!({}),
        );
        let anchor_config = fed.anchor_config(json!({}));
        let resolved = verify_chain(
            &leaf,
            &statements,
            &fed.trust_anchor(),
            Some(&anchor_config),
            "openid_provider",
            NOW,
        )
        .unwrap();
        assert_eq!(resolved.metadata["subject_types_supported"], json!(["pairwise"]));
        assert_eq!(
            resolved.metadata["contacts"],
            json!(["ops@op.example", "help@region.example"])
        );
        assert_eq!(resolved.metadata["op_uri"], "https://region.example/op");
        assert_eq!(resolved.chain.len(), 4);
        // Without the anchor's configuration no trust mark can be checked, so none counts.
        let resolved = verify_chain(&leaf, &statements, &fed.trust_anchor(), None, "openid_provider", NOW).unwrap();
        assert!(resolved.trust_marks.is_empty());
        assert_eq!(resolved.expires_at, NOW + 3600);
    }

    #[test]
    fn an_expired_statement_is_refused() {
        let fed = Federation::new();
        let leaf = fed.op_config(ANCHOR, json!({}));
        let expired = fed.anchor_about_op(json!({ "exp": NOW - 61 }));
        let err = verify_chain(&leaf, &[expired], &fed.trust_anchor(), None, "openid_provider", NOW).unwrap_err();
        assert!(matches!(&err, ChainError::Expired { entity } if entity == OP), "{err}");
        // Within the leeway it still counts.
        let barely = fed.anchor_about_op(json!({ "exp": NOW - 59 }));
        assert!(verify_chain(&leaf, &[barely], &fed.trust_anchor(), None, "openid_provider", NOW).is_ok());
        let leaf = fed.op_config(ANCHOR, json!({ "exp": NOW - 3600 }));
        let err = verify_chain(
            &leaf,
            &[fed.anchor_about_op(json!({}))],
            &fed.trust_anchor(),
            None,
            "openid_provider",
            NOW,
        );
        assert!(matches!(err, Err(ChainError::Expired { .. })));
    }

    #[test]
    fn a_statement_signed_by_another_key_is_refused() {
        let fed = Federation::new();
        let leaf = fed.op_config(ANCHOR, json!({}));
        let forged = Federation::statement(
            &RpKey::generate(),
            ANCHOR,
            OP,
            &fed.op_key,
            json!({ "metadata_policy": anchor_policy() }),
        );
        let err = verify_chain(&leaf, &[forged], &fed.trust_anchor(), None, "openid_provider", NOW).unwrap_err();
        assert!(
            matches!(&err, ChainError::Statement { entity, .. } if entity == OP),
            "{err}"
        );
        // A forged configuration of the anchor is refused as well, even with a good chain.
        let forged_config = signed(&RpKey::generate(), fed.anchor_claims());
        let err = verify_chain(
            &leaf,
            &[fed.anchor_about_op(json!({}))],
            &fed.trust_anchor(),
            Some(&forged_config),
            "openid_provider",
            NOW,
        );
        assert!(matches!(err, Err(ChainError::Statement { .. })));
    }

    #[test]
    fn a_leaf_configuration_its_superior_does_not_vouch_for_is_refused() {
        // GIVEN a provider whose configuration is self-consistent (signed with the key it
        // publishes) but whose superior's statement carries other keys
        let fed = Federation::new();
        let leaf = fed.op_config(ANCHOR, json!({}));
        let other = Federation::statement(&fed.anchor_key, ANCHOR, OP, &RpKey::generate(), json!({}));
        // THEN the chain does not verify
        let err = verify_chain(&leaf, &[other], &fed.trust_anchor(), None, "openid_provider", NOW).unwrap_err();
        assert!(
            matches!(&err, ChainError::Statement { entity, .. } if entity == OP),
            "{err}"
        );
        // AND a configuration signed with the vouched-for key but publishing other keys neither
        let impostor = RpKey::generate();
        let leaf = signed(
            &fed.op_key,
            with(fed.op_claims(ANCHOR), json!({ "jwks": jwks_of(&impostor) })),
        );
        let err = verify_chain(
            &leaf,
            &[fed.anchor_about_op(json!({}))],
            &fed.trust_anchor(),
            None,
            "openid_provider",
            NOW,
        );
        assert!(matches!(err, Err(ChainError::Statement { .. })));
    }

    #[test]
    fn a_statement_about_another_entity_means_the_leaf_is_not_in_the_federation() {
        let fed = Federation::new();
        let leaf = fed.op_config(ANCHOR, json!({}));
        let about_other =
            Federation::statement(&fed.anchor_key, ANCHOR, "https://other.example", &fed.op_key, json!({}));
        let err = verify_chain(&leaf, &[about_other], &fed.trust_anchor(), None, "openid_provider", NOW).unwrap_err();
        assert!(
            matches!(&err, ChainError::NotInFederation { entity } if entity == OP),
            "{err}"
        );
        // A chain whose top is not the configured anchor: another federation.
        let elsewhere = Federation::statement(
            &fed.anchor_key,
            "https://other-anchor.example",
            OP,
            &fed.op_key,
            json!({}),
        );
        let err = verify_chain(&leaf, &[elsewhere], &fed.trust_anchor(), None, "openid_provider", NOW);
        assert!(matches!(err, Err(ChainError::NotInFederation { .. })));
        // No statement at all: only the anchor itself needs none.
        assert!(matches!(
            verify_chain(&leaf, &[], &fed.trust_anchor(), None, "openid_provider", NOW),
            Err(ChainError::NotInFederation { .. })
        ));
        let anchor = fed.anchor_config(json!({}));
        assert!(
            verify_chain(
                &anchor,
                &[],
                &fed.trust_anchor(),
                Some(&anchor),
                "federation_entity",
                NOW
            )
            .is_ok()
        );
    }

    #[test]
    fn a_statement_with_another_typ_is_refused() {
        let fed = Federation::new();
        let leaf = fed.op_config(ANCHOR, json!({}));
        let claims = json!({ "iss": ANCHOR, "sub": OP, "iat": NOW, "exp": NOW + 60, "jwks": jwks_of(&fed.op_key) });
        let untyped = fed.anchor_key.sign(&claims);
        let err = verify_chain(&leaf, &[untyped], &fed.trust_anchor(), None, "openid_provider", NOW).unwrap_err();
        assert!(
            matches!(&err, ChainError::Statement { reason, .. } if reason.contains("typ")),
            "{err}"
        );
        let leaf = fed.op_key.sign_typed("JWT", &fed.op_claims(ANCHOR));
        let err = verify_chain(
            &leaf,
            &[fed.anchor_about_op(json!({}))],
            &fed.trust_anchor(),
            None,
            "openid_provider",
            NOW,
        );
        assert!(matches!(err, Err(ChainError::Statement { .. })));
    }

    #[test]
    fn metadata_the_policy_forbids_is_refused() {
        let fed = Federation::new();
        // The intermediate would impose another value than the anchor: the policies conflict.
        let leaf = fed.op_config(INTERMEDIATE, json!({}));
        let statements = fed.through_intermediate(
            json!({ "metadata_policy": { "openid_provider": { "subject_types_supported": { "value": ["public"] } } } }),
            json!({}),
        );
        let err = verify_chain(&leaf, &statements, &fed.trust_anchor(), None, "openid_provider", NOW).unwrap_err();
        assert!(
            matches!(&err, ChainError::Policy(PolicyError::Conflict { claim, .. }) if claim == "subject_types_supported"),
            "{err}"
        );
        // The anchor requires a value the provider does not publish.
        let leaf = fed.op_config(ANCHOR, json!({}));
        let strict = fed.anchor_about_op(json!({ "metadata_policy": { "openid_provider": {
            "code_challenge_methods_supported": { "essential": true },
            "token_endpoint_auth_methods_supported": { "superset_of": ["private_key_jwt", "tls_client_auth"] },
        } } }));
        let err = verify_chain(&leaf, &[strict], &fed.trust_anchor(), None, "openid_provider", NOW).unwrap_err();
        assert!(matches!(&err, ChainError::Policy(PolicyError::Refused { .. })), "{err}");
        // An operator declared critical that we do not implement.
        let critical = fed.anchor_about_op(json!({ "metadata_policy_crit": ["regexp"] }));
        let err = verify_chain(&leaf, &[critical], &fed.trust_anchor(), None, "openid_provider", NOW);
        assert!(matches!(
            err,
            Err(ChainError::Policy(PolicyError::UnknownCritical { .. }))
        ));
    }

    #[test]
    fn an_intermediate_beyond_the_max_path_length_is_refused() {
        let fed = Federation::new();
        let leaf = fed.op_config(INTERMEDIATE, json!({}));
        let statements = fed.through_intermediate(json!({}), json!({}));
        let anchor_config = fed.anchor_config(json!({ "constraints": { "max_path_length": 0 } }));
        let err = verify_chain(
            &leaf,
            &statements,
            &fed.trust_anchor(),
            Some(&anchor_config),
            "openid_provider",
            NOW,
        );
        assert!(matches!(err, Err(ChainError::PathTooLong)));
        let anchor_config = fed.anchor_config(json!({ "constraints": { "max_path_length": 1 } }));
        assert!(
            verify_chain(
                &leaf,
                &statements,
                &fed.trust_anchor(),
                Some(&anchor_config),
                "openid_provider",
                NOW
            )
            .is_ok()
        );
        // The same constraint in the anchor's statement about the intermediate.
        let statements = fed.through_intermediate(json!({}), json!({ "constraints": { "max_path_length": 0 } }));
        let err = verify_chain(&leaf, &statements, &fed.trust_anchor(), None, "openid_provider", NOW);
        assert!(matches!(err, Err(ChainError::PathTooLong)));
    }

    #[test]
    fn an_entity_without_metadata_of_the_type_asked_for_is_refused() {
        let fed = Federation::new();
        let leaf = fed.op_config(ANCHOR, json!({}));
        let statements = [fed.anchor_about_op(json!({}))];
        let err = verify_chain(
            &leaf,
            &statements,
            &fed.trust_anchor(),
            None,
            "openid_relying_party",
            NOW,
        )
        .unwrap_err();
        assert!(
            matches!(&err, ChainError::MissingMetadata { entity_type, .. } if entity_type == "openid_relying_party")
        );
        // Metadata of a type the superior's constraints do not allow is dropped first.
        let only_rps =
            fed.anchor_about_op(json!({ "constraints": { "allowed_entity_types": ["openid_relying_party"] } }));
        let err = verify_chain(&leaf, &[only_rps], &fed.trust_anchor(), None, "openid_provider", NOW);
        assert!(matches!(err, Err(ChainError::MissingMetadata { .. })));
    }

    #[test]
    fn only_trust_marks_of_the_anchor_about_this_entity_and_valid_now_count() {
        let fed = Federation::new();
        let entry = |mark: String| json!({ "trust_mark_type": OP_PUBLIC, "trust_mark": mark });
        let bad = [
            fed.trust_mark(&fed.anchor_key, json!({ "exp": NOW - 61 })),
            fed.trust_mark(&fed.anchor_key, json!({ "sub": "https://other.example" })),
            fed.trust_mark(&fed.op_key, json!({})),
            fed.trust_mark(
                &fed.anchor_key,
                json!({ "trust_mark_type": "https://other.example/mark" }),
            ),
            fed.anchor_key.sign_typed(
                "JWT",
                &json!({ "iss": ANCHOR, "sub": OP, "iat": NOW, "trust_mark_type": OP_PUBLIC }),
            ),
            fed.trust_mark(&fed.anchor_key, json!({ "iss": "https://issuer.example" })),
        ];
        let anchor_config = fed.anchor_config(json!({}));
        for mark in bad {
            let leaf = fed.op_config(ANCHOR, json!({ "trust_marks": [entry(mark)] }));
            let resolved = verify_chain(
                &leaf,
                &[fed.anchor_about_op(json!({}))],
                &fed.trust_anchor(),
                Some(&anchor_config),
                "openid_provider",
                NOW,
            )
            .unwrap();
            assert!(resolved.trust_marks.is_empty());
        }
        // A mark without exp does not expire; its type may come as `id` (older drafts).
        let leaf = fed.op_config(
            ANCHOR,
            json!({ "trust_marks": [{ "id": OP_PUBLIC, "trust_mark": fed.trust_mark(&fed.anchor_key, json!({})) }] }),
        );
        let statements = [fed.anchor_about_op(json!({}))];
        let resolved = verify_chain(
            &leaf,
            &statements,
            &fed.trust_anchor(),
            Some(&anchor_config),
            "openid_provider",
            NOW,
        )
        .unwrap();
        assert_eq!(resolved.trust_marks, vec![OP_PUBLIC.to_owned()]);
        assert_eq!(resolved.expires_at, NOW + 3600);
        // An issuer the anchor does not list for the type: not counted.
        let unlisted = fed.anchor_config(json!({ "trust_mark_issuers": {} }));
        let resolved = verify_chain(
            &leaf,
            &statements,
            &fed.trust_anchor(),
            Some(&unlisted),
            "openid_provider",
            NOW,
        )
        .unwrap();
        assert!(resolved.trust_marks.is_empty());
    }

    #[test]
    fn the_resolver_fetches_only_https_and_loopback_http() {
        assert!(fetchable("https://registry.spid.gov.it/.well-known/openid-federation"));
        assert!(fetchable("http://127.0.0.1:8100/fetch?sub=x"));
        assert!(fetchable("http://localhost:8100/list"));
        assert!(!fetchable("http://169.254.169.254/latest/meta-data/"));
        assert!(!fetchable("http://10.0.0.5/.well-known/openid-federation"));
        assert!(!fetchable("file:///etc/passwd"));
        assert!(!fetchable("https://user:pw@op.example/"));
        assert!(!fetchable("not a url"));
    }

    /// A federation served over HTTP on 127.0.0.1: each entity at a path of one server.
    struct Served {
        fed: Federation,
        hits: Arc<AtomicUsize>,
        routes: Arc<Mutex<HashMap<String, (&'static str, String)>>>,
    }

    impl Served {
        async fn start() -> Served {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let base = format!("http://{}", listener.local_addr().unwrap());
            let fed = Federation::at(&format!("{base}/ta"), &format!("{base}/region"), &format!("{base}/op"));
            let hits = Arc::new(AtomicUsize::new(0));
            let routes: Arc<Mutex<HashMap<String, (&'static str, String)>>> = Arc::default();
            let (h, r) = (hits.clone(), routes.clone());
            let app = axum::Router::new().fallback(move |uri: axum::http::Uri| {
                let (h, r) = (h.clone(), r.clone());
                async move {
                    h.fetch_add(1, Ordering::SeqCst);
                    let query: Vec<String> = url::form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes())
                        .map(|(k, v)| format!("{k}={v}"))
                        .collect();
                    let key = format!("{}?{}", uri.path(), query.join("&"));
                    match r.lock().unwrap().get(&key) {
                        Some((ctype, body)) => {
                            ([(axum::http::header::CONTENT_TYPE, *ctype)], body.clone()).into_response()
                        }
                        None => axum::http::StatusCode::NOT_FOUND.into_response(),
                    }
                }
            });
            tokio::spawn(async move { axum::serve(listener, app).await });
            Served { fed, hits, routes }
        }

        fn serve(&self, entity_path: &str, body: String) {
            let path = url::Url::parse(entity_path).unwrap();
            let key = format!(
                "{}?{}",
                path.path(),
                path.query()
                    .map(|q| {
                        url::form_urlencoded::parse(q.as_bytes())
                            .map(|(k, v)| format!("{k}={v}"))
                            .collect::<Vec<_>>()
                            .join("&")
                    })
                    .unwrap_or_default()
            );
            let ctype = if key.contains("/list?") {
                "application/json"
            } else {
                "application/entity-statement+jwt; charset=utf-8"
            };
            self.routes.lock().unwrap().insert(key, (ctype, body));
        }

        /// Anchor → intermediate → provider, with the anchor's list endpoint.
        fn publish(&self) {
            let fed = &self.fed;
            // `list` checks the anchor's configuration at the wall clock's time, before NOW.
            let wall_clock = chrono::Utc::now().timestamp();
            self.serve(
                &format!("{}{WELL_KNOWN}", fed.anchor),
                fed.anchor_config(json!({ "iat": wall_clock - 10 })),
            );
            let region = json!({
                "iss": fed.intermediate, "sub": fed.intermediate, "iat": NOW, "exp": NOW + 7200,
                "jwks": jwks_of(&fed.intermediate_key), "authority_hints": [fed.anchor],
                "metadata": { "federation_entity": { "federation_fetch_endpoint": format!("{}/fetch", fed.intermediate) } },
            });
            self.serve(
                &format!("{}{WELL_KNOWN}", fed.intermediate),
                signed(&fed.intermediate_key, region),
            );
            self.serve(
                &format!("{}{WELL_KNOWN}", fed.op),
                fed.op_config(&fed.intermediate, json!({})),
            );
            let [about_op, about_region] =
                <[String; 2]>::try_from(fed.through_intermediate(json!({}), json!({}))).unwrap();
            let fetch = |superior: &str, sub: &str| {
                let mut url = url::Url::parse(&format!("{superior}/fetch")).unwrap();
                url.query_pairs_mut().append_pair("sub", sub);
                url.to_string()
            };
            self.serve(&fetch(&fed.intermediate, &fed.op), about_op);
            self.serve(&fetch(&fed.anchor, &fed.intermediate), about_region);
            self.serve(
                &format!("{}/list?entity_type=openid_provider", fed.anchor),
                json!([fed.op]).to_string(),
            );
        }

        fn resolver(&self, required: &[&str]) -> Resolver {
            let http = reqwest::Client::builder().no_proxy().build().unwrap();
            Resolver::new(
                http,
                vec![self.fed.trust_anchor()],
                required.iter().map(|s| s.to_string()).collect(),
            )
        }
    }

    use axum::response::IntoResponse;

    #[tokio::test]
    async fn the_resolver_follows_authority_hints_over_http_and_caches_until_expiry() {
        let served = Served::start().await;
        served.publish();
        let resolver = served.resolver(&[OP_PUBLIC]);
        let op = resolver.resolve(&served.fed.op, "openid_provider", NOW).await.unwrap();
        assert_eq!(op.metadata["subject_types_supported"], json!(["pairwise"]));
        assert_eq!(op.trust_marks, vec![OP_PUBLIC.to_owned()]);
        assert_eq!(op.chain.len(), 4);
        let fetched = served.hits.load(Ordering::SeqCst);
        assert_eq!(fetched, 5, "three configurations and two statements");
        // Cached: no request until the chain expires (the trust mark's exp, +1800 s).
        resolver
            .resolve(&served.fed.op, "openid_provider", NOW + 1700)
            .await
            .unwrap();
        assert_eq!(served.hits.load(Ordering::SeqCst), fetched);
        assert!(
            resolver
                .resolve(&served.fed.op, "openid_provider", NOW + 1900)
                .await
                .is_err()
        );
        assert!(served.hits.load(Ordering::SeqCst) > fetched);
        assert_eq!(
            resolver.list(&served.fed.anchor, "openid_provider").await.unwrap(),
            vec![served.fed.op.clone()]
        );
    }

    #[tokio::test]
    async fn the_resolver_refuses_a_provider_without_a_required_trust_mark() {
        let served = Served::start().await;
        served.publish();
        let resolver = served.resolver(&["https://www.spid.gov.it/openid-federation/agreement/op-private/"]);
        let err = resolver
            .resolve(&served.fed.op, "openid_provider", NOW)
            .await
            .unwrap_err();
        assert!(
            matches!(&err, ChainError::MissingTrustMark { entity, .. } if *entity == served.fed.op),
            "{err}"
        );
        // Nothing refused is cached: the next call fetches again.
        let before = served.hits.load(Ordering::SeqCst);
        assert!(resolver.resolve(&served.fed.op, "openid_provider", NOW).await.is_err());
        assert!(served.hits.load(Ordering::SeqCst) > before);
    }

    #[tokio::test]
    async fn the_resolver_finds_no_anchor_through_hints_that_loop_or_lead_elsewhere() {
        let served = Served::start().await;
        served.publish();
        let fed = &served.fed;
        // The intermediate now names the provider as its superior: a loop, never the anchor.
        let region = json!({
            "iss": fed.intermediate, "sub": fed.intermediate, "iat": NOW, "exp": NOW + 7200,
            "jwks": jwks_of(&fed.intermediate_key), "authority_hints": [fed.op, fed.intermediate],
        });
        served.serve(
            &format!("{}{WELL_KNOWN}", fed.intermediate),
            signed(&fed.intermediate_key, region),
        );
        let resolver = served.resolver(&[]);
        let err = resolver.resolve(&fed.op, "openid_provider", NOW).await.unwrap_err();
        assert!(
            matches!(&err, ChainError::NotInFederation { entity } if *entity == fed.op),
            "{err}"
        );
        // An entity that is not there at all.
        let err = resolver
            .resolve(&format!("{}/nobody", fed.anchor), "openid_provider", NOW)
            .await
            .unwrap_err();
        assert!(
            matches!(&err, ChainError::Fetch { reason, .. } if reason.contains("404")),
            "{err}"
        );
        // A list asked of an anchor we do not trust.
        assert!(matches!(
            resolver.list("https://other-anchor.example", "openid_provider").await,
            Err(ChainError::NotInFederation { .. })
        ));
    }
}
