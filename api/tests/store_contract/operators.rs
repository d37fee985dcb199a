//! [`Operators`]: unique usernames, each TOTP step claimed once.

use super::*;

pub async fn operators_are_unique_and_each_totp_step_is_claimed_once(store: Arc<dyn Store>) {
    assert!(store.insert_operator(&operator("mrossi")).await.unwrap());
    let mut other = operator("mrossi");
    other.full_name = "Someone Else".into();
    assert!(!store.insert_operator(&other).await.unwrap());
    assert_eq!(store.operator("mrossi").await.unwrap(), Some(operator("mrossi")));
    assert_eq!(store.operator("nobody").await.unwrap(), None);
    assert!(!store.claim_totp_step("nobody", 10).await.unwrap());

    // Of many concurrent logins with the same code, one wins.
    let tasks: Vec<_> = (0..12)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move { store.claim_totp_step("mrossi", 1000).await.unwrap() })
        })
        .collect();
    let mut winners = 0;
    for task in tasks {
        winners += usize::from(task.await.unwrap());
    }
    assert_eq!(winners, 1);
    // An older step is refused too; a later one is accepted.
    assert!(!store.claim_totp_step("mrossi", 999).await.unwrap());
    assert!(store.claim_totp_step("mrossi", 1001).await.unwrap());
}

pub async fn an_operator_record_is_replaced_only_if_it_exists_and_keeps_its_claimed_totp_step(store: Arc<dyn Store>) {
    assert!(
        !store.replace_operator(&operator("nobody")).await.unwrap(),
        "no such operator"
    );
    assert_eq!(store.operator("nobody").await.unwrap(), None, "replacing never creates");

    assert!(store.insert_operator(&operator("mrossi")).await.unwrap());
    assert!(store.claim_totp_step("mrossi", 500).await.unwrap());
    let mut disabled = operator("mrossi");
    disabled.disabled = true;
    disabled.session_generation = 3;
    disabled.role = OperatorRole::Supervisor;
    disabled.password_hash = "$argon2id$v=19$m=19456,t=2,p=1$bmV3$bmV3".into();
    assert!(store.replace_operator(&disabled).await.unwrap());
    assert_eq!(store.operator("mrossi").await.unwrap(), Some(disabled));
    // The step claimed before is still claimed.
    assert!(!store.claim_totp_step("mrossi", 500).await.unwrap());
    assert!(store.claim_totp_step("mrossi", 501).await.unwrap());
}
