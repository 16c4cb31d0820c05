//! `GET|POST /console/programs/new` and `GET|POST /console/programs/{id}/edit`: a
//! program's name, currency and terms in one form, saved through the same use cases as
//! `POST /v1/brand/programs` and `PATCH /v1/brand/programs/{id}` with the same terms
//! document ([`ProgramForm::terms`]), so every rule and message is the API's. Each
//! refused value is shown beside its input and listed above the form (422); a currency
//! locked by orders (409) beside the currency.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use super::Frame;
use super::programs::refused;
use super::programs_form::{ProgramForm, Rows};
use super::programs_view::FormView;
use crate::api::AppState;
use crate::domain::terms::{Terms, TermsInput};
use crate::domain::{BrandName, Currency};
use crate::service::brands;
use crate::service::programs::{self, CreateProgram, ProgramError, UpdateProgram};
use crate::store::ids::ProgramId;
use crate::web::form::FieldErrors;
use crate::web::session::{PageError, SignedIn};
use crate::web::{page, see_other};

#[derive(Template)]
#[template(path = "console/program_form.html")]
struct FormPage<'a> {
    frame: Frame,
    title: &'a str,
    action: &'a str,
    back: &'a str,
    back_label: &'a str,
    submit: &'a str,
    error: Option<&'a str>,
    view: FormView,
}

/// Where the form is sent and what it is called: a new program, or one to edit.
struct Target {
    title: String,
    action: String,
    back: String,
    back_label: String,
    submit: &'static str,
}

impl Target {
    fn new_program() -> Self {
        Self {
            title: "New program".into(),
            action: "/console/programs/new".into(),
            back: "/console/programs".into(),
            back_label: "Programs".into(),
            submit: "Create the program",
        }
    }

    fn edit(id: ProgramId, name: &str) -> Self {
        Self {
            title: format!("Edit {name}"),
            action: format!("/console/programs/{id}/edit"),
            back: format!("/console/programs/{id}"),
            back_label: name.to_owned(),
            submit: "Save the terms",
        }
    }

    fn render(
        &self,
        frame: Frame,
        status: StatusCode,
        form: &ProgramForm,
        errors: &FieldErrors,
        error: Option<&str>,
    ) -> HttpResponse {
        page(
            status,
            &FormPage {
                frame,
                title: &self.title,
                action: &self.action,
                back: &self.back,
                back_label: &self.back_label,
                submit: self.submit,
                error,
                view: FormView::new(form, errors),
            },
        )
    }
}

/// The submitted form and its CSRF token. The body is read as bytes (within the
/// request cap) rather than through `web::Form`, whose 16 KiB default a program with
/// many rows can pass.
fn read(body: &[u8]) -> Result<(String, ProgramForm), PageError> {
    let pairs = url::form_urlencoded::parse(body).into_owned().collect();
    ProgramForm::from_pairs(pairs).map_err(PageError::BadRequest)
}

/// The terms document of the form and its validated terms, checked by the API's own
/// validation (whose messages go beside their inputs); `None` when anything of the
/// form was refused. The rows say where each list entry came from.
fn checked_terms(form: &ProgramForm, money: Currency, errors: &mut FieldErrors) -> (Option<(TermsInput, Terms)>, Rows) {
    let (input, rows) = form.terms(money, errors);
    let terms = match input.clone().validate() {
        Ok(terms) => Some(terms),
        Err(found) => {
            rows.show(found, errors);
            None
        }
    };
    let accepted = errors.is_empty();
    (terms.filter(|_| accepted).map(|terms| (input, terms)), rows)
}

/// The currency typed (`None` when left empty), with its error kept.
fn typed_currency(form: &ProgramForm, errors: &mut FieldErrors) -> Option<Option<Currency>> {
    match form.currency.trim() {
        "" => Some(None),
        code => errors.check("currency", Currency::parse(code)).map(Some),
    }
}

pub async fn new(state: web::Data<AppState>, signed_in: SignedIn) -> Result<HttpResponse, PageError> {
    let (actor, frame) = super::enter(&state, &signed_in, "programs").await?;
    let brand = brands::get(&state.db, actor.brand_id)
        .await
        .map_err(PageError::internal)?;
    let form = ProgramForm::new_program(&brand.currency);
    Ok(Target::new_program().render(frame, StatusCode::OK, &form, &FieldErrors::default(), None))
}

