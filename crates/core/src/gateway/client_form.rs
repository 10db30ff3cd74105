//! The Gateway screen's New OAuth client form, made into a [`NewClient`]: the same checks as
//! `patchbay gateway client add`, each refusal tagged with the form field it is about (the
//! name, the redirect URIs as `url`, what the client may use as `auth`).

use crate::Patchbay;
use crate::error::{Error, FormField, Result};
use crate::model::{GatewayClientForm, NewGatewayClient};

use super::clients::NewClient;
use super::keys::KeyActions;

/// The form as core takes it: trimmed, blank lines and names dropped, `*` for every action.
fn parse(form: GatewayClientForm) -> Result<NewClient> {
    let trimmed = |list: Vec<String>| -> Vec<String> {
        list.iter()
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect()
    };
    let actions = trimmed(form.actions);
    let actions = if actions.iter().any(|a| a == "*") {
        KeyActions::All
    } else if actions.is_empty() {
        return Err(Error::invalid_with_hint(
            "an OAuth client needs the actions it may use",
            "name them with --actions A,B, or --actions '*' for every action, present and future",
        )
        .at(FormField::Auth));
    } else {
        KeyActions::Named(actions)
    };
    Ok(NewClient {
        name: form.name.trim().to_string(),
        client_type: form.client_type,
        redirect_uris: trimmed(form.redirect_uris),
        actions,
        tools: trimmed(form.tools),
    })
}

impl Patchbay {
    /// Make a custom OAuth client from the form. A confidential client's secret in the
    /// answer is the only copy there will ever be.
    pub fn add_gateway_client_form(&self, form: GatewayClientForm) -> Result<NewGatewayClient> {
        self.add_gateway_client(parse(form)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ErrorCode, GatewayClientType};

    fn form(name: &str, uris: &[&str], actions: &[&str]) -> GatewayClientForm {
        GatewayClientForm {
            name: name.into(),
            client_type: GatewayClientType::Confidential,
            redirect_uris: uris.iter().map(|u| u.to_string()).collect(),
            actions: actions.iter().map(|a| a.to_string()).collect(),
            tools: vec![],
        }
    }

    const CB: &str = "http://127.0.0.1:8080/callback";

    fn refused(p: &crate::testing::Profile, f: GatewayClientForm) -> (FormField, String) {
        let e = p.pb.add_gateway_client_form(f).expect_err("refused");
        let body = e.body();
        assert_eq!(body.code, ErrorCode::InvalidInput, "{e}");
        (body.field.expect("a field"), body.message)
    }

    #[test]
    fn each_refusal_names_the_field_it_is_about() {
        let p = crate::testing::profile();
        let (field, msg) = refused(&p, form("bad name!", &[CB], &["*"]));
        assert_eq!(field, FormField::Name, "{msg}");
        let (field, msg) = refused(&p, form("app", &["", "  "], &["*"]));
        assert_eq!(field, FormField::Url, "{msg}");
        assert!(msg.contains("at least one redirect URI"), "{msg}");
        let (field, msg) = refused(&p, form("app", &[CB, "http://app.example/cb"], &["*"]));
        assert_eq!(field, FormField::Url, "{msg}");
        assert!(
            msg.contains("'http://app.example/cb'"),
            "names the line: {msg}"
        );
        let (field, msg) = refused(&p, form("app", &[CB], &[" ", ""]));
        assert_eq!(field, FormField::Auth, "{msg}");
        assert!(msg.contains("OAuth client needs the actions"), "{msg}");
        let (field, msg) = refused(&p, form("app", &[CB], &["nope"]));
        assert_eq!(field, FormField::Auth, "{msg}");
        assert!(msg.contains("no action 'nope'"), "{msg}");
        let (field, msg) = refused(
            &p,
            GatewayClientForm {
                tools: vec!["search".into()],
                ..form("app", &[CB], &["*"])
            },
        );
        assert_eq!(field, FormField::Auth, "{msg}");
        assert!(p.pb.list_gateway_clients().expect("list").is_empty());
    }

    #[test]
    fn the_form_makes_a_client_as_the_cli_does_trimmed_and_shows_a_secret_only_if_confidential() {
        let p = crate::testing::profile();
        crate::testing::action(&p, "linear");
        let made =
            p.pb.add_gateway_client_form(GatewayClientForm {
                tools: vec![" linear__search ".into(), " ".into()],
                ..form(
                    " crm ",
                    &[" https://crm.example/cb ", "", CB, CB],
                    &[" linear ", ""],
                )
            })
            .expect("made");
        assert_eq!(made.name, "crm");
        assert_eq!(made.redirect_uris, ["https://crm.example/cb", CB]);
        assert_eq!(made.actions, ["linear"]);
        assert_eq!(made.tools, ["linear__search"]);
        assert!(made.client_id.starts_with("pbc_"), "{}", made.client_id);
        assert!(
            made.client_secret
                .as_deref()
                .is_some_and(|s| s.starts_with("pbcs_")),
            "a confidential client gets a secret"
        );
        assert!(made.endpoint.ends_with("/mcp"), "{}", made.endpoint);

        let public =
            p.pb.add_gateway_client_form(GatewayClientForm {
                client_type: GatewayClientType::Public,
                ..form("spa", &[CB], &[" * ", "linear"])
            })
            .expect("public");
        assert_eq!(public.client_secret, None, "PKCE only: no secret");
        assert_eq!(public.actions, ["*"]);
        let listed = p.pb.list_gateway_clients().expect("list");
        assert_eq!(
            listed.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(),
            ["crm", "spa"]
        );
        let taken =
            p.pb.add_gateway_client_form(form("CRM", &[CB], &["*"]))
                .expect_err("a taken name, in any case")
                .body();
        assert_eq!(
            (taken.code, taken.field),
            (ErrorCode::Conflict, Some(FormField::Name))
        );
    }
}
