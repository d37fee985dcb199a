//! The messages the service queued for a citizen (the durable outbox, docs/adr/0015), as the
//! API's answers list them: the PIN request's confirmation page says which were queued, and a
//! Contact Center call lists each with how it went, so that "it never arrived" has an answer.

use crate::i18n::Text;

/// One message as the API sends it (the wire type; the names of channels, kinds and states are
/// the API's).
pub use domain::wire::pin_request::QueuedMessage;

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
