//! [`AuditLog`]: append-only, listed newest first.

use super::*;

pub async fn the_audit_log_lists_by_citizen_and_by_operator_newest_first(store: Arc<dyn Store>) {
    let entry = |minute: i64, operator: &str, cf: Option<&str>, action: AuditAction| AuditEntry {
        at: t0() + Duration::minutes(minute),
        operator: operator.into(),
        codice_fiscale: cf.map(str::to_owned),
        action,
        outcome: AuditOutcome::Ok,
        detail: format!("minute {minute}"),
    };
    let (a, b) = (codice_fiscale(8), codice_fiscale(9));
    let entries = [
        entry(0, "mrossi", None, AuditAction::Login),
        entry(1, "mrossi", Some(&a), AuditAction::CallOpened),
        entry(2, "lbianchi", Some(&b), AuditAction::CallOpened),
        entry(3, "mrossi", Some(&a), AuditAction::PinCheck),
        // Two entries in the same millisecond are both kept.
        entry(3, "mrossi", Some(&a), AuditAction::DraftSaved),
    ];
    for e in &entries {
        store.append_audit(e).await.unwrap();
    }
    let for_a = store.audit_for(&a, 10).await.unwrap();
    assert_eq!(for_a.len(), 3);
    assert_eq!(for_a[2], entries[1]);
    assert!(for_a.iter().all(|e| e.codice_fiscale.as_deref() == Some(a.as_str())));
    let by_rossi = store.audit_by_operator("mrossi", 10).await.unwrap();
    assert_eq!(by_rossi.len(), 4);
    assert_eq!(by_rossi[3], entries[0]);
    assert_eq!(store.audit_by_operator("mrossi", 2).await.unwrap().len(), 2);
    assert_eq!(store.audit_for(&b, 10).await.unwrap(), [entries[2].clone()]);
    assert!(store.audit_for(&codice_fiscale(10), 10).await.unwrap().is_empty());
}
