//! Roles, permissions and scopes: who may do what, and on which households.
//!
//! One place decides: [`Role::may`]. The web layer maps every route to exactly one
//! [`Permission`]; a route without one does not exist.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Inwoner,
    Vrijwilliger,
    Makelaar,
    Generalist,
    Teamleider,
    Aanbieder,
    Beleid,
    Beheerder,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role '{0}'; the roles are inwoner, vrijwilliger, makelaar, generalist, teamleider, aanbieder, beleid, beheerder")]
pub struct UnknownRole(pub String);

impl Role {
    pub const ALL: [Role; 8] = [
        Role::Inwoner,
        Role::Vrijwilliger,
        Role::Makelaar,
        Role::Generalist,
        Role::Teamleider,
        Role::Aanbieder,
        Role::Beleid,
        Role::Beheerder,
    ];

    pub fn parse(input: &str) -> Result<Role, UnknownRole> {
        let t = input.trim().to_ascii_lowercase();
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == t)
            .ok_or_else(|| UnknownRole(input.trim().chars().take(40).collect()))
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Inwoner => "inwoner",
            Role::Vrijwilliger => "vrijwilliger",
            Role::Makelaar => "makelaar",
            Role::Generalist => "generalist",
            Role::Teamleider => "teamleider",
            Role::Aanbieder => "aanbieder",
            Role::Beleid => "beleid",
            Role::Beheerder => "beheerder",
        }
    }

    /// The Dutch label shown in the interface.
    pub fn label(self) -> &'static str {
        match self {
            Role::Inwoner => "Inwoner",
            Role::Vrijwilliger => "Vrijwilliger",
            Role::Makelaar => "Sociaal makelaar",
            Role::Generalist => "Generalist (wijkteam)",
            Role::Teamleider => "Teamleider",
            Role::Aanbieder => "Aanbieder",
            Role::Beleid => "Beleidsmedewerker",
            Role::Beheerder => "Beheerder",
        }
    }

    /// The function as a resident reads it after an organisation's name
    /// ("Wijkteam Centrum, generalist").
    pub fn function(self) -> &'static str {
        match self {
            Role::Inwoner => "inwoner",
            Role::Vrijwilliger => "vrijwilliger",
            Role::Makelaar => "sociaal makelaar",
            Role::Generalist => "generalist",
            Role::Teamleider => "teamleider",
            Role::Aanbieder => "aanbieder",
            Role::Beleid => "beleidsmedewerker",
            Role::Beheerder => "beheerder",
        }
    }

    /// Roles whose work is tied to a wijkteam.
    pub fn needs_team(self) -> bool {
        matches!(self, Role::Generalist | Role::Teamleider)
    }

    /// What an account of this role must be linked to for its pages to work:
    /// a generalist or teamleider to a team, an inwoner to a household, an
    /// aanbieder to a provider (organisation). Other roles need none.
    pub fn required_link(self) -> Option<Link> {
        match self {
            Role::Generalist | Role::Teamleider => Some(Link::Team),
            Role::Inwoner => Some(Link::Household),
            Role::Aanbieder => Some(Link::Provider),
            Role::Vrijwilliger | Role::Makelaar | Role::Beleid | Role::Beheerder => None,
        }
    }

    /// Checks an account's links against [`Role::required_link`]: the one it
    /// needs must be there, and no other may be (a team on a beleid account
    /// would be a scope nobody meant to give). Every problem, not just the first.
    pub fn check_links(self, team: bool, household: bool, provider: bool) -> Vec<LinkError> {
        let needed = self.required_link();
        [
            (Link::Team, team),
            (Link::Household, household),
            (Link::Provider, provider),
        ]
        .into_iter()
        .filter_map(|(link, present)| match (needed == Some(link), present) {
            (true, false) => Some(LinkError::Missing { role: self, link }),
            (false, true) => Some(LinkError::NotUsed { role: self, link }),
            _ => None,
        })
        .collect()
    }

    /// The one access rule: may this role use this permission at all?
    /// Scope (which households) is decided separately by [`HouseholdScope`].
    pub fn may(self, permission: Permission) -> bool {
        use Permission as P;
        use Role as R;
        match permission {
            P::Public | P::Authenticated => true,
            P::HouseholdsSearch | P::HouseholdRead => matches!(self, R::Generalist | R::Teamleider),
            P::OwnHousehold | P::OwnAccessLog => self == R::Inwoner,
            P::ApiHouseholds => matches!(self, R::Generalist | R::Teamleider | R::Inwoner),
            P::Aggregates => matches!(self, R::Beleid | R::Teamleider),
            // Sociale kaart: providers keep their own services (the store limits
            // them to their organisation), a beheerder all; wijzer content is beheer.
            P::ManageServices => matches!(self, R::Aanbieder | R::Beheerder),
            P::ManageWijzer => self == R::Beheerder,
            P::HelpRequests => matches!(self, R::Generalist | R::Teamleider),
            // Casework: the team works the households of its own team (scope),
            // a team lead decides referrals, partners report signals, a
            // provider sees a plan only with an agreement and consent (checked
            // per household), a resident sees their own plan.
            P::Casework | P::ApiCasework => matches!(self, R::Generalist | R::Teamleider),
            P::DecideReferral => self == R::Teamleider,
            P::ReportSignal => matches!(
                self,
                R::Generalist | R::Teamleider | R::Makelaar | R::Aanbieder | R::Vrijwilliger
            ),
            P::OwnPlan => self == R::Inwoner,
            P::ConfigureCasework => self == R::Beheerder,
            P::Monitor => self == R::Beleid,
            // Commissioning: the municipality's buyer is the beheerder (no
            // separate inkoop role: one account type fewer to keep); a provider
            // applies for licences, accepts tariffs, reports waiting times and
            // exchanges iWmo messages for its own toewijzingen only.
            P::ManageContracts => self == R::Beheerder,
            P::ProviderContracts | P::ApiIwmo => self == R::Aanbieder,
            P::ProviderCasework => self == R::Aanbieder,
            // Commissioning on results: the policy officer is the commissioner
            // (no separate opdrachtgever role: beleid already owns the agenda
            // and sees aggregates only); a provider reports on its own
            // commissions.
            P::Commissioning => self == R::Beleid,
            P::ProviderCommissioning => self == R::Aanbieder,
            // Buurtmarktplaats: residents and volunteers take part themselves (a
            // self-registered participant has a vrijwilliger account); a
            // makelaar also acts for proxy participants and moderates; beleid
            // and makelaars see protected figures; beheer keeps the categories.
            P::Marketplace => matches!(self, R::Inwoner | R::Vrijwilliger | R::Makelaar),
            P::MarketBroker => self == R::Makelaar,
            P::MarketReports => matches!(self, R::Beleid | R::Makelaar),
            P::ManageMarket => self == R::Beheerder,
            // The pyramid's targets are set in beheer; beleid reads them on the dashboard.
            P::ConfigureMonitoring => self == R::Beheerder,
            // Volunteer work: a volunteer keeps their own profile and applies;
            // providers post vacancies for their own organisation and the
            // ServicePunt consultant (the makelaar) for any; the consultant
            // reads profiles and places volunteers.
            P::Volunteering => self == R::Vrijwilliger,
            P::ManageVacancies => matches!(self, R::Aanbieder | R::Makelaar),
            P::VolunteerPlacement => self == R::Makelaar,
            // Mantelzorg: a carer (a resident or a volunteer account) registers
            // and uses the support; the mantelzorgconsulent (the makelaar at
            // the steunpunt) sees carers and grants the waardering; a
            // generalist registers a carer from the network, with consent.
            P::Carer => matches!(self, R::Inwoner | R::Vrijwilliger),
            P::CarerSupport => self == R::Makelaar,
            P::RegisterCarer => matches!(self, R::Generalist | R::Teamleider),
            // The mantelzorgwaardering's amount, window and on/off are beheer's.
            P::ManageCarers => self == R::Beheerder,
            P::ManageUsers
            | P::ManageTeams
            | P::ManageDistricts
            | P::ManageProviders
            | P::AuditSearch => self == R::Beheerder,
        }
    }
}

