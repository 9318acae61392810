//! The OpenAPI document at `/api/openapi.json`. Paths, methods and required roles come from
//! the endpoint table the router is built from; request and response bodies are the JSON
//! Schemas of the `shared::api` types the handlers take and return. A test checks that
//! every endpoint is described, so the document cannot fall behind the router.

use axum::Json;
use axum::http::Method;
use schemars::generate::{SchemaGenerator, SchemaSettings};
use schemars::{JsonSchema, Schema};
use serde_json::{Map, Value, json};
use shared::api::{self as api, routes};

use super::access::{Endpoint, endpoints};
use crate::domain::auth::Access;

/// Makes the schema of one type, registering the types it refers to.
type SchemaFn = fn(&mut SchemaGenerator) -> Schema;

fn schema<T: JsonSchema>(g: &mut SchemaGenerator) -> Schema {
    g.subschema_for::<T>()
}

/// What the document says about one operation besides its path, method and access.
pub struct Operation {
    pub summary: &'static str,
    /// The JSON body the handler reads.
    pub request: Option<SchemaFn>,
    /// Query parameters: a struct whose fields are the parameters.
    pub query: Option<SchemaFn>,
    /// The JSON body of a successful answer, and its status.
    pub response: Option<SchemaFn>,
    pub status: u16,
}

const fn op(summary: &'static str) -> Operation {
    Operation {
        summary,
        request: None,
        query: None,
        response: None,
        status: 200,
    }
}

impl Operation {
    const fn takes(mut self, request: SchemaFn) -> Self {
        self.request = Some(request);
        self
    }

    const fn query(mut self, query: SchemaFn) -> Self {
        self.query = Some(query);
        self
    }

    const fn gives(mut self, response: SchemaFn) -> Self {
        self.response = Some(response);
        self
    }

    const fn status(mut self, status: u16) -> Self {
        self.status = status;
        self
    }
}

/// The description of each endpoint; `None` for an endpoint nobody described yet (which the
/// tests refuse).
pub fn describe(method: &Method, path: &str) -> Option<Operation> {
    let m = method.as_str();
    Some(match (m, path) {
        ("GET", routes::HEALTH) => {
            op("Version and whether the database answers (503 when it does not)")
                .gives(schema::<api::Health>)
        }
        ("POST", routes::AUTH_LINK) => op("Mail a sign-in link to an address")
            .takes(schema::<api::LinkRequest>)
            .gives(schema::<api::LinkSent>)
            .status(202),
        ("POST", routes::AUTH_SESSION) => op("Trade the mailed link's token for a session")
            .takes(schema::<api::SessionRequest>)
            .gives(schema::<api::Me>),
        ("POST", routes::AUTH_LOGOUT) => op("Sign out").status(204),
        ("GET", routes::AUTH_ME) => op("Who is signed in").gives(schema::<api::Me>),
        ("GET", routes::OPERATORS) => {
            op("The service-desk officers and administrators").gives(schema::<Vec<api::Operator>>)
        }
        ("GET", routes::AUDIT) => op("The newest audit entries and whether the chain is intact")
            .gives(schema::<api::AuditLog>),
        ("GET", routes::COLLECT) => {
            op("The certificate behind a mailed collect link").gives(schema::<api::Collected>)
        }
        ("POST", routes::REVOKE) => op("Revoke a certificate (its owner or the service desk)")
            .takes(schema::<api::RevokeRequest>)
            .gives(schema::<api::Revoked>),
        ("POST", routes::REQUESTS) => op("Request a certificate for a key made in the browser")
            .takes(schema::<api::NewRequest>)
            .gives(schema::<api::RequestView>)
            .status(201),
        ("GET", routes::REQUESTS) => {
            op("The caller's own requests, newest first").gives(schema::<Vec<api::RequestView>>)
        }
        ("GET", routes::REQUEST) => {
            op("One of the caller's own requests").gives(schema::<api::RequestView>)
        }
        ("POST", routes::REQUEST_WITHDRAW) => {
            op("Withdraw one of the caller's own requests").gives(schema::<api::RequestView>)
        }
        ("POST", routes::REQUEST_COLLECT_LINK) => {
            op("Mail a new collect link for the certificate of one of the caller's requests")
                .gives(schema::<api::CollectLinkSent>)
        }
        ("GET", routes::REQUEST_OPTIONS) => {
            op("The addresses, mailboxes and key types the caller can request")
                .gives(schema::<api::RequestOptions>)
        }
        ("GET", routes::DESK_REQUESTS) => op("The service desk's queue: filters, search, pages")
            .query(schema::<api::DeskQuery>)
            .gives(schema::<api::DeskPage>),
        ("GET", routes::DESK_REQUEST) => {
            op("One request with the identity on file").gives(schema::<api::DeskRequestDetail>)
        }
        ("POST", routes::DESK_REQUEST_APPROVE) => {
            op("Record the identity check's evidence and approve")
                .takes(schema::<api::Approval>)
                .gives(schema::<api::RequestView>)
        }
        ("POST", routes::DESK_REQUEST_REJECT) => op("Reject with a reason mailed to the requester")
            .takes(schema::<api::Rejection>)
            .gives(schema::<api::RequestView>),
        ("GET", routes::OPENAPI) => op("This document"),
        _ => return None,
    })
}

/// `GET /api/openapi.json`.
pub async fn openapi() -> Json<Value> {
    Json(document())
}

