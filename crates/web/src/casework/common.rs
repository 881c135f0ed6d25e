//! What casework's pages, API and change pipeline share: who is acting, the
//! household scope check, the response norms in force, the one parser of a
//! justification, the inputs a change takes, and every broken rule explained
//! in Dutch.

use crate::support::ctx::{Ctx, CurrentUser};
use crate::support::error::AppError;
use baken_domain::casework::{
    ConferenceError, ContactKind, ContactMomentError, ConversationError, DateError, Evaluation,
    FamilyPlanRow, Justification, LifeDomain, NormsError, PlanError, PurposeDraft, PurposeError,
    ReferralError, ReportError, ResponseNorms, Scores, SignalError, RECORDING_WINDOW_DAYS,
};
use baken_domain::{AuditAction, AuditOutcome, LadderStep, ParticipationRung};
use baken_store::casework::{self as cw, CaseError, Search, Who};
use baken_store::households::{self, Household};
use baken_store::{audit, StoreError, Tx};
use chrono::NaiveDate;

pub(crate) fn who(user: &CurrentUser) -> Who {
    Who {
        user_id: user.user.id,
        username: user.user.username.clone(),
        role: user.user.role,
    }
}

/// Why each lighter ladder step does not suffice, from (step, reason) pairs as
/// an edge read them — a page's `reden1`…`reden4`, the API's keys "1"…"4".
/// Blank reasons and keys that are not a lighter step (1–4) are dropped;
/// `None` when no reason is left. The one parser of a justification.
pub(crate) fn justification<'a>(
    reasons: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Option<Justification> {
    let justification = Justification::new(reasons.into_iter().filter_map(|(step, reason)| {
        let step = step
            .trim()
            .parse::<u8>()
            .ok()
            .filter(|s| (1..=4).contains(s))?;
        Some((LadderStep::new(step).ok()?, reason.to_owned()))
    }));
    (!justification.is_empty()).then_some(justification)
}

// ------------------------------------------------------------------ what a change takes

// The inputs of `change`'s functions that are more than a domain type: the
// pages and the API build them, each from what it reads.

/// A kitchen-table conversation as an edge read it. The change builds the
/// domain's [`Conversation`] from it, so the rules of a conversation are
/// applied — and refusals audited — in one place.
#[derive(Debug, Clone)]
pub(crate) struct ConversationDraft {
    pub held_on: NaiveDate,
    pub question: String,
    pub needs: Vec<NeedDraft>,
    pub scores: Scores,
    pub rung: Option<ParticipationRung>,
    pub network: Vec<NetworkDraft>,
    pub strengths: String,
    pub wishes: String,
    pub consents: Vec<ConsentDraft>,
}

#[derive(Debug, Clone)]
pub(crate) struct NeedDraft {
    pub row: usize,
    pub domain: LifeDomain,
    pub need: String,
}

#[derive(Debug, Clone)]
pub(crate) struct NetworkDraft {
    pub row: usize,
    pub name: String,
    pub relation: String,
    pub can_do: String,
    pub will_do: String,
}

/// Who a consent to share is given to.
#[derive(Debug, Clone)]
pub(crate) enum Party {
    /// A provider on the social map, by id: the consent carries its name.
    Provider(i64),
    /// Another party (the GP, a school), by name.
    Other(String),
}

#[derive(Debug, Clone)]
pub(crate) struct ConsentDraft {
    pub row: usize,
    pub party: Party,
    pub purpose: String,
    pub until: NaiveDate,
}

/// An evaluation with the measurement recorded with it.
#[derive(Debug, Clone)]
pub(crate) struct EvaluationInput {
    pub evaluation: Evaluation,
    pub scores: Scores,
    pub rung: Option<ParticipationRung>,
    pub note: String,
}

/// A contact moment as an edge read it; the change builds the domain's
/// [`baken_domain::casework::ContactMoment`] (its date is checked against today there).
#[derive(Debug, Clone)]
pub(crate) struct ContactDraft {
    pub held_on: NaiveDate,
    pub kind: ContactKind,
    pub who: String,
    pub note: String,
}