impl Role {
    /// Does an account of this role need a second factor (TOTP) to log in?
    /// Every staff role that may read person-level data does (BIO, NEN 7510):
    /// makelaar (proxy participants' phone numbers), generalist, teamleider,
    /// aanbieder and beheerder (who reads the audit log and manages accounts).
    /// Residents (their own data only; DigiD later), volunteers and policy
    /// officers (aggregates only) may choose one.
    pub fn requires_second_factor(self) -> bool {
        self != Role::Inwoner
            && Permission::ALL
                .into_iter()
                .any(|p| p.reads_person_data() && self.may(p))
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What an account can be linked to (see [`Role::required_link`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Link {
    Team,
    Household,
    Provider,
}

impl fmt::Display for Link {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Link::Team => "team",
            Link::Household => "household",
            Link::Provider => "provider",
        })
    }
}

/// An account whose links do not fit its role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LinkError {
    #[error("an account with role {role} must be linked to a {link}")]
    Missing { role: Role, link: Link },
    #[error("an account with role {role} is not linked to a {link}")]
    NotUsed { role: Role, link: Link },
}

impl LinkError {
    pub fn link(self) -> Link {
        match self {
            LinkError::Missing { link, .. } | LinkError::NotUsed { link, .. } => link,
        }
    }
}

