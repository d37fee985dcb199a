//! The messages the service queued for a citizen (the durable outbox, docs/adr/0015), as the
//! API's answers list them: the PIN request's confirmation page says which were queued, and a
//! Contact Center call lists each with how it went, so that "it never arrived" has an answer.

use crate::i18n::Text;
use crate::json::Json;

/// One message as the API sends it (`messages: [{channel, kind, to, state, …}]`); the names are
/// the API's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedMessage {
    /// How it travels: `sms`, `email`, `pec`, `post`.
    pub channel: String,
    /// What it tells: `pin_first_half`, `pin_second_half`, `pin_validated`, `receipt`,
    /// `status_change`.
    pub kind: String,
    /// The recipient, masked (`+39 ***4567`, `m***@example.it`, `Via G***, 00186 Roma`).
    pub to: String,
    /// `queued`, `sending`, `retrying`, `sent`, `dead`.
    pub state: String,
    /// When it was written (RFC 3339).
    pub created_at: String,
    /// When its carrier took it (RFC 3339), if it has.
    pub sent_at: Option<String>,
    /// Hand-overs tried.
    pub attempts: u64,
}

/// The `messages` of an API answer, in the answer's order (none if it has no such list).
pub fn messages_of(json: &Json) -> Vec<QueuedMessage> {
    let text = |m: &Json, key: &str| m[key].as_str().unwrap_or_default().to_owned();
    json["messages"]
        .as_array()
        .unwrap_or_default()
        .iter()
        .map(|m| QueuedMessage {
            channel: text(m, "channel"),
            kind: text(m, "kind"),
            to: text(m, "to"),
            state: text(m, "state"),
            created_at: text(m, "created_at"),
            sent_at: m["sent_at"].as_str().map(str::to_owned),
            attempts: m["attempts"].as_u64().unwrap_or_default(),
        })
        .collect()
}

/// How a message's state reads, to the citizen and to the operator alike; `None` for a state
/// this page does not know (shown as the API names it).
pub fn state_text(state: &str) -> Option<Text> {
    Some(match state {
        "queued" => Text::MessageQueued,
        "sending" => Text::MessageSending,
        "retrying" => Text::MessageRetrying,
        "sent" => Text::MessageSent,
        "dead" => Text::MessageDead,
        _ => return None,
    })
}

/// "SMS al numero {to}" and the like: how and where a message goes, for a sentence.
pub fn destination_text(channel: &str) -> Option<Text> {
    Some(match channel {
        "sms" => Text::MessageBySms,
        "email" => Text::MessageByEmail,
        "pec" => Text::MessageByPec,
        "post" => Text::MessageByPost,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::Lang;

    #[test]
    fn the_messages_of_an_answer_are_read_in_order_with_their_state() {
        let json = Json::parse(
            r#"{"messages":[
            {"channel":"sms","kind":"pin_first_half","to":"+39 ***4567","state":"sent",
             "created_at":"2020-04-01T07:00:00Z","sent_at":"2020-04-01T07:00:01Z","attempts":1},
            {"channel":"post","kind":"pin_second_half","to":"Via G***, 00186 Roma","state":"queued",
             "created_at":"2020-04-01T07:00:00Z","sent_at":null,"attempts":0}]}"#,
        )
        .unwrap();
        let messages = messages_of(&json);
        assert_eq!(messages.len(), 2);
        assert_eq!(messages[0].sent_at.as_deref(), Some("2020-04-01T07:00:01Z"));
        assert_eq!(messages[0].attempts, 1);
        assert_eq!(messages[1].to, "Via G***, 00186 Roma");
        assert_eq!(messages[1].sent_at, None);
        assert!(messages_of(&Json::Null).is_empty());
    }

    #[test]
    fn every_state_and_channel_the_api_names_has_words() {
        for state in ["queued", "sending", "retrying", "sent", "dead"] {
            assert!(state_text(state).is_some(), "{state}");
        }
        assert_eq!(state_text("queued").unwrap().get(Lang::It), "in coda");
        assert_eq!(state_text("lost"), None);
        for channel in ["sms", "email", "pec", "post"] {
            assert!(
                destination_text(channel).unwrap().get(Lang::It).contains("{to}"),
                "{channel}"
            );
        }
        assert_eq!(destination_text("fax"), None);
    }
}