/// A consent for a provider with its purpose, as the team records it.
#[derive(Debug, Clone)]
pub(crate) struct ConsentGiven {
    pub provider_id: i64,
    pub purpose: PurposeDraft,
    pub until: NaiveDate,
}

/// An Eigen Kracht-conferentie asked for, as an edge read it.
#[derive(Debug, Clone)]
pub(crate) struct ConferenceInput {
    /// The household agreed to share with the coordinator.
    pub consent: bool,
    pub coordinator_id: i64,
    pub planned_on: NaiveDate,
    /// Names of network members invited.
    pub invitees: Vec<String>,
    pub goal_id: i64,
}

/// How many rows the family plan form shows.
pub(crate) const FAMILY_PLAN_ROWS: usize = 6;

/// The family plan of a conference as an edge read it: numbered rows, each
/// `None` when only half filled in.
#[derive(Debug, Clone)]
pub(crate) struct FamilyPlanInput {
    pub held_on: NaiveDate,
    pub goal_id: i64,
    pub rows: Vec<(usize, Option<FamilyPlanRow>)>,
}

/// A household search as the edge read it: what it searched on (for the audit
/// log, which never holds the terms themselves), and the query if it parsed.
#[derive(Debug, Clone)]
pub(crate) struct SearchAttempt {
    /// "bsn", "adres", "straat" or "naam"; empty when nothing was asked.
    pub on: &'static str,
    pub query: Option<Search>,
}

// ------------------------------------------------------------------ broken rules, explained

/// A date that cannot be recorded, explained.
fn explain_date(e: DateError) -> String {
    match e {
        DateError::InFuture => {
            "Deze datum ligt in de toekomst. U kunt alleen vastleggen wat al gebeurd is.".into()
        }
        DateError::TooLongAgo => format!(
            "Deze datum ligt meer dan {RECORDING_WINDOW_DAYS} dagen (een half jaar) terug. Kijk de datum na."
        ),
    }
}

/// The Dutch explanation of a refused set of response norms.
pub(crate) fn explain_norms(e: NormsError) -> String {
    match e {
        NormsError::CrisisTooLong { max } => {
            format!("Een crisis pakt u dezelfde dag of de volgende werkdag op: vul 0 of {max} in.")
        }
        NormsError::NormaalTooLong { max } => {
            format!("Normaal is hooguit {max} werkdagen (zes weken): Eropaf betekent snel erop af.")
        }
        NormsError::UrgentBeforeCrisis => "Urgent mag niet korter zijn dan crisis.".into(),
        NormsError::NormaalBeforeUrgent => "Normaal mag niet korter zijn dan urgent.".into(),
    }
}

/// Is this a conflict with someone else's change (409), rather than a rule?
pub(crate) fn is_conflict(e: &CaseError) -> bool {
    matches!(
        e,
        CaseError::Store(StoreError::Conflict { .. })
            | CaseError::Referral(ReferralError::AlreadyDecided)
    )
}