/// What a route needs. Every route declares exactly one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Permission {
    /// Anyone, without logging in.
    Public,
    /// Any logged-in user.
    Authenticated,
    /// List and search households (in scope).
    HouseholdsSearch,
    /// Read one household (in scope), audited.
    HouseholdRead,
    /// A resident's own household.
    OwnHousehold,
    /// A resident's "who looked at my data".
    OwnAccessLog,
    /// The JSON API on households (in scope).
    ApiHouseholds,
    /// Aggregated figures only; never a person.
    Aggregates,
    ManageUsers,
    ManageTeams,
    ManageDistricts,
    /// The providers (organisations): add one, rename it, change its sector.
    ManageProviders,
    AuditSearch,
    /// Services on the social map: an aanbieder its own, a beheerder all.
    ManageServices,
    /// The Eigen Kracht Wijzer's questions, topics, stories and rules.
    ManageWijzer,
    /// Residents' requests, from the wijzer, for a professional to think along.
    HelpRequests,
    /// Casework pages of the own team's households: triage, conversation, plan.
    Casework,
    /// The casework JSON API (same scope and audit as the pages).
    ApiCasework,
    /// Approve or reject a referral to specialised care (team lead's mandate).
    DecideReferral,
    /// Report a concern about an address (partner roles).
    ReportSignal,
    /// A resident's own plan, in plain language.
    OwnPlan,
    /// A provider's view of plans it holds an agreement in, with consent.
    ProviderCasework,
    /// Casework settings: the response norms for signals (beheerder).
    ConfigureCasework,
    /// The stapelingsmonitor: upload pseudonymised files, read protected reports.
    Monitor,
    /// Commissioning beheer: products, contracts and tariffs, licence decisions,
    /// team mandates, iWmo codes (beheerder).
    ManageContracts,
    /// A provider's own licences, tariff acceptances and waiting times.
    ProviderContracts,
    /// The iWmo API for a provider's software, scoped to its own toewijzingen.
    ApiIwmo,
    /// Commissioning on results: the social agenda, commissions, indicators,
    /// reviewing reports, payments and their export (beleid). Aggregates only.
    Commissioning,
    /// A provider's own commissions: its reports, year plan and work plan, and
    /// its scorecard (aggregates only).
    ProviderCommissioning,
    /// The buurtmarktplaats as a participant: own asks and offers, suggestions,
    /// matches, messages.
    Marketplace,
    /// A makelaar's work: proxy participants (their phone numbers), the queue of
    /// urgent asks, matches on someone's behalf, moderation, escalation.
    MarketBroker,
    /// The marketplace's figures, protected (beleid, makelaar).
    MarketReports,
    /// The marketplace's categories, districts' neighbours, norm and retention (beheerder).
    ManageMarket,
    /// The verantwoording dashboard's settings: the pyramid's targets (beheerder).
    ConfigureMonitoring,
    /// A volunteer's own profile, open vacancies and own applications.
    Volunteering,
    /// Volunteer vacancies: an aanbieder its own organisation's, a makelaar any.
    ManageVacancies,
    /// The ServicePunt consultant's work: volunteers' profiles (audited),
    /// applications and placements.
    VolunteerPlacement,
    /// An informal carer's own registration, burden check, waardering and respite.
    Carer,
    /// The mantelzorgconsulent's work: carers' records (audited), the waardering.
    CarerSupport,
    /// Registering a carer from a household's network (casework), with consent.
    RegisterCarer,
    /// Beheer of the mantelzorgwaardering: on/off, amount, year and window.
    ManageCarers,
}