pub async fn create(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let (actor, frame) = super::enter(&state, &signed_in, "programs").await?;
    let (csrf, typed) = read(&body)?;
    signed_in.check_form(&csrf)?;
    let target = Target::new_program();
    let mut errors = FieldErrors::default();
    let name = errors.check("name", BrandName::parse(&typed.name));
    let currency = typed_currency(&typed, &mut errors);
    // Amounts are read in the currency typed, or the brand's (the API's default) when
    // none was typed or it was refused.
    let money = match currency.flatten() {
        Some(currency) => currency,
        None => {
            let brand = brands::get(&state.db, actor.brand_id)
                .await
                .map_err(PageError::internal)?;
            Currency::parse(&brand.currency).map_err(PageError::internal)?
        }
    };
    let (checked, rows) = checked_terms(&typed, money, &mut errors);
    let (Some(name), Some(currency), Some((_, terms))) = (name, currency, checked) else {
        return Ok(target.render(frame, StatusCode::UNPROCESSABLE_ENTITY, &typed, &errors, None));
    };
    let command = CreateProgram {
        brand_id: actor.brand_id,
        name,
        currency,
        terms,
        now: state.clock.now(),
    };
    match programs::create(&state.db, command).await {
        Ok(program) => Ok(see_other(&format!("/console/programs/{}?done=created", program.id))),
        Err(ProgramError::Invalid(found)) => {
            rows.show(found, &mut errors);
            Ok(target.render(frame, StatusCode::UNPROCESSABLE_ENTITY, &typed, &errors, None))
        }
        Err(err) => Err(PageError::internal(err)),
    }
}

pub async fn edit(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    id: web::Path<ProgramId>,
) -> Result<HttpResponse, PageError> {
    let (actor, frame) = super::enter(&state, &signed_in, "programs").await?;
    let id = id.into_inner();
    let program = programs::get(&state.db, actor.brand_id, id).await.map_err(refused)?;
    let currency = Currency::parse(&program.currency).map_err(PageError::internal)?;
    // The stored document is the canonical terms; one that does not read is drawn as
    // an empty form, to be set again.
    let stored: TermsInput = serde_json::from_value(program.terms.clone()).unwrap_or_default();
    let form = ProgramForm::of_program(&program.name, currency, program.terms_version, stored);
    Ok(Target::edit(id, &program.name).render(frame, StatusCode::OK, &form, &FieldErrors::default(), None))
}

pub async fn update(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    id: web::Path<ProgramId>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let (actor, frame) = super::enter(&state, &signed_in, "programs").await?;
    let id = id.into_inner();
    let (csrf, typed) = read(&body)?;
    signed_in.check_form(&csrf)?;
    // Read first: another brand's program is 404 whatever the form holds, and a
    // refused currency leaves the amounts to be read in the program's own.
    let current = programs::get(&state.db, actor.brand_id, id).await.map_err(refused)?;
    let target = Target::edit(id, &current.name);
    let mut errors = FieldErrors::default();
    let name = errors.check("name", BrandName::parse(&typed.name));
    let currency = typed_currency(&typed, &mut errors);
    let money = match currency.flatten() {
        Some(currency) => currency,
        None => Currency::parse(&current.currency).map_err(PageError::internal)?,
    };
    let (checked, rows) = checked_terms(&typed, money, &mut errors);
    let (Some(name), Some(currency), Some((patch, _))) = (name, currency, checked) else {
        return Ok(target.render(frame, StatusCode::UNPROCESSABLE_ENTITY, &typed, &errors, None));
    };
    let command = UpdateProgram {
        brand_id: actor.brand_id,
        id,
        name: Some(name),
        currency,
        patch,
        now: state.clock.now(),
    };
    let status = match programs::update(&state.db, command).await {
        Ok(program) => {
            let done = match typed.version.parse::<i32>() {
                Ok(drawn) if program.terms_version == drawn => "saved",
                _ => "versioned",
            };
            return Ok(see_other(&format!("/console/programs/{id}?done={done}")));
        }
        Err(ProgramError::Invalid(found)) => {
            rows.show(found, &mut errors);
            StatusCode::UNPROCESSABLE_ENTITY
        }
        Err(ProgramError::CurrencyLocked) => {
            errors.add(
                "currency",
                "The program already has orders, so its currency cannot change; create a new program instead.",
            );
            StatusCode::CONFLICT
        }
        Err(ProgramError::ChangedConcurrently) => {
            let raced = Some("Someone saved this program at the same moment; send the form again.");
            return Ok(target.render(frame, StatusCode::CONFLICT, &typed, &errors, raced));
        }
        Err(err) => return Err(refused(err)),
    };
    Ok(target.render(frame, status, &typed, &errors, None))
}
