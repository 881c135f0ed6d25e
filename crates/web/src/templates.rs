//! The page templates, compiled into the binary (no files needed at run time).

use minijinja::Environment;

macro_rules! embed {
    ($env:expr, $($name:literal),* $(,)?) => {
        $( $env.add_template($name, include_str!(concat!("../templates/", $name)))
            .expect(concat!("template ", $name, " parses")); )*
    };
}

pub fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::Html);
    embed!(
        env,
        "base.html",
        "macros.html",
        "login.html",
        "start.html",
        "account.html",
        "households.html",
        "household.html",
        "own_access.html",
        "figures.html",
        "admin_users.html",
        "admin_user_form.html",
        "admin_teams.html",
        "admin_team_form.html",
        "admin_districts.html",
        "admin_area_form.html",
        "admin_providers.html",
        "admin_provider_form.html",
        "admin_provider_fields.html",
        "admin_audit.html",
        "error.html",
        "monitor.html",
    );
    crate::casework::templates(&mut env);
    crate::kaart::templates(&mut env);
    env
}

#[cfg(test)]
mod tests {
    #[test]
    fn all_templates_parse() {
        let env = super::environment();
        assert!(env.get_template("base.html").is_ok());
    }
}