impl Permission {
    pub const ALL: [Permission; 41] = [
        Permission::Public,
        Permission::Authenticated,
        Permission::HouseholdsSearch,
        Permission::HouseholdRead,
        Permission::OwnHousehold,
        Permission::OwnAccessLog,
        Permission::ApiHouseholds,
        Permission::Aggregates,
        Permission::ManageUsers,
        Permission::ManageTeams,
        Permission::ManageDistricts,
        Permission::ManageProviders,
        Permission::AuditSearch,
        Permission::ManageServices,
        Permission::ManageWijzer,
        Permission::HelpRequests,
        Permission::Casework,
        Permission::ApiCasework,
        Permission::DecideReferral,
        Permission::ReportSignal,
        Permission::OwnPlan,
        Permission::ProviderCasework,
        Permission::ConfigureCasework,
        Permission::Monitor,
        Permission::ManageContracts,
        Permission::ProviderContracts,
        Permission::ApiIwmo,
        Permission::Commissioning,
        Permission::ProviderCommissioning,
        Permission::Marketplace,
        Permission::MarketBroker,
        Permission::MarketReports,
        Permission::ManageMarket,
        Permission::ConfigureMonitoring,
        Permission::Volunteering,
        Permission::ManageVacancies,
        Permission::VolunteerPlacement,
        Permission::Carer,
        Permission::CarerSupport,
        Permission::RegisterCarer,
        Permission::ManageCarers,
    ];

    /// Does this permission show data about a person (a resident, a household
    /// member, or — for accounts and the audit log — a colleague)? Decides who
    /// needs a second factor ([`Role::requires_second_factor`]).
    pub fn reads_person_data(self) -> bool {
        use Permission as P;
        match self {
            P::HouseholdsSearch
            | P::HouseholdRead
            | P::OwnHousehold
            | P::OwnAccessLog
            | P::ApiHouseholds
            | P::ManageUsers
            | P::AuditSearch
            | P::HelpRequests
            | P::Casework
            | P::ApiCasework
            | P::DecideReferral
            | P::OwnPlan
            | P::ProviderCasework
            // A toewijzing names its client (iWmo's Client: BSN, name, birth date).
            | P::ApiIwmo
            // A proxy participant's name and phone number, and reports about people.
            | P::MarketBroker
            // Volunteers' profiles and VOG dates; carers' records and burden.
            | P::VolunteerPlacement
            | P::CarerSupport
            | P::RegisterCarer => true,
            P::Public
            | P::Authenticated
            | P::Aggregates
            | P::ManageTeams
            | P::ManageDistricts
            | P::ManageProviders
            | P::ManageServices
            | P::ManageWijzer
            | P::ReportSignal
            | P::ConfigureCasework
            | P::Monitor
            // Products, tariffs, licences and waiting times: organisations, not persons.
            | P::ManageContracts
            | P::ProviderContracts
            // Agendas, commissions and figures over groups, never a person.
            | P::Commissioning
            | P::ProviderCommissioning
            // Display names and listings; contact details only after both consent.
            | P::Marketplace
            | P::MarketReports
            | P::ManageMarket
            // Three percentages for the whole municipality.
            | P::ConfigureMonitoring
            // One's own profile or registration; vacancies of organisations.
            | P::Volunteering
            | P::ManageVacancies
            | P::Carer
            // The waardering's amount, year and window: no person.
            | P::ManageCarers => false,
        }
    }
}

