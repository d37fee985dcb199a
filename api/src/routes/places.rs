//! `GET /api/places?q=Rom`: municipalities and countries by name, for the SPA's place fields (the
//! table is too large to ship to phones).

use axum::extract::Query;
use axum::routing::get;
use axum::{Json, Router};
use domain::places::{self, PlaceKind};
use serde::{Deserialize, Serialize};

use crate::AppState;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct PlaceQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    limit: Option<usize>,
}

#[derive(Serialize, utoipa::ToSchema)]
struct PlaceHit {
    code: &'static str,
    name: &'static str,
    province: &'static str,
    kind: PlaceKind,
    current: bool,
}

#[utoipa::path(
    get,
    path = "/api/places",
    tag = "places",
    params(PlaceQuery),
    responses((status = 200, description = "Matching municipalities and countries", body = Vec<PlaceHit>))
)]
async fn search(Query(query): Query<PlaceQuery>) -> Json<Vec<PlaceHit>> {
    let limit = query.limit.unwrap_or(10).clamp(1, 50);
    let hits = places::search(&query.q, limit)
        .into_iter()
        .map(|p| PlaceHit {
            code: p.code,
            name: p.name,
            province: p.province,
            kind: p.kind,
            current: p.is_current(),
        })
        .collect();
    Json(hits)
}

pub fn router() -> Router<AppState> {
    Router::new().route("/places", get(search))
}
