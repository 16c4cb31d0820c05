//! `GET /console/programs` and `GET /console/programs/{id}`: the brand's programs, and
//! one program's terms in the words ambassadors read, with every terms version.
//! Creating and editing are in `programs_edit`.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use serde_json::Value;

use super::Frame;
use super::programs_preview::{self, PreviewForm, PreviewView};
use crate::api::AppState;
use crate::domain::Currency;
use crate::domain::display;
use crate::domain::terms::{AttributionRule, Terms};
use crate::service::ambassadors;
use crate::service::programs::{self, ProgramError};
use crate::store::ids::ProgramId;
use crate::web::page;
use crate::web::session::{PageError, SignedIn};

/// Programs on one page of the list.
const PAGE: i64 = 100;

struct Row {
    id: ProgramId,
    name: String,
    currency: String,
    commission: String,
    ambassadors: i64,
    version: i32,
}

#[derive(Template)]
#[template(path = "console/programs.html")]
struct ProgramsPage {
    frame: Frame,
    rows: Vec<Row>,
    next: Option<ProgramId>,
}

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    after: Option<String>,
}

/// The stored terms in words, the label of each fact with its sentence; terms that no
/// longer read (a row edited by hand) say so instead.
pub(super) fn words(terms: &Value, currency: &str) -> (Vec<(String, String)>, Option<AttributionRule>) {
    match (Terms::from_stored(&terms.to_string()), Currency::parse(currency)) {
        (Ok(terms), Ok(currency)) => (terms.in_words(currency), Some(terms.attribution)),
        _ => (
            vec![(
                "Terms".to_owned(),
                "These terms cannot be read; edit them to set them again.".to_owned(),
            )],
            None,
        ),
    }
}

pub async fn list(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, PageError> {
    let (actor, frame) = super::enter(&state, &signed_in, "programs").await?;
    let after = match query.after.as_deref() {
        None | Some("") => None,
        Some(text) => Some(
            text.parse::<ProgramId>()
                .map_err(|_| PageError::BadRequest("Not a program id.".into()))?,
        ),
    };
    let mut found = programs::list(&state.db, actor.brand_id, after, PAGE + 1)
        .await
        .map_err(PageError::internal)?;
    let counts = ambassadors::count_by_program(&state.db, actor.brand_id)
        .await
        .map_err(PageError::internal)?;
    let more = found.len() as i64 > PAGE;
    found.truncate(PAGE as usize);
    let next = more.then(|| found.last().map(|p| p.id)).flatten();
    let rows = found
        .into_iter()
        .map(|p| {
            let (facts, _) = words(&p.terms, &p.currency);
            Row {
                commission: facts.into_iter().next().map(|(_, text)| text).unwrap_or_default(),
                ambassadors: counts.get(&p.id).copied().unwrap_or(0),
                id: p.id,
                name: p.name,
                currency: p.currency,
                version: p.terms_version,
            }
        })
        .collect();
    Ok(page(StatusCode::OK, &ProgramsPage { frame, rows, next }))
}

struct Version {
    version: i32,
    since: String,
    current: bool,
    terms: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "console/program.html")]
struct ProgramPage {
    frame: Frame,
    id: ProgramId,
    name: String,
    currency: String,
    version: i32,
    ambassadors: i64,
    notice: Option<&'static str>,
    terms: Vec<(String, String)>,
    attribution: &'static str,
    versions: Vec<Version>,
    preview: PreviewView,
}

#[derive(Debug, Deserialize)]
pub struct ShowQuery {
    done: Option<String>,
}

/// The status line after a form sent the person here.
fn notice(done: Option<&str>) -> Option<&'static str> {
    match done? {
        "created" => Some("The program is created. Invite ambassadors into it."),
        "versioned" => Some("Saved: the new terms apply to orders from now on; earlier orders keep theirs."),
        "saved" => Some("Saved. The terms did not change, so their version stays."),
        _ => None,
    }
}

/// A refused program read: another brand's program is 404.
pub(super) fn refused(err: ProgramError) -> PageError {
    match err {
        ProgramError::NotFound => PageError::NotFound,
        err => PageError::internal(err),
    }
}

/// The program, its versions, and the preview of the cart in the query (the example
/// cart without one; 422 when a value of the cart is refused).
pub async fn show(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    req: HttpRequest,
    id: web::Path<ProgramId>,
    query: web::Query<ShowQuery>,
) -> Result<HttpResponse, PageError> {
    let (actor, frame) = super::enter(&state, &signed_in, "programs").await?;
    let id = id.into_inner();
    let program = programs::get(&state.db, actor.brand_id, id).await.map_err(refused)?;
    let versions = programs::versions(&state.db, actor.brand_id, id)
        .await
        .map_err(refused)?;
    let counts = ambassadors::count_by_program(&state.db, actor.brand_id)
        .await
        .map_err(PageError::internal)?;
    let (terms, attribution) = words(&program.terms, &program.currency);
    let currency = Currency::parse(&program.currency).map_err(PageError::internal)?;
    let form = PreviewForm::from_query(req.query_string());
    let current = Terms::from_stored(&program.terms.to_string()).ok();
    let (preview, refused) = programs_preview::run(&state.db, actor.brand_id, currency, current, &form).await?;
    let versions = versions
        .into_iter()
        .rev()
        .map(|v| Version {
            current: v.version == program.terms_version,
            version: v.version,
            since: display::date_time(v.created_at),
            terms: words(&v.terms, &v.currency).0,
        })
        .collect();
    let view = ProgramPage {
        frame,
        id,
        ambassadors: counts.get(&id).copied().unwrap_or(0),
        notice: notice(query.done.as_deref()),
        terms,
        attribution: match attribution {
            Some(AttributionRule::LinkFirst) => "the link wins",
            _ => "the code wins",
        },
        versions,
        preview,
        name: program.name,
        currency: program.currency,
        version: program.terms_version,
    };
    let status = if refused {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok(page(status, &view))
}