/// Which households a user may see. Decided from the user, never from the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HouseholdScope {
    /// The households assigned to this team.
    Team(i64),
    /// Exactly one household: the resident's own.
    Own(i64),
    /// None at all (policy, administration, or a professional without a team).
    Nothing,
}

impl HouseholdScope {
    pub fn for_user(role: Role, team_id: Option<i64>, household_id: Option<i64>) -> Self {
        match (role, team_id, household_id) {
            (Role::Generalist | Role::Teamleider, Some(team), _) => HouseholdScope::Team(team),
            (Role::Inwoner, _, Some(household)) => HouseholdScope::Own(household),
            _ => HouseholdScope::Nothing,
        }
    }

    /// May a household with this id, assigned to this team, be seen?
    pub fn allows(self, household_id: i64, household_team: Option<i64>) -> bool {
        match self {
            HouseholdScope::Team(team) => household_team == Some(team),
            HouseholdScope::Own(own) => own == household_id,
            HouseholdScope::Nothing => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn roles_parse_case_insensitively_and_reject_unknowns() {
        assert_eq!(Role::parse(" Generalist ").unwrap(), Role::Generalist);
        let err = Role::parse("admin").unwrap_err().to_string();
        assert!(
            err.contains("'admin'") && err.contains("beheerder"),
            "{err}"
        );
    }

    #[test]
    fn beleid_never_reads_a_person() {
        for p in [
            Permission::HouseholdRead,
            Permission::HouseholdsSearch,
            Permission::OwnHousehold,
            Permission::ApiHouseholds,
            Permission::AuditSearch,
        ] {
            assert!(!Role::Beleid.may(p), "{p:?}");
        }
        assert!(Role::Beleid.may(Permission::Aggregates));
    }

    #[test]
    fn staff_who_read_persons_need_a_second_factor() {
        let required: Vec<Role> = Role::ALL
            .into_iter()
            .filter(|r| r.requires_second_factor())
            .collect();
        assert_eq!(
            required,
            vec![
                Role::Makelaar,
                Role::Generalist,
                Role::Teamleider,
                Role::Aanbieder,
                Role::Beheerder
            ]
        );
    }

    #[test]
    fn only_makelaars_act_for_others_and_beleid_sees_only_figures() {
        let broker: Vec<Role> = Role::ALL
            .into_iter()
            .filter(|r| r.may(Permission::MarketBroker))
            .collect();
        assert_eq!(broker, vec![Role::Makelaar]);
        assert!(Role::Beleid.may(Permission::MarketReports));
        assert!(!Role::Beleid.may(Permission::Marketplace));
        assert!(Role::Vrijwilliger.may(Permission::Marketplace));
    }

    #[test]
    fn permission_all_lists_every_permission_once() {
        let mut seen = std::collections::HashSet::new();
        for p in Permission::ALL {
            assert!(seen.insert(p), "{p:?} twice");
        }
        // Raise this with every new variant (and add it to `ALL`): the compiler
        // checks `reads_person_data`, not the list.
        assert_eq!(seen.len(), 41);
    }

    #[test]
    fn only_beleid_commissions_and_only_providers_report() {
        let commissioner: Vec<Role> = Role::ALL
            .into_iter()
            .filter(|r| r.may(Permission::Commissioning))
            .collect();
        assert_eq!(commissioner, vec![Role::Beleid]);
        let reporter: Vec<Role> = Role::ALL
            .into_iter()
            .filter(|r| r.may(Permission::ProviderCommissioning))
            .collect();
        assert_eq!(reporter, vec![Role::Aanbieder]);
        assert!(!Permission::Commissioning.reads_person_data());
    }

    #[test]
    fn beheerder_manages_but_does_not_read_households() {
        assert!(Role::Beheerder.may(Permission::ManageUsers));
        assert!(!Role::Beheerder.may(Permission::HouseholdRead));
    }

    #[test]
    fn only_providers_and_beheerders_manage_services() {
        let may: Vec<Role> = Role::ALL
            .into_iter()
            .filter(|r| r.may(Permission::ManageServices))
            .collect();
        assert_eq!(may, vec![Role::Aanbieder, Role::Beheerder]);
    }

    #[test]
    fn only_beheerders_edit_the_wijzer() {
        let may: Vec<Role> = Role::ALL
            .into_iter()
            .filter(|r| r.may(Permission::ManageWijzer))
            .collect();
        assert_eq!(may, vec![Role::Beheerder]);
    }

    #[test]
    fn only_beheerders_set_the_response_norms() {
        let may: Vec<Role> = Role::ALL
            .into_iter()
            .filter(|r| r.may(Permission::ConfigureCasework))
            .collect();
        assert_eq!(may, vec![Role::Beheerder]);
    }

    #[test]
    fn only_the_wijkteam_reads_help_requests() {
        let may: Vec<Role> = Role::ALL
            .into_iter()
            .filter(|r| r.may(Permission::HelpRequests))
            .collect();
        assert_eq!(may, vec![Role::Generalist, Role::Teamleider]);
    }

    #[test]
    fn each_role_needs_exactly_its_own_link() {
        assert!(Role::Generalist.check_links(true, false, false).is_empty());
        assert!(Role::Inwoner.check_links(false, true, false).is_empty());
        assert!(Role::Aanbieder.check_links(false, false, true).is_empty());
        assert!(Role::Beleid.check_links(false, false, false).is_empty());
        assert_eq!(
            Role::Aanbieder.check_links(false, false, false),
            vec![LinkError::Missing {
                role: Role::Aanbieder,
                link: Link::Provider
            }]
        );
        assert_eq!(
            Role::Inwoner.check_links(true, false, false),
            vec![
                LinkError::NotUsed {
                    role: Role::Inwoner,
                    link: Link::Team
                },
                LinkError::Missing {
                    role: Role::Inwoner,
                    link: Link::Household
                },
            ]
        );
        assert_eq!(
            LinkError::Missing {
                role: Role::Teamleider,
                link: Link::Team
            }
            .to_string(),
            "an account with role teamleider must be linked to a team"
        );
    }

    proptest! {
        #[test]
        fn a_generalist_sees_only_their_own_team(team in 1i64..50, other in 1i64..50, hh in 1i64..1000) {
            let scope = HouseholdScope::for_user(Role::Generalist, Some(team), None);
            prop_assert_eq!(scope.allows(hh, Some(other)), team == other);
            prop_assert!(!scope.allows(hh, None));
        }

        #[test]
        fn a_resident_sees_only_their_own_household(own in 1i64..1000, hh in 1i64..1000, team in proptest::option::of(1i64..50)) {
            let scope = HouseholdScope::for_user(Role::Inwoner, team, Some(own));
            prop_assert_eq!(scope.allows(hh, team), own == hh);
        }

        #[test]
        fn links_are_valid_only_when_they_match_the_role(idx in 0usize..8, team: bool, household: bool, provider: bool) {
            let role = Role::ALL[idx];
            let wanted = role.required_link();
            let fits = team == (wanted == Some(Link::Team))
                && household == (wanted == Some(Link::Household))
                && provider == (wanted == Some(Link::Provider));
            prop_assert_eq!(role.check_links(team, household, provider).is_empty(), fits);
        }

        #[test]
        fn other_roles_see_no_household(idx in 0usize..8, hh in 1i64..1000, team in 1i64..50) {
            let role = Role::ALL[idx];
            let scope = HouseholdScope::for_user(role, Some(team), Some(hh));
            if !matches!(role, Role::Generalist | Role::Teamleider | Role::Inwoner) {
                prop_assert!(!scope.allows(hh, Some(team)));
            }
        }
    }
}