/// The whole document.
pub fn document() -> Value {
    let mut generator = SchemaSettings::draft2020_12()
        .with(|s| {
            s.definitions_path = "/components/schemas".into();
            s.meta_schema = None;
        })
        .into_generator();
    let error = schema::<api::ApiError>(&mut generator);
    let mut paths = Map::new();
    for endpoint in endpoints() {
        let Some(operation) = describe(&endpoint.method, endpoint.path) else {
            continue;
        };
        let entry = paths
            .entry(endpoint.path.to_owned())
            .or_insert_with(|| json!({}));
        if let Value::Object(item) = entry {
            item.insert(
                endpoint.method.as_str().to_ascii_lowercase(),
                operation_json(&endpoint, &operation, &error, &mut generator),
            );
        }
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "certdesk API",
            "version": crate::VERSION,
            "description": "Request, vet, issue, collect and revoke S/MIME certificates. \
                Errors answer {code, message} with a stable code. State-changing requests \
                from a browser must come from the portal's own origin.",
        },
        "paths": paths,
        "components": {
            "schemas": generator.take_definitions(true),
            "securitySchemes": {
                "session": {
                    "type": "apiKey",
                    "in": "cookie",
                    "name": super::SESSION_COOKIE,
                    "description": "Set by POST /api/auth/session after the mailed sign-in link.",
                }
            }
        }
    })
}

fn operation_json(
    endpoint: &Endpoint,
    op: &Operation,
    error: &Schema,
    generator: &mut SchemaGenerator,
) -> Value {
    let mut out = Map::new();
    out.insert("summary".into(), op.summary.into());
    out.insert("operationId".into(), operation_id(endpoint).into());
    let (security, access) = match endpoint.access {
        Access::Public => (json!([]), "public".to_owned()),
        Access::AtLeast(role) => (json!([{"session": []}]), role.as_str().to_owned()),
    };
    out.insert("security".into(), security);
    // Which role the endpoint needs; the session scheme alone cannot say it.
    out.insert("x-certdesk-role".into(), access.into());
    let mut parameters: Vec<Value> = path_parameters(endpoint.path)
        .map(|name| {
            json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}})
        })
        .collect();
    if let Some(query) = op.query {
        parameters.extend(query_parameters(&query(generator), generator));
    }
    if !parameters.is_empty() {
        out.insert("parameters".into(), parameters.into());
    }
    if let Some(request) = op.request {
        out.insert(
            "requestBody".into(),
            json!({"required": true, "content": {"application/json": {"schema": request(generator)}}}),
        );
    }
    let success = match op.response {
        Some(response) => json!({
            "description": "Success",
            "content": {"application/json": {"schema": response(generator)}}
        }),
        None => json!({"description": "Success"}),
    };
    out.insert(
        "responses".into(),
        json!({
            op.status.to_string(): success,
            "default": {
                "description": "An error: the code says which",
                "content": {"application/json": {"schema": error}}
            }
        }),
    );
    Value::Object(out)
}

/// `GET /api/collect/{token}` → `get_api_collect_token`.
fn operation_id(endpoint: &Endpoint) -> String {
    let path: String = endpoint
        .path
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    let path = path
        .split('_')
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("_");
    format!("{}_{path}", endpoint.method.as_str().to_ascii_lowercase())
}

/// The `{name}` segments of a route path.
fn path_parameters(path: &str) -> impl Iterator<Item = &str> {
    path.split('/')
        .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
}

/// One query parameter per property of the query struct's schema.
fn query_parameters(schema: &Schema, generator: &SchemaGenerator) -> Vec<Value> {
    // The struct's schema is a reference into the definitions; look it up.
    let resolved = schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.rsplit('/').next())
        .and_then(|name| generator.definitions().get(name))
        .cloned()
        .unwrap_or_else(|| schema.as_value().clone());
    let required: Vec<&str> = resolved
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    resolved
        .get("properties")
        .and_then(Value::as_object)
        .map(|props| {
            props
                .iter()
                .map(|(name, s)| {
                    json!({
                        "name": name,
                        "in": "query",
                        "required": required.contains(&name.as_str()),
                        "schema": s,
                    })
                })
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_endpoint_is_described() {
        let missing: Vec<String> = endpoints()
            .iter()
            .filter(|e| describe(&e.method, e.path).is_none())
            .map(|e| format!("{} {}", e.method, e.path))
            .collect();
        assert!(
            missing.is_empty(),
            "not in the OpenAPI document: {missing:?}"
        );
    }

    #[test]
    fn document_lists_every_route_with_its_method_and_resolvable_schemas() {
        let doc = document();
        assert_eq!(doc["openapi"], "3.1.0");
        for e in endpoints() {
            let method = e.method.as_str().to_ascii_lowercase();
            let op = &doc["paths"][e.path][&method];
            assert!(op.is_object(), "{method} {} missing", e.path);
            for name in path_parameters(e.path) {
                assert!(
                    op["parameters"]
                        .as_array()
                        .is_some_and(|p| p.iter().any(|p| p["name"] == name)),
                    "{} lacks parameter {name}",
                    e.path
                );
            }
        }
        // Every reference points at a schema the document carries.
        let text = doc.to_string();
        let schemas = doc["components"]["schemas"].as_object().unwrap();
        for part in text.split("\"$ref\":\"#/components/schemas/").skip(1) {
            let name = part.split('"').next().unwrap();
            assert!(schemas.contains_key(name), "dangling $ref {name}");
        }
        assert!(schemas.contains_key("ApiError") && schemas.contains_key("Collected"));
        assert_eq!(
            doc["paths"][routes::REVOKE]["post"]["x-certdesk-role"],
            "requester"
        );
        assert_eq!(doc["paths"][routes::COLLECT]["get"]["security"], json!([]));
    }

    #[test]
    fn operation_ids_are_readable() {
        let e = Endpoint {
            method: Method::GET,
            path: routes::COLLECT,
            access: Access::Public,
        };
        assert_eq!(operation_id(&e), "get_api_collect_token");
    }
}
