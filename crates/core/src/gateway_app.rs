//! What the desktop app's Gateway screen asks of core (the CLI's `gateway key add` takes the
//! same form): the screen's state, an access key from the form, an action's tools.

use std::sync::Arc;

use crate::Patchbay;
use crate::error::{ErrorBody, FormField, Result, at};
use crate::gateway::keys::{KeyActions, NewKey, parse_actions};
use crate::model::{GatewayKeyForm, GatewayTool, GatewayView, NewGatewayKey};
use crate::validate;

impl Patchbay {
    /// The Gateway screen's state. `error`: why this app's own gateway is not running although
    /// it should (the app keeps it); left out once the app serves it.
    pub fn gateway_view(&self, error: Option<ErrorBody>) -> Result<GatewayView> {
        let status = self.gateway_status()?;
        let here = status.pid == Some(std::process::id());
        Ok(GatewayView {
            enabled: self.settings().gateway_enabled,
            here,
            status,
            error: if here { None } else { error },
        })
    }

    /// Make an access key from the form (`gateway key add`'s checks; `expires` as its
    /// `--expires`). The key in the answer is the only copy there will ever be.
    pub fn add_gateway_key_form(&self, form: GatewayKeyForm) -> Result<NewGatewayKey> {
        let actions = if form.actions.iter().any(|a| a.trim() == "*") {
            KeyActions::All
        } else {
            parse_actions(&form.actions.join(","))?
        };
        let expires_in = form
            .expires
            .as_deref()
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .map(validate::duration)
            .transpose()
            .map_err(at(FormField::Expires))?;
        self.add_gateway_key(NewKey {
            name: form.name,
            actions,
            tools: form
                .tools
                .iter()
                .map(|t| t.trim().to_string())
                .filter(|t| !t.is_empty())
                .collect(),
            expires_in,
        })
    }

    /// The tools of an MCP action, from its server (so this reaches the network), for
    /// limiting a key to some of them.
    pub async fn gateway_tools(self: &Arc<Self>, name: &str) -> Result<Vec<GatewayTool>> {
        Ok(self
            .mcp_tools(name)
            .await?
            .into_iter()
            .map(|t| GatewayTool {
                name: t.name,
                title: t.title,
                description: t.description,
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ErrorCode;

    fn form(actions: &[&str], tools: &[&str], expires: Option<&str>) -> GatewayKeyForm {
        GatewayKeyForm {
            name: "k".into(),
            actions: actions.iter().map(|a| a.to_string()).collect(),
            tools: tools.iter().map(|t| t.to_string()).collect(),
            expires: expires.map(str::to_string),
        }
    }

    #[test]
    fn the_form_makes_a_key_as_the_cli_does_and_names_the_field_it_refuses() {
        let p = crate::testing::profile();
        let e =
            p.pb.add_gateway_key_form(form(&[], &[], None))
                .expect_err("no actions");
        assert_eq!(e.body().field, Some(FormField::Auth), "{e}");
        let e =
            p.pb.add_gateway_key_form(form(&["*"], &[], Some("soon")))
                .expect_err("not a duration");
        let body = e.body();
        assert_eq!(
            (body.code, body.field),
            (ErrorCode::InvalidInput, Some(FormField::Expires))
        );
        assert!(body.message.contains("'soon' is not a duration"), "{e}");
        let e =
            p.pb.add_gateway_key_form(form(&["nope"], &[], None))
                .expect_err("no such action");
        assert!(e.to_string().contains("no action 'nope'"), "{e}");

        let k =
            p.pb.add_gateway_key_form(form(&[" * "], &["  "], Some(" 30d ")))
                .expect("every action, 30 days");
        assert_eq!(k.actions, ["*"]);
        assert!(k.tools.is_empty(), "blank tool names are dropped");
        assert!(k.key.starts_with("pbk_"));
        assert!(
            k.expires_at.as_deref() > Some(k.created_at.as_str()),
            "{k:?}"
        );
        let k =
            p.pb.add_gateway_key_form(GatewayKeyForm {
                name: "forever".into(),
                ..form(&["*"], &[], Some(""))
            })
            .expect("blank expiry");
        assert_eq!(k.expires_at, None);
    }

    #[test]
    fn the_view_reports_the_setting_and_drops_the_error_of_a_gateway_served_elsewhere_or_off() {
        let p = crate::testing::profile();
        let v = p.pb.gateway_view(None).expect("view");
        assert!(!v.enabled && !v.here && !v.status.running);
        p.pb.set_setting("gatewayEnabled", "true").expect("on");
        let busy = crate::error::Error::invalid("port busy").body();
        let v = p.pb.gateway_view(Some(busy)).expect("view");
        assert!(v.enabled && !v.here);
        assert_eq!(v.error.map(|e| e.message), Some("port busy".into()));
    }
}
