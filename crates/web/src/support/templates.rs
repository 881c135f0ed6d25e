//! The page templates, compiled into the binary (no files needed at run time).
//! One list for the whole crate, in the folders of the modules that use them.

use minijinja::Environment;

macro_rules! embed {
    ($env:expr, $($name:literal),* $(,)?) => {
        $( $env.add_template($name, include_str!(concat!("../../templates/", $name)))
            .expect(concat!("template ", $name, " parses")); )*
    };
}

pub fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::Html);
    env.add_filter("aantal", aantal);
    embed!(
        env,
        "base.html",
        "casework/bakens.html",
        "casework/caseload.html",
        "casework/dossier.html",
        "casework/norms.html",
        "casework/own_plan.html",
        "casework/provider.html",
        "casework/search.html",
        "casework/signal_form.html",
        "casework/team.html",
        "casework/triage.html",
        "commissioning/commission.html",
        "commissioning/overview.html",
        "commissioning/payment.html",
        "commissioning/payments.html",
        "commissioning/provider.html",
        "commissioning/report.html",
        "contracting/beheer.html",
        "contracting/choice.html",
        "contracting/product.html",
        "contracting/provider.html",
        "contracting/requests.html",
        "monitoring/dashboard.html",
        "monitoring/targets.html",
        "error.html",
        "gaps/tekorten.html",
        "foundation/account.html",
        "foundation/admin/area_form.html",
        "foundation/admin/audit.html",
        "foundation/admin/districts.html",
        "foundation/admin/provider_fields.html",
        "foundation/admin/provider_form.html",
        "foundation/admin/providers.html",
        "foundation/admin/team_form.html",
        "foundation/admin/teams.html",
        "foundation/admin/user_form.html",
        "foundation/admin/users.html",
        "foundation/figures.html",
        "foundation/household.html",
        "foundation/households.html",
        "foundation/login.html",
        "foundation/monitor.html",
        "foundation/own_access.html",
        "foundation/start.html",
        "front/developers.html",
        "front/welcome.html",
        "kaart/beheer/form.html",
        "kaart/beheer/list.html",
        "kaart/beheer/queue.html",
        "kaart/beheer/wijzer.html",
        "kaart/beheer/wijzer_item.html",
        "kaart/hulpvraag.html",
        "kaart/hulpvragen.html",
        "kaart/map.html",
        "market/beheer.html",
        "market/broker.html",
        "market/escalate.html",
        "market/household.html",
        "market/figures.html",
        "market/listing.html",
        "market/_listing_fields.html",
        "market/listing_form.html",
        "market/match.html",
        "market/overview.html",
        "market/proxy.html",
        "market/signup.html",
        "market/verified.html",
        "kaart/service.html",
        "kaart/te_vaak.html",
        "kaart/wijzer_bedankt.html",
        "kaart/wijzer_bestand.html",
        "kaart/wijzer_resultaat.html",
        "kaart/wijzer_situatie.html",
        "kaart/wijzer_start.html",
        "macros.html",
        "signin/beheer.html",
        "signin/code.html",
        "signin/enrol.html",
        "signin/enrolled.html",
        "signin/oidc_refused.html",
        "signin/recovery_codes.html",
        "notifications/list.html",
        "carers/carer.html",
        "carers/consultant.html",
        "carers/network.html",
        "survey/code.html",
        "survey/letters.html",
        "survey/questionnaire.html",
        "survey/results.html",
        "survey/team.html",
        "survey/thanks.html",
        "carers/beheer.html",
        "volunteers/servicepunt.html",
        "volunteers/vacancies.html",
        "volunteers/volunteer.html",
    );
    env
}

/// A count with its Dutch noun: `{{ n|aantal("signaal", "signalen") }}` is
/// "1 signaal", "0 signalen", "2 signalen".
fn aantal(n: i64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    #[test]
    fn dutch_plurals() {
        assert_eq!(super::aantal(1, "signaal", "signalen"), "1 signaal");
        assert_eq!(super::aantal(0, "signaal", "signalen"), "0 signalen");
        assert_eq!(super::aantal(2, "bewoner", "bewoners"), "2 bewoners");
    }

    #[test]
    fn all_templates_parse() {
        let env = super::environment();
        assert!(env.get_template("base.html").is_ok());
    }
}
