//! Where an invitation stands, one rule for the invitee's inbox and for what accepting
//! and declining may do; and the same for an invitation to a brand's team.

/// The state of an invitation, as the invitee's inbox shows it. Accepting and declining
/// are final and exclusive (the database refuses both on one row); an invitation that
/// is neither is pending until it expires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InvitationStatus {
    Pending,
    Accepted,
    Declined,
    Expired,
}

impl InvitationStatus {
    /// Accepted, else declined, else expired at `now` (an invitation expires at the
    /// instant `expires_at`), else pending.
    pub fn of<T: PartialOrd>(accepted_at: Option<T>, declined_at: Option<T>, expires_at: T, now: T) -> Self {
        if accepted_at.is_some() {
            Self::Accepted
        } else if declined_at.is_some() {
            Self::Declined
        } else if expires_at <= now {
            Self::Expired
        } else {
            Self::Pending
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Accepted => "accepted",
            Self::Declined => "declined",
            Self::Expired => "expired",
        }
    }
}

/// The state of an invitation to a brand's team. Accepting and revoking are final and
/// exclusive (the database refuses both on one row); one that is neither is pending
/// until it expires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TeamInvitationStatus {
    Pending,
    Accepted,
    Revoked,
    Expired,
}

impl TeamInvitationStatus {
    /// Accepted, else revoked, else expired at `now` (at the instant `expires_at`), else
    /// pending.
    pub fn of<T: PartialOrd>(accepted_at: Option<T>, revoked_at: Option<T>, expires_at: T, now: T) -> Self {
        if accepted_at.is_some() {
            Self::Accepted
        } else if revoked_at.is_some() {
            Self::Revoked
        } else if expires_at <= now {
            Self::Expired
        } else {
            Self::Pending
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Accepted => "accepted",
            Self::Revoked => "revoked",
            Self::Expired => "expired",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::InvitationStatus::{self, *};
    use super::TeamInvitationStatus;

    #[test]
    fn a_team_invitation_accepted_or_revoked_stays_so_and_otherwise_the_expiry_decides() {
        let of = |accepted, revoked, expires_at, now| TeamInvitationStatus::of(accepted, revoked, expires_at, now);
        assert_eq!(of(None, None, 10, 9), TeamInvitationStatus::Pending);
        assert_eq!(of(None, None, 10, 10), TeamInvitationStatus::Expired);
        assert_eq!(of(Some(5), None, 10, 20), TeamInvitationStatus::Accepted);
        assert_eq!(of(None, Some(5), 10, 20), TeamInvitationStatus::Revoked);
        assert_eq!(TeamInvitationStatus::Revoked.as_str(), "revoked");
    }

    #[test]
    fn accepted_or_declined_is_final_and_otherwise_the_expiry_decides() {
        let of = |accepted, declined, expires_at, now| InvitationStatus::of(accepted, declined, expires_at, now);
        assert_eq!(of(None, None, 10, 9), Pending);
        assert_eq!(of(None, None, 10, 10), Expired, "expired at the instant itself");
        assert_eq!(of(Some(5), None, 10, 20), Accepted, "an accepted one never expires");
        assert_eq!(of(None, Some(5), 10, 20), Declined, "a declined one never expires");
        assert_eq!(Declined.as_str(), "declined");
    }
}
