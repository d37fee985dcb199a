//! Sessions of both realms in DynamoDB: a citizen's under `SESSION#<token hash>` / `SESSION`, its
//! fields as attributes; an operator's under `OPERATOR_SESSION#<token hash>` / `OPERATOR_SESSION`,
//! its record as JSON. Both have the idle expiry as the number attribute `expires_at` (which the
//! extension moves) and the absolute end as TTL. The layouts predate the single `Sessions` port
//! and are kept; only the key and the encoding differ by realm.

use domain::CodiceFiscale;

use super::*;

/// The key of `realm`'s session of `token_hash`.
fn session_key(realm: Realm, token_hash: &str) -> Item {
    match realm {
        Realm::Citizen => key(format!("SESSION#{token_hash}"), SESSION),
        Realm::Operator => key(format!("OPERATOR_SESSION#{token_hash}"), OPERATOR_SESSION),
    }
}

/// The item of a citizen's session (or CNS handoff).
pub(super) fn citizen_item(session: &SessionRecord) -> Result<Item, StoreError> {
    let mut item = session_key(Realm::Citizen, &session.token_hash);
    item.insert("codice_fiscale".into(), string(session.codice_fiscale.as_str()));
    item.insert("scope".into(), string(scope_name(session.scope)?));
    item.insert("method".into(), string(&session.method));
    item.insert("created_at".into(), number(ms(session.created_at)));
    item.insert("expires_at".into(), number(ms(session.expires_at)));
    item.insert("absolute_expires_at".into(), number(ms(session.absolute_expires_at)));
    if let Some(binding) = &session.handoff_binding {
        item.insert("handoff_binding".into(), string(binding));
    }
    if let Some(credential) = session.credential {
        item.insert("credential".into(), string(credential.as_str()));
    }
    if let Some(name) = &session.applicant_name {
        item.insert("applicant_name".into(), string(name));
    }
    // The absolute end never moves, so the idle extension never has to touch it. TTL only
    // tidies up (DynamoDB deletes within days); `SessionRecord::is_live` is what decides.
    item.insert(TTL_ATTRIBUTE.into(), number(epoch_seconds(session.absolute_expires_at)));
    Ok(item)
}

/// A citizen's session (or CNS handoff) from its item.
pub(super) fn citizen_from(token_hash: &str, item: &Item) -> Result<SessionRecord, StoreError> {
    Ok(SessionRecord {
        token_hash: token_hash.to_owned(),
        codice_fiscale: CodiceFiscale::parse(get_s(item, "codice_fiscale")?)
            .map_err(|_| malformed("codice_fiscale"))?,
        scope: parse_scope(get_s(item, "scope")?)?,
        method: get_s(item, "method")?.to_owned(),
        created_at: from_ms(get_n(item, "created_at")?),
        expires_at: from_ms(get_n(item, "expires_at")?),
        absolute_expires_at: from_ms(get_n(item, "absolute_expires_at")?),
        handoff_binding: match item.get("handoff_binding") {
            None => None,
            Some(_) => Some(get_s(item, "handoff_binding")?.to_owned()),
        },
        credential: match item.get("credential") {
            None => None,
            Some(_) => {
                Some(domain::Credential::parse(get_s(item, "credential")?).ok_or_else(|| malformed("credential"))?)
            }
        },
        applicant_name: match item.get("applicant_name") {
            None => None,
            Some(_) => Some(get_s(item, "applicant_name")?.to_owned()),
        },
    })
}

fn operator_item(session: &OperatorSessionRecord) -> Result<Item, StoreError> {
    let mut item = session_key(Realm::Operator, &session.token_hash);
    item.insert("record".into(), string(to_json(session)?));
    // The idle expiry moves on every use: an attribute of its own, which wins over the JSON.
    item.insert("expires_at".into(), number(ms(session.expires_at)));
    item.insert(TTL_ATTRIBUTE.into(), number(epoch_seconds(session.absolute_expires_at)));
    Ok(item)
}

fn operator_from(item: &Item) -> Result<OperatorSessionRecord, StoreError> {
    let mut session: OperatorSessionRecord = from_json(get_s(item, "record")?)?;
    session.expires_at = from_ms(get_n(item, "expires_at")?);
    Ok(session)
}

#[async_trait]
impl Sessions for DynamoDbStore {
    async fn put_session(&self, session: &Session) -> Result<(), StoreError> {
        let item = match session {
            Session::Citizen(s) => citizen_item(s)?,
            Session::Operator(s) => operator_item(s)?,
        };
        self.put_new_session(item).await
    }

    async fn session(&self, realm: Realm, token_hash: &str) -> Result<Option<Session>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(session_key(realm, token_hash)))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| sdk_error("GetItem", &self.table, e))?;
        let Some(item) = out.item else {
            return Ok(None);
        };
        Ok(Some(match realm {
            Realm::Citizen => Session::Citizen(citizen_from(token_hash, &item)?),
            Realm::Operator => Session::Operator(operator_from(&item)?),
        }))
    }

    async fn extend_session(
        &self,
        realm: Realm,
        token_hash: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        // Conditional, so that extending a session deleted meanwhile (a logout) does not bring
        // back a stub; that case is no error, as in SQLite.
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(session_key(realm, token_hash)))
            .update_expression("SET #expires_at = :expires_at")
            .condition_expression("attribute_exists(#pk)")
            .expression_attribute_names("#pk", PARTITION_KEY)
            .expression_attribute_names("#expires_at", "expires_at")
            .expression_attribute_values(":expires_at", number(ms(expires_at)))
            .send()
            .await;
        applied(result, "UpdateItem", &self.table).map(|_| ())
    }

    async fn delete_session(&self, realm: Realm, token_hash: &str) -> Result<(), StoreError> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(session_key(realm, token_hash)))
            .send()
            .await
            .map_err(|e| sdk_error("DeleteItem", &self.table, e))?;
        Ok(())
    }
}

impl DynamoDbStore {
    /// Puts a session's (or handoff's) item unless its key is taken: a token hash is never reused.
    pub(super) async fn put_new_session(&self, item: Item) -> Result<(), StoreError> {
        if self.put_if_absent(item).await? {
            Ok(())
        } else {
            Err(StoreError::Other(
                "a session with this token hash already exists".into(),
            ))
        }
    }
}
