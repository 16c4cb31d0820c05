//! Mail waiting to go out, with its attempts: written in the transaction of the change it
//! tells of (or by the dispatcher fanning out an outbox event), taken by a worker with a
//! lease, as webhook deliveries are, so each attempt is made by one instance and an
//! instance killed mid-attempt lets the message go when the lease ends.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::ids::{BrandId, MailMessageId, text_enum};
use super::schema::mail_messages;
use super::{DbConn, is_unique_violation};

text_enum!(
    /// Why a message is sent.
    MailKind {
        Invitation => "invitation",
        TeamInvitation => "team_invitation",
        PasswordReset => "password_reset",
        Sale => "sale",
        PayoutPaid => "payout_paid",
        EndpointDisabled => "endpoint_disabled",
        DealOffer => "deal_offer",
    }
);

text_enum!(
    /// Where a message stands.
    MailStatus { Pending => "pending", Sent => "sent", Failed => "failed" }
);

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = mail_messages)]
pub struct MailRow {
    pub id: MailMessageId,
    pub kind: MailKind,
    pub brand_id: Option<BrandId>,
    pub dedupe_key: Option<String>,
    pub message_sealed: String,
    pub status: MailStatus,
    pub attempts: i32,
    pub next_attempt_at: Option<NaiveDateTime>,
    pub locked_until: Option<NaiveDateTime>,
    pub last_error: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// Adds a message; one per `dedupe_key`, so a second dispatcher's insert is a
/// no-op (false).
pub fn insert(conn: &mut DbConn, row: &MailRow) -> QueryResult<bool> {
    match conn.transaction(|conn| diesel::insert_into(mail_messages::table).values(row).execute(conn)) {
        Ok(_) => Ok(true),
        Err(err) if is_unique_violation(&err) => Ok(false),
        Err(err) => Err(err),
    }
}

/// Pending messages due by `now` whose lease (if any) has ended, oldest due first.
pub fn due(conn: &mut DbConn, now: NaiveDateTime, limit: i64) -> QueryResult<Vec<MailMessageId>> {
    mail_messages::table
        .filter(mail_messages::status.eq(MailStatus::Pending))
        .filter(mail_messages::next_attempt_at.le(now))
        .filter(
            mail_messages::locked_until
                .is_null()
                .or(mail_messages::locked_until.le(now)),
        )
        .order(mail_messages::next_attempt_at.asc())
        .limit(limit)
        .select(mail_messages::id)
        .load(conn)
}

/// Takes a due message for one attempt until `until`; false when another worker has it,
/// or has made an attempt since the message was listed as due.
pub fn claim(conn: &mut DbConn, id: MailMessageId, now: NaiveDateTime, until: NaiveDateTime) -> QueryResult<bool> {
    let changed = diesel::update(
        mail_messages::table
            .find(id)
            .filter(mail_messages::status.eq(MailStatus::Pending))
            .filter(mail_messages::next_attempt_at.le(now))
            .filter(
                mail_messages::locked_until
                    .is_null()
                    .or(mail_messages::locked_until.le(now)),
            ),
    )
    .set((
        mail_messages::locked_until.eq(until),
        mail_messages::attempts.eq(mail_messages::attempts + 1),
        mail_messages::updated_at.eq(now),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}

pub fn get(conn: &mut DbConn, id: MailMessageId) -> QueryResult<Option<MailRow>> {
    mail_messages::table
        .find(id)
        .select(MailRow::as_select())
        .first(conn)
        .optional()
}

/// What one attempt came to. A sent message's sealed body is emptied: it may hold a
/// reset token, and nothing needs it any more.
#[derive(Debug, Clone, AsChangeset)]
#[diesel(table_name = mail_messages, treat_none_as_null = true)]
pub struct MailOutcome {
    pub status: MailStatus,
    pub next_attempt_at: Option<NaiveDateTime>,
    pub locked_until: Option<NaiveDateTime>,
    pub last_error: Option<String>,
    pub updated_at: NaiveDateTime,
}

/// Records an attempt's outcome, if the worker still holds the lease it took (`held`);
/// false when the lease ran out and another worker took the message since: that
/// worker's attempt is the one on record.
pub fn finish(conn: &mut DbConn, id: MailMessageId, held: NaiveDateTime, outcome: &MailOutcome) -> QueryResult<bool> {
    let mine = mail_messages::table
        .find(id)
        .filter(mail_messages::locked_until.eq(held));
    if diesel::update(mine).set(outcome).execute(conn)? == 0 {
        return Ok(false);
    }
    if outcome.status == MailStatus::Sent {
        diesel::update(mail_messages::table.find(id))
            .set(mail_messages::message_sealed.eq(""))
            .execute(conn)?;
    }
    Ok(true)
}

/// Deletes messages finished (sent or failed) before `before`; how many.
pub fn prune(conn: &mut DbConn, before: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(
        mail_messages::table
            .filter(mail_messages::status.ne(MailStatus::Pending))
            .filter(mail_messages::updated_at.lt(before)),
    )
    .execute(conn)
}
