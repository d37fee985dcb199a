//! The application state every handler receives, and how it is put together.

use std::sync::Arc;

use crate::clock::{Clock, ShiftableClock, SystemClock};
use crate::config::Config;
use crate::delivery::Carriers;
use crate::delivery::worker::Wake;
use crate::notifier::NotifyError;
use crate::outbox::Sealer;
use crate::rate_limit::ClientRateLimiter;
use crate::registry::Registry;
use crate::secrets::PinKey;
use crate::store::Store;

/// What every handler may use. Cheap to clone: everything behind `Arc`.
#[derive(Clone)]
pub struct AppState {
    /// Where citizens' data lives (SQLite locally, DynamoDB on AWS).
    pub store: Arc<dyn Store>,
    /// The population registry PIN requests are checked against (docs/adr/0013).
    pub registry: Arc<dyn Registry>,
    /// The validated configuration read at start.
    pub config: Arc<Config>,
    /// The time the server decides by.
    pub clock: Arc<dyn Clock>,
    /// The carriers the delivery worker hands messages to.
    pub carriers: Arc<Carriers>,
    /// The key PIN hashes are made with.
    pub pin_key: Arc<PinKey>,
    /// Seals messages for the durable outbox (docs/adr/0015).
    pub sealer: Arc<Sealer>,
    /// Wakes the local delivery worker when an event wrote messages (on AWS the table's stream
    /// does); a worker that sleeps through a wake-up still finds them on its next round.
    pub outbox_written: Arc<Wake>,
    /// Per-client limits on login and PIN-request attempts.
    pub rate_limiter: Arc<ClientRateLimiter>,
    /// How many panic reports the SPA may send (`/api/client-errors`).
    pub client_error_limits: Arc<crate::rate_limit::ReportLimits>,
    /// The settable clock behind `clock`, present only in dev mode (tests move time with it).
    pub dev_clock: Option<Arc<ShiftableClock>>,
    /// The OpenID Connect relying party (SPID, CIE).
    pub oidc: Arc<crate::oidc::Oidc>,
    /// The click-day waiting room.
    pub rooms: Arc<crate::services::waiting_room::Rooms>,
}

impl AppState {
    /// The state for `config` over `store` and `registry`, with the configured notifier. In dev
    /// mode the clock can be set through the dev API; otherwise it is the system clock and cannot be.
    pub fn new(
        config: Config,
        store: Arc<dyn Store>,
        registry: Arc<dyn Registry>,
        pin_key: PinKey,
    ) -> Result<AppState, NotifyError> {
        Self::with_sns(config, store, registry, pin_key, None)
    }

    /// [`AppState::new`] with the SNS client SMS are published through when `config` chooses SNS
    /// (the Lambda entry point makes it from its AWS settings; the local server has none).
    pub fn with_sns(
        config: Config,
        store: Arc<dyn Store>,
        registry: Arc<dyn Registry>,
        pin_key: PinKey,
        sns: Option<aws_sdk_sns::Client>,
    ) -> Result<AppState, NotifyError> {
        let dev_clock = config.dev_mode.then(|| Arc::new(ShiftableClock::default()));
        let clock: Arc<dyn Clock> = match &dev_clock {
            Some(c) => c.clone(),
            None => Arc::new(SystemClock),
        };
        let carriers = crate::delivery::carriers::from_config(&config, store.clone(), clock.clone(), sns)?;
        Ok(Self::assemble(
            config, store, registry, pin_key, carriers, clock, dev_clock,
        ))
    }

    /// The state for `config` with `carriers` given rather than configured: on AWS the API
    /// function has none (the delivery worker delivers; docs/adr/0016).
    pub fn with_carriers(
        config: Config,
        store: Arc<dyn Store>,
        registry: Arc<dyn Registry>,
        pin_key: PinKey,
        carriers: Carriers,
    ) -> AppState {
        let dev_clock = config.dev_mode.then(|| Arc::new(ShiftableClock::default()));
        let clock: Arc<dyn Clock> = match &dev_clock {
            Some(c) => c.clone(),
            None => Arc::new(SystemClock),
        };
        Self::assemble(config, store, registry, pin_key, carriers, clock, dev_clock)
    }

    fn assemble(
        config: Config,
        store: Arc<dyn Store>,
        registry: Arc<dyn Registry>,
        pin_key: PinKey,
        carriers: Carriers,
        clock: Arc<dyn Clock>,
        dev_clock: Option<Arc<ShiftableClock>>,
    ) -> AppState {
        let oidc = crate::oidc::Oidc::new(&config.oidc, config.secure_cookies, crate::oidc::flow_key(&pin_key));
        let load = Arc::new(crate::services::load::LoadMeter::new(config.max_in_flight));
        let rooms = crate::services::waiting_room::Rooms::new(config.queue, config.submission_windows, &pin_key, load);
        AppState {
            rooms: Arc::new(rooms),
            rate_limiter: Arc::new(ClientRateLimiter::new(config.client_rate_per_minute)),
            client_error_limits: Arc::default(),
            store,
            registry,
            config: Arc::new(config),
            clock,
            carriers: Arc::new(carriers),
            sealer: Arc::new(Sealer::new(&pin_key)),
            outbox_written: Arc::default(),
            pin_key: Arc::new(pin_key),
            dev_clock,
            oidc: Arc::new(oidc),
        }
    }
}