/// A rule broken, explained: the field it belongs to and a Dutch B1 message.
pub(crate) fn explain(e: &CaseError) -> Option<(String, String)> {
    let (field, msg): (String, String) = match e {
        CaseError::Plan(p) => {
            let msg = match p {
                PlanError::PlanAlreadyOpen => "Dit huishouden heeft al een open plan. Werk dat plan bij, of sluit het eerst af.".into(),
                PlanError::NoCoordinator => "Dit huishouden heeft nog geen contactpersoon. Wijs eerst een signaal toe aan een generalist.".into(),
                PlanError::CoordinatorAlreadySet(_) => "Dit huishouden heeft al een contactpersoon. Er is er altijd maar één.".into(),
                PlanError::HandOverWithoutReason { .. } => "Dit huishouden heeft al een contactpersoon. Geeft u het signaal aan iemand anders, dan draagt u het huishouden over: schrijf op waarom.".into(),
                PlanError::PlanClosed => "Dit plan is gesloten. U kunt het niet meer wijzigen.".into(),
                PlanError::UnknownGoal(_) => "Kies een doel uit dit plan.".into(),
                PlanError::UnknownAgreement(_) => "Kies een afspraak uit dit plan.".into(),
                PlanError::Text(f) if f.contains("datum") || *f == "start" || *f == "tot" => "Vul een datum in, bijvoorbeeld 01-02-2026.".into(),
                PlanError::Text(_) => "Vul dit veld in. Houd het kort.".into(),
                PlanError::JustificationMissing { step, missing } => format!(
                    "Bij trede {step} schrijft u op waarom trede {missing} ({}) niet genoeg is.",
                    baken_domain::LadderStep::new(*missing).map(|s| s.name()).unwrap_or("")
                ),
                PlanError::ReferralNotApproved => "Trede 5 (maatwerkvoorziening) kan alleen met een verwijzing van dit plan die de teamleider heeft goedgekeurd. Vraag eerst een verwijzing aan.".into(),
                PlanError::EndDateMissing => "Hulp van een professional stopt of wordt geëvalueerd op een datum. Vul een einddatum of evaluatiedatum in.".into(),
                PlanError::EndBeforeStart => "De einddatum ligt vóór de startdatum. Kies een latere datum.".into(),
                PlanError::TargetBeforeOpening => "De streefdatum ligt vóór de start van het plan. Kies een latere datum.".into(),
                PlanError::AgreementsRunning(n) => format!("Er lopen nog {n} afspraken. Beëindig die eerst; daarna kunt u het plan sluiten."),
                PlanError::AgreementEnded => "Deze afspraak is al beëindigd.".into(),
                PlanError::WithdrawalWithoutReason => "Schrijf op waarom de afspraak vervalt, bijvoorbeeld ‘dubbel ingevoerd’ (hooguit 1000 tekens).".into(),
                PlanError::HandOverNotAllowed => "Alleen de teamleider of de contactpersoon zelf kan het huishouden overdragen.".into(),
                PlanError::HandOverToContactPerson(_) => "Deze generalist is al de contactpersoon. Kies een collega.".into(),
                PlanError::DateBeforeOpening => "Deze datum ligt vóór de start van het plan. Kies een latere datum.".into(),
                PlanError::BeforeAgreementStart => "Deze datum ligt vóór de start van de afspraak. Kies een latere datum.".into(),
                PlanError::ProviderNotActor => "Alleen een voorziening uit de sociale kaart of een specialistische aanbieder kan een aanbieder zijn. Kies dat bij ‘Wie doet het’, of laat de aanbieder leeg.".into(),
                PlanError::Date(d) => explain_date(*d),
            };
            let field = match p {
                PlanError::JustificationMissing { missing, .. } => format!("reden{missing}"),
                PlanError::Text(f) => (*f).to_owned(),
                other => other.field().to_owned(),
            };
            (field, msg)
        }
        CaseError::Referral(ReferralError::UnknownProduct(_)) => (
            "product".into(),
            "Kies een product uit de lijst.".into(),
        ),
        CaseError::Referral(r) => (
            "reden".into(),
            match r {
                ReferralError::NotTeamLead => "Alleen een teamleider mag over een verwijzing beslissen.".into(),
                ReferralError::AlreadyDecided => "Over deze verwijzing is intussen al beslist. Het besluit staat hieronder.".into(),
                ReferralError::ReasonMissing => "Schrijf op waarom u de verwijzing afwijst. De generalist leest dit.".into(),
                ReferralError::Description => "Beschrijf welke zorg nodig is.".into(),
                ReferralError::Unknown(_) => "Deze verwijzing hoort niet bij dit plan.".into(),
                ReferralError::PlanClosed => "Het plan is gesloten. Over deze verwijzing kan niet meer worden beslist.".into(),
                ReferralError::BeforeRequest => "Het besluit kan niet vóór de aanvraag liggen.".into(),
                ReferralError::UnknownProduct(_) => "Kies een product uit de lijst.".into(),
                ReferralError::OutsideMandate => "Deze verwijzing valt buiten het mandaat van het team: de teamleider beslist.".into(),
                ReferralError::Date(d) => explain_date(*d),
            },
        ),
        CaseError::Conversation(c) => match c {
            ConversationError::PresentedQuestion => ("vraag".into(), "Schrijf de vraag op zoals de bewoner die stelt.".into()),
            ConversationError::UnderlyingNeed => ("behoefte".into(), "Schrijf de vraag achter de vraag op (niet te lang).".into()),
            ConversationError::Score(d) => (format!("score_{}", d.as_str()), format!("Kies bij {} een score van 1 tot 5, of n.v.t.", d.label())),
            ConversationError::NetworkMember => ("netwerk".into(), "Vul bij iemand uit het netwerk een naam én de relatie in.".into()),
            ConversationError::ConsentIncomplete => ("toestemming".into(), "Vul bij de toestemming de organisatie én het doel in.".into()),
            ConversationError::ConsentEnd => ("toestemming_tot".into(), "Vul in tot wanneer de toestemming geldt: een datum ná het gesprek.".into()),
            ConversationError::Domain => ("domein".into(), "Kies een leefgebied uit de lijst.".into()),
            ConversationError::Date(d) => ("datum".into(), explain_date(*d)),
        },
        CaseError::Signal(s) => match s {
            SignalError::Category(_) => ("categorie".into(), "Kies waar de zorg over gaat.".into()),
            SignalError::Urgency(_) => ("urgentie".into(), "Kies hoe dringend het is.".into()),
            SignalError::ContactMethod(_) => ("wijze".into(), "Kies hoe het contact was.".into()),
            SignalError::Description => ("omschrijving".into(), "Beschrijf uw zorg in een paar zinnen.".into()),
            SignalError::Source => ("bron".into(), "Vul in wie de zorg meldt.".into()),
            SignalError::ContactBeforeReport => ("datum".into(), "Het eerste contact kan niet vóór de melding liggen.".into()),
            SignalError::OtherAddress => ("huishouden".into(), "Dit huishouden woont niet op het adres van het signaal. Kies een huishouden op dat adres.".into()),
            SignalError::Date(d) => ("datum".into(), explain_date(*d)),
            SignalError::Domain(_) | SignalError::Unknown(_) => ("_form".into(), "Kies een waarde uit de lijst.".into()),
            SignalError::CloseReason => ("sluiten".into(), "Schrijf op waarom het signaal gesloten wordt (hooguit 1000 tekens).".into()),
            SignalError::CloseBeforeReport => ("sluiten".into(), "Een signaal kan niet gesloten worden vóór het gemeld is.".into()),
            SignalError::Closed => ("sluiten".into(), "Dit signaal is gesloten. Er kan niets meer aan veranderen.".into()),
            SignalError::Place => ("plek".into(), "Beschrijf de plek in een paar woorden (5 tot 500 tekens).".into()),
        },
        CaseError::Norms(n) => (n.field().into(), explain_norms(*n)),
        CaseError::ContactMoment(c) => match c {
            ContactMomentError::Date(d) => ("contact_datum".into(), explain_date(*d)),
            ContactMomentError::Who => ("contact_wie".into(), "Vul in wie er bij het contact waren (hooguit 200 tekens).".into()),
            ContactMomentError::Note => ("contact_notitie".into(), "Schrijf kort op wat er besproken is (hooguit 4000 tekens).".into()),
        },
        CaseError::Purpose(p) => match p {
            PurposeError::Empty => ("tm_afspraken".into(), "Kies de afspraken of de verwijzing waarvoor de bewoner toestemming geeft.".into()),
            PurposeError::ForeignAgreement(_) => ("tm_afspraken".into(), "Kies alleen afspraken die deze aanbieder zelf uitvoert.".into()),
            PurposeError::ForeignReferral(_) => ("tm_verwijzing".into(), "Kies een verwijzing uit dit plan.".into()),
        },
        CaseError::Conference(c) => match c {
            ConferenceError::NoConsent => ("ek_toestemming".into(), "Een Eigen Kracht-conferentie vraagt u aan met toestemming van het huishouden om gegevens te delen met de coördinator.".into()),
            ConferenceError::NoInvitees => ("ek_genodigden".into(), "Kies wie uit het netwerk wordt uitgenodigd.".into()),
            ConferenceError::NotInNetwork(_) => ("ek_genodigden".into(), "Kies genodigden uit het netwerk van het gesprek.".into()),
            ConferenceError::PlannedInPast => ("ek_datum".into(), "De conferentie ligt vandaag of later. Kies een datum vanaf vandaag.".into()),
            ConferenceError::Row(i) => (format!("fp{i}"), "Vul bij deze afspraak in wie het doet én wat.".into()),
            ConferenceError::NotInvited(i, _) => (format!("fp{i}"), "Kies iemand die voor de conferentie was uitgenodigd, of de bewoner zelf.".into()),
            ConferenceError::EmptyPlan => ("fp1".into(), "Vul minstens één afspraak uit het familieplan in.".into()),
            ConferenceError::PlanBeforeConference => ("fp_datum".into(), "Vul de dag van de conferentie in: niet vóór de geplande dag en niet in de toekomst.".into()),
            ConferenceError::AlreadyEntered => ("_form".into(), "Het familieplan van deze conferentie is al ingevoerd.".into()),
        },
        CaseError::Report(r) => match r {
            ReportError::Note => ("notitie".into(), "Schrijf kort hoe het gaat (hooguit 2000 tekens).".into()),
            ReportError::Result => ("notitie".into(), "Schrijf het resultaat op in de woorden van de bewoner.".into()),
        },
        CaseError::Store(StoreError::Conflict { .. }) => (
            "_form".into(),
            "Iemand anders heeft dit intussen gewijzigd. Hieronder staat de nieuwe versie; doe uw wijziging opnieuw.".into(),
        ),
        CaseError::Store(_) | CaseError::Restore(_) => return None,
    };
    Some((field, msg))
}

/// The response norms in force (set by the beheerder), and their version.
pub(crate) async fn current_norms(tx: &mut Tx) -> Result<(ResponseNorms, i64), AppError> {
    baken_store::casework::response_norms(tx)
        .await
        .map_err(internal)
}

/// Converts a store-side failure that is not a rule into an [`AppError`].
pub(crate) fn internal(e: CaseError) -> AppError {
    match e {
        CaseError::Store(s) => AppError::from(s),
        other => AppError::BadRequest(other.to_string()),
    }
}

/// Loads a household for casework if the user's scope allows it; writes a
/// denied or not-found audit entry otherwise (404 either way, so ids cannot be
/// probed). A successful read is audited by the caller, with what was done.
pub(crate) async fn scoped_household(
    tx: &mut Tx,
    ctx: &Ctx,
    user: &CurrentUser,
    id: i64,
    action: AuditAction,
) -> Result<Household, AppError> {
    let found = households::get(tx, id).await?;
    let object = Some(("household", id.to_string()));
    match found {
        Some(h) if user.scope().allows(h.id, h.team_id) => Ok(h),
        Some(_) => {
            audit::append(
                tx,
                &ctx.audit(
                    action,
                    AuditOutcome::Denied,
                    object,
                    "casework buiten de eigen scope",
                ),
            )
            .await?;
            Err(AppError::NotFound)
        }
        None => {
            audit::append(
                tx,
                &ctx.audit(action, AuditOutcome::NotFound, object, "casework"),
            )
            .await?;
            Err(AppError::NotFound)
        }
    }
}

/// A signal the user's team may work on.
pub(crate) async fn team_signal(
    tx: &mut Tx,
    ctx: &Ctx,
    id: i64,
) -> Result<cw::SignalRow, AppError> {
    let user = ctx.user()?;
    let s = cw::signal(tx, id).await.map_err(internal)?;
    match s {
        Some(s) if s.team_id.is_none() || s.team_id == user.user.team_id => Ok(s),
        _ => {
            audit::append(
                tx,
                &ctx.audit(
                    AuditAction::Update,
                    AuditOutcome::Denied,
                    Some(("signal", id.to_string())),
                    "signaal buiten het eigen team",
                ),
            )
            .await?;
            Err(AppError::NotFound)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_justification_keeps_the_reasons_of_lighter_steps_only() {
        let j = justification([("1", "Geen netwerk"), ("2", " "), ("5", "x"), ("een", "y")])
            .expect("one reason");
        assert_eq!(j.reasons().collect::<Vec<_>>(), [(1, "Geen netwerk")]);
    }

    #[test]
    fn blank_reasons_are_no_justification() {
        assert!(justification([("1", ""), ("4", "  ")]).is_none());
    }
}
